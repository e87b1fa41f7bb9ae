"""Which version of a CV the public sees, if any, and the few facts kept about its audience.

A CV is public while ``candidates.published_version`` names one of its ``cv_versions`` rows (the
coach's publish freezes one, of kind ``published``). Later edits of the draft change nothing
here until the coach publishes again. A slug that never led to a published CV is "not found"
(404); one whose CV was published and is no longer is "gone" (410), so that search engines and
people who kept the link learn it will not come back.

Counters store nothing about the viewer: one ``UPDATE … SET cv_views = cv_views + 1``.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import Candidate, CvVersion, Media

__all__ = [
    "SHARE_NETWORKS",
    "PublishedCv",
    "Unavailable",
    "count_share",
    "count_view",
    "find_published",
    "photo_of",
    "public_facts",
    "set_indexing",
]

#: The networks a share may be counted for (anything else is refused, not stored).
SHARE_NETWORKS: tuple[str, ...] = ("linkedin", "facebook", "whatsapp", "email", "copy", "native")


@dataclass(frozen=True, slots=True)
class PublishedCv:
    candidate_id: str
    slug: str
    number: int
    document: dict[str, Any]
    noindex: bool
    coach_id: str | None
    photo_id: str | None


@dataclass(frozen=True, slots=True)
class Unavailable:
    status_code: int
    """404 (never published, or no such CV) or 410 (published once, withdrawn since)."""


_NOT_FOUND = Unavailable(404)
_GONE = Unavailable(410)


def find_published(session: Session, slug: str) -> PublishedCv | Unavailable:
    """The frozen version the public page shows for ``slug``."""
    if not slug or len(slug) > 64:
        return _NOT_FOUND
    candidate = session.scalar(select(Candidate).where(Candidate.slug == slug))
    if candidate is None:
        return _NOT_FOUND
    if candidate.erased_at is not None:
        return _GONE
    version = None
    if candidate.published_version is not None:
        version = session.scalar(
            select(CvVersion).where(
                CvVersion.candidate_id == candidate.id,
                CvVersion.number == candidate.published_version,
            )
        )
    if version is None:
        was_published = candidate.status == "unpublished" or session.scalar(
            select(CvVersion.id)
            .where(CvVersion.candidate_id == candidate.id, CvVersion.kind == "published")
            .limit(1)
        )
        return _GONE if was_published else _NOT_FOUND
    document = version.document
    return PublishedCv(
        candidate_id=candidate.id,
        slug=candidate.slug,
        number=version.number,
        document=document,
        noindex=candidate.noindex,
        coach_id=candidate.coach_id,
        photo_id=_photo_id(session, candidate.id, document),
    )


def _photo_id(session: Session, candidate_id: str, document: dict[str, Any]) -> str | None:
    """The media row of the version's photo: its ``ref`` when it names one, else the person's
    latest photo. No photo in the version, no photo on the page."""
    photo = (document.get("cv") or {}).get("photo")
    if not isinstance(photo, dict):
        return None
    ref = str(photo.get("ref") or photo.get("media_id") or "").removeprefix("media:")
    photos = select(Media.id).where(Media.candidate_id == candidate_id, Media.kind == "photo")
    if ref:
        found = session.scalar(photos.where(Media.id == ref))
        if found is not None:
            return found
    return session.scalar(photos.order_by(Media.created_at.desc()).limit(1))


def photo_of(session: Session, published: PublishedCv) -> tuple[bytes, str] | None:
    """The photo's bytes and content type."""
    if published.photo_id is None:
        return None
    media = session.get(Media, published.photo_id)
    if media is None or media.candidate_id != published.candidate_id:
        return None
    return media.data, media.content_type


def count_view(session: Session, candidate_id: str) -> None:
    session.execute(
        update(Candidate)
        .where(Candidate.id == candidate_id)
        .values(cv_views=Candidate.cv_views + 1)
        .execution_options(synchronize_session=False)
    )


def count_share(session: Session, candidate_id: str) -> None:
    session.execute(
        update(Candidate)
        .where(Candidate.id == candidate_id)
        .values(cv_shares=Candidate.cv_shares + 1)
        .execution_options(synchronize_session=False)
    )


def set_indexing(session: Session, candidate_id: str, *, indexed: bool) -> bool:
    """Let search engines index a candidate's public page, or not (the default). The coach
    decides, with the candidate. Returns False when there is no such candidate."""
    result = session.execute(
        update(Candidate)
        .where(Candidate.id == candidate_id)
        .values(noindex=not indexed)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def public_facts(candidate: Candidate) -> dict[str, Any]:
    """What the candidate page shows about the public CV (``c.public`` in its template)."""
    return {
        "indexed": not candidate.noindex,
        "views": candidate.cv_views,
        "shares": candidate.cv_shares,
    }
