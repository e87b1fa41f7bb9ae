"""The dashboard's list: the candidates a coach may see, filtered, submitted drafts first.

Filters read the denormalised columns the service keeps (``cv_drafts.status``, ``first_job``,
``department``; ``candidates.current_step``, ``last_activity_at``), so the list never loads a
document; the first-name search reads one JSON path, on SQLite and PostgreSQL alike.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.channels.render import renderer
from bot.coach.auth import Authenticated
from bot.coach.scope import in_scope, unassigned
from conversations.outputs import Term
from conversations.vocabulary.jobs import JOB_BY_CODE
from storage import Candidate, CandidateStatus, ChannelIdentity, CvDraft

__all__ = ["STATUS_LABELS", "Filters", "ListedCandidate", "filter_options", "list_candidates"]

STATUS_LABELS = {
    CandidateStatus.IN_PROGRESS.value: "En cours",
    CandidateStatus.SUBMITTED.value: "À relire",
    CandidateStatus.CHANGES_REQUESTED.value: "Modifications demandées",
    CandidateStatus.PUBLISHED.value: "Publié",
    CandidateStatus.UNPUBLISHED.value: "Retiré",
}
_PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class Filters:
    status: str = ""
    job: str = ""
    department: str = ""
    search: str = ""
    queue: bool = False
    """The unassigned queue instead of the coach's own candidates."""


@dataclass(frozen=True, slots=True)
class ListedCandidate:
    id: str
    name: str
    status: str
    status_label: str
    progress: int
    step: str
    job: str
    department: str
    channel: str
    last_activity: datetime


def _job_label(code: str | None) -> str:
    if not code:
        return ""
    if code in JOB_BY_CODE:
        return renderer("fr").text(Term("job", code))
    return code


def list_candidates(
    session: Session, coach: Authenticated, filters: Filters
) -> list[ListedCandidate]:
    first_name = CvDraft.document[("candidate", "first_name")].as_string()
    last_name = CvDraft.document[("candidate", "last_name")].as_string()
    channel = (
        select(func.min(ChannelIdentity.channel))
        .where(ChannelIdentity.candidate_id == Candidate.id)
        .scalar_subquery()
    )
    query = (
        select(Candidate, CvDraft, first_name, last_name, channel)
        .join(CvDraft, CvDraft.candidate_id == Candidate.id)
        .where(Candidate.erased_at.is_(None))
        .where(unassigned() if filters.queue else in_scope(coach))
    )
    if filters.status:
        query = query.where(Candidate.status == filters.status)
    if filters.job:
        query = query.where(CvDraft.first_job == filters.job)
    if filters.department:
        query = query.where(CvDraft.department == filters.department)
    if filters.search.strip():
        query = query.where(func.lower(first_name).contains(filters.search.strip().lower()))
    waiting_first = case((Candidate.status == CandidateStatus.SUBMITTED.value, 0), else_=1)
    query = query.order_by(waiting_first, Candidate.last_activity_at.desc()).limit(_PAGE_SIZE)
    listed = []
    for candidate, draft, first, last, channel_name in session.execute(query):
        initial = f" {last[:1]}." if last else ""
        listed.append(
            ListedCandidate(
                id=candidate.id,
                name=f"{first}{initial}" if first else "(sans prénom)",
                status=candidate.status,
                status_label=STATUS_LABELS.get(candidate.status, candidate.status),
                progress=draft.progress,
                step=candidate.current_step or "",
                job=_job_label(draft.first_job),
                department=draft.department or "",
                channel=channel_name or "",
                last_activity=candidate.last_activity_at,
            )
        )
    return listed


def filter_options(
    session: Session, coach: Authenticated
) -> tuple[list[tuple[str, str]], list[str]]:
    """The jobs (code, label) and departments present among this coach's candidates."""
    scope = in_scope(coach)
    jobs = session.scalars(
        select(CvDraft.first_job)
        .join(Candidate, Candidate.id == CvDraft.candidate_id)
        .where(scope, CvDraft.first_job.is_not(None))
        .distinct()
    ).all()
    departments = session.scalars(
        select(CvDraft.department)
        .join(Candidate, Candidate.id == CvDraft.candidate_id)
        .where(scope, CvDraft.department.is_not(None))
        .distinct()
    ).all()
    job_options = sorted(((code, _job_label(code)) for code in jobs if code), key=lambda j: j[1])
    return job_options, sorted(d for d in departments if d)
