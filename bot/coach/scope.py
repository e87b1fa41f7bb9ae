"""Who sees which candidate.

* An administrator sees every candidate.
* A coach sees the candidates of their organisation: those linked to the organisation itself,
  or to any coach of it (an invitation code links a candidate to the coach who gave it). A coach
  without an organisation sees their own candidates.
* Candidates who came without a code belong to nobody yet: they wait in a queue that every coach
  sees, and a coach who takes one brings them into their organisation.

Only candidates in scope can be changed; anything else, asked for by URL, is "not found".
"""

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import Session

from bot.coach.auth import Authenticated
from storage import Candidate, Coach

__all__ = ["can_change", "in_scope", "unassigned", "visible_candidate"]


def unassigned() -> ColumnElement[bool]:
    return and_(Candidate.coach_id.is_(None), Candidate.organisation_id.is_(None))


def in_scope(coach: Authenticated) -> ColumnElement[bool]:
    """The candidates this coach may read and change (SQL condition on ``Candidate``)."""
    if coach.is_admin:
        return true()
    if coach.organisation_id is None:
        return Candidate.coach_id == coach.coach_id
    colleagues = select(Coach.id).where(Coach.organisation_id == coach.organisation_id)
    return or_(
        Candidate.organisation_id == coach.organisation_id,
        Candidate.coach_id.in_(colleagues.scalar_subquery()),
    )


def visible_candidate(
    session: Session, coach: Authenticated, candidate_id: str
) -> Candidate | None:
    """The candidate if this coach may at least see them (in scope, or in the queue)."""
    return session.scalar(
        select(Candidate).where(
            Candidate.id == candidate_id,
            Candidate.erased_at.is_(None),
            or_(in_scope(coach), unassigned()),
        )
    )


def can_change(session: Session, coach: Authenticated, candidate_id: str) -> bool:
    found = session.scalar(
        select(Candidate.id).where(Candidate.id == candidate_id, in_scope(coach))
    )
    return found is not None
