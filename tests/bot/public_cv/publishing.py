"""Publishing as the coach workspace does it (bot/cv/publishing.py, issue #5), for these tests.

Until the coach's publish lands, tests freeze a version the same way: a ``cv_versions`` row of
kind ``published`` holding the draft's document, ``candidates.published_version`` set to its
number and the status ``published``; unpublishing clears the number and says ``unpublished``.
"""

import copy
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import Candidate, CvDraft, CvVersion

__all__ = ["french_versions", "publish", "unpublish"]


def publish(session: Session, candidate_id: str) -> int:
    """Freeze the candidate's draft as a published version; its number."""
    candidate = session.get(Candidate, candidate_id)
    assert candidate is not None
    draft = session.scalar(select(CvDraft).where(CvDraft.candidate_id == candidate_id))
    assert draft is not None
    number = (
        session.scalar(
            select(func.max(CvVersion.number)).where(CvVersion.candidate_id == candidate_id)
        )
        or 0
    ) + 1
    session.add(
        CvVersion(
            candidate_id=candidate_id,
            number=number,
            kind="published",
            document=copy.deepcopy(draft.document),
        )
    )
    candidate.published_version = number
    candidate.status = "published"
    session.flush()
    return number


def unpublish(session: Session, candidate_id: str) -> None:
    candidate = session.get(Candidate, candidate_id)
    assert candidate is not None
    candidate.published_version = None
    candidate.status = "unpublished"


def french_versions(session: Session, candidate_id: str, french: dict[str, str]) -> None:
    """Give the draft's free texts their French versions, as a coach does in the workspace:
    ``french`` maps an original text to its French version."""
    draft = session.scalar(select(CvDraft).where(CvDraft.candidate_id == candidate_id))
    assert draft is not None
    document = copy.deepcopy(draft.document)

    def visit(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("text"), str) and value["text"] in french:
                value["fr"] = french[value["text"]]
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    visit(document)
    draft.document = document
