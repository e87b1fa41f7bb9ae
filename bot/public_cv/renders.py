"""Renderings of a published version (the PDF, the share image), made once and kept.

A published version never changes, so neither do its renderings: the first request makes one
and stores it in ``cv_renders``; later requests, from any process, read it. Two processes that
make the same one at once both succeed: the unique key keeps the first, the second reads it.
"""

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.models import CvRender

__all__ = ["cached_render"]


def cached_render(
    sessions: sessionmaker[Session],
    *,
    candidate_id: str,
    version: int,
    kind: str,
    content_type: str,
    make: Callable[[], bytes],
) -> bytes:
    """The stored rendering of (candidate, version, kind), made by ``make`` the first time."""
    query = select(CvRender.data).where(
        CvRender.candidate_id == candidate_id,
        CvRender.version_number == version,
        CvRender.kind == kind,
    )
    with sessions() as session:
        stored = session.scalar(query)
    if stored is not None:
        return stored
    data = make()
    try:
        with sessions.begin() as session:
            session.add(
                CvRender(
                    candidate_id=candidate_id,
                    version_number=version,
                    kind=kind,
                    content_type=content_type,
                    data=data,
                )
            )
    except IntegrityError:
        with sessions() as session:
            stored = session.scalar(query)
        if stored is not None:
            return stored
        raise
    return data
