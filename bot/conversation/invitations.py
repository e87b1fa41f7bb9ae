"""The coaches' invitation codes a candidate's message may name, looked up for the engine.

The engine is pure and knows no code; when the conversation waits for one (the first message, or
the code question), the service looks up what the person typed and hands the engine the codes
that could be meant, each with the organisation to name (:func:`codes_for`). A near miss is a
code one keystroke away (a wrong, missing or extra character, or two swapped: "M1413" for
"M1431"): the engine then asks before linking the person to a coach they never met.
"""

from collections.abc import Mapping
from datetime import datetime

from rapidfuzz.distance import OSA
from sqlalchemy import Connection, func, or_, select

from storage import tables

__all__ = ["codes_for"]

_invitations = tables.invitations
_coaches = tables.coaches
_organisations = tables.organisations


def codes_for(connection: Connection, typed: str, *, now: datetime) -> Mapping[str, str]:
    """The valid codes ``typed`` may mean (itself, or one keystroke away), each with the name the
    candidate is told: the coach's organisation, or the coach's name when they have none."""
    rows = connection.execute(
        select(
            _invitations.c.code,
            func.coalesce(_organisations.c.name, _coaches.c.name),
        )
        .join(_coaches, _coaches.c.id == _invitations.c.coach_id)
        .outerjoin(_organisations, _organisations.c.id == _coaches.c.organisation_id)
        .where(
            func.length(_invitations.c.code).between(len(typed) - 1, len(typed) + 1),
            or_(_invitations.c.expires_at.is_(None), _invitations.c.expires_at > now),
            or_(
                _invitations.c.max_uses.is_(None),
                _invitations.c.uses < _invitations.c.max_uses,
            ),
        )
    ).all()
    return {
        code: name
        for code, name in rows
        if code == typed or OSA.distance(code.upper(), typed, score_cutoff=1) <= 1
    }
