"""``tremplin cv list`` and ``tremplin cv show``."""

import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from bot.channels.render import renderer
from bot.cv.document import cv_document, find_candidate
from bot.runtime.root import open_runtime
from bot.runtime.settings import Settings
from conversations.draft import summary_lines
from conversations.outputs import Msg
from conversations.state import State
from storage import Candidate, ChannelIdentity, CvDraft

__all__ = ["list_cvs", "publish_cv", "show_cv", "text_form"]


def list_cvs(settings: Settings, *, status: str | None) -> int:
    runtime = open_runtime(settings)
    with runtime.sessions.begin() as session:
        query = (
            select(Candidate, CvDraft)
            .join(CvDraft, CvDraft.candidate_id == Candidate.id)
            .order_by(Candidate.last_activity_at.desc())
        )
        if status:
            query = query.where(Candidate.status == status)
        rows = session.execute(query).all()
        table = Table("id", "name", "status", "progress", "job", "dept", "channel", "last activity")
        for candidate, draft in rows:
            person = draft.document.get("candidate", {})
            initial = (person.get("last_name") or "")[:1]
            name = f"{person.get('first_name') or '—'} {initial + '.' if initial else ''}".strip()
            channel = session.scalar(
                select(ChannelIdentity.channel).where(ChannelIdentity.candidate_id == candidate.id)
            )
            table.add_row(
                candidate.id,
                name,
                candidate.status,
                f"{draft.progress} %",
                draft.first_job or "",
                draft.department or "",
                channel or "",
                candidate.last_activity_at.strftime("%Y-%m-%d %H:%M"),
            )
    console = Console()
    if not console.is_terminal:
        console = Console(width=200)  # piped into a file or grep: no wrapping inside cells
    console.print(table if rows else "No CV yet. Start one with: tremplin chat")
    runtime.close()
    return 0


def text_form(document: dict[str, object], state: State) -> str:
    """A readable French text of the CV, as a coach reads it."""
    r = renderer("fr")
    lines = [r.message(Msg("summary_title"))]
    lines += [r.message(line) for line in summary_lines(state)]
    lines.append("")
    lines.append(f"Statut : {document['status']} · Progression : {document['progress']} %")
    return "\n".join(lines) + "\n"


def show_cv(settings: Settings, key: str, fmt: str, output: Path | None) -> int:
    runtime = open_runtime(settings)
    with runtime.sessions.begin() as session:
        candidate = find_candidate(session, key)
        if candidate is None:
            print(f"No candidate found for {key!r}. See: tremplin cv list")
            runtime.close()
            return 1
        document = cv_document(session, candidate, settings)
        draft = session.scalar(select(CvDraft).where(CvDraft.candidate_id == candidate.id))
        state = State.from_parts(None, draft.document if draft else None)
    runtime.close()
    if fmt == "json":
        rendered = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    else:
        rendered = text_form(document, state)
    if output is not None:
        output.write_text(rendered, encoding="utf-8")
    else:
        print(rendered, end="")
    return 0


def publish_cv(settings: Settings, key: str, *, publish: bool) -> int:
    """``cv publish`` / ``cv unpublish``: the same rules as the coach workspace's buttons."""
    from bot.cv.publishing import PublishError, publish_candidate, unpublish_candidate

    runtime = open_runtime(settings)
    try:
        with runtime.sessions() as session:
            candidate = find_candidate(session, key)
            candidate_id = candidate.id if candidate is not None else None
        if candidate_id is None:
            print(f"No candidate found for {key!r}. See: tremplin cv list", file=sys.stderr)
            return 1
        try:
            if publish:
                published = publish_candidate(runtime, candidate_id)
                print(f"Published version {published.version}: {published.url}")
                if not published.notified:
                    print("The candidate could not be told (STOP, or no channel).")
            else:
                version = unpublish_candidate(runtime, candidate_id)
                print(f"Unpublished (version {version} is no longer online).")
        except PublishError as error:
            print(error, file=sys.stderr)
            return 1
        return 0
    finally:
        runtime.close()
