"""The audit trail of what coaches do: one ``audit_events`` row an action.

The trail names the action and what it touched (a part, a version, field paths), never the
candidate's words: it outlives them (bot/privacy/records.py blanks it on erasure).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from storage import tables

__all__ = ["audit"]

_audit = tables.audit_events


def audit(
    session: Session,
    candidate_id: str | None,
    coach_id: str | None,
    action: str,
    detail: dict[str, Any] | None,
    now: datetime,
) -> None:
    """Record ``action`` in the session's transaction (so it stands or falls with the action)."""
    session.connection().execute(
        insert(_audit).values(
            candidate_id=candidate_id,
            coach_id=coach_id,
            action=action,
            detail=detail,
            created_at=now,
        )
    )
