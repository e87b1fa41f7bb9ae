"""A coach's inline edits of a draft: each saved edit is a new version, audited.

The form names each input by the field's path (``draft_view.Editable.path``) and, for a free
text, adds ``<path>.fr`` for its French version. Only the paths the page offered can be written,
only fields that changed are, and the draft and the conversation change together under the
conversation's lock (``state_store``). The form also carries the conversation version it was
built from: if the candidate answered in the meantime, the edit is refused rather than undoing
what they just wrote.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.coach.draft_view import Editable, draft_parts
from bot.coach.state_store import lock_state, save_state
from bot.cv.publishing import record_version
from bot.privacy.audit import audit

__all__ = ["EditError", "apply_edits"]


class EditError(ValueError):
    """The edit cannot be saved; the message says why, in French."""


@dataclass(frozen=True, slots=True)
class _Change:
    editable: Editable
    key: str
    """``text`` or ``fr`` for a free text; the field itself for a plain one."""
    value: str | None


def _step(node: Any, part: str) -> Any:
    return node[int(part)] if isinstance(node, list) else node[part]


def _target(draft: dict[str, Any], path: str) -> tuple[Any, str | int]:
    """The dict or list holding the field at ``path``, and the field's key or index in it.

    A list item can be a field of its own: ``cv.interests.0`` is the first interest, a free
    text held directly in the list (as ``cv.skills.1`` or ``cv.target_jobs.0`` are).
    """
    *parents, last = path.split(".")
    node: Any = draft
    for part in parents:
        node = _step(node, part)
    return node, int(last) if isinstance(node, list) else last


def _changes(editables: list[Editable], form: dict[str, str]) -> list[_Change]:
    changes = []
    for editable in editables:
        given = form.get(editable.path)
        if given is not None:
            value = given.strip()
            if value != editable.value:
                if not value and editable.lang is not None:
                    raise EditError("Un texte du candidat ne peut pas être vide.")
                if len(value) > editable.limit:
                    raise EditError(f"Trop long : {editable.limit} signes au plus.")
                key = editable.text_key if editable.lang else ""
                changes.append(_Change(editable, key, value or None))
        french = form.get(f"{editable.path}.fr")
        if editable.wants_fr and french is not None:
            value = french.strip()
            if value != (editable.fr or ""):
                if len(value) > editable.limit:
                    raise EditError(
                        f"Version française trop longue : {editable.limit} signes au plus."
                    )
                changes.append(_Change(editable, "fr", value or None))
    return changes


def apply_edits(
    session: Session,
    candidate_id: str,
    part: int,
    form: dict[str, str],
    *,
    seen_version: int | None,
    coach_id: str,
    now: datetime,
) -> list[str]:
    """Apply the form of one part; returns the paths changed (empty: nothing to save)."""
    locked = lock_state(session, candidate_id)
    if locked is None:
        raise EditError("Cette personne n'existe plus.")
    if seen_version is not None and seen_version != locked.version:
        raise EditError(
            "Le candidat a répondu pendant votre modification : relisez le brouillon, puis "
            "recommencez."
        )
    state = locked.state.copy()
    parts = {p.number: p for p in draft_parts(state)}
    if part not in parts:
        raise EditError("Partie inconnue.")
    changes = _changes(parts[part].editables, form)
    if not changes:
        return []
    for change in changes:
        holder, key = _target(state.draft, change.editable.path)
        if change.editable.lang is None:
            holder[key] = change.value
        else:
            holder[key][change.key] = change.value
    save_state(session, locked, state, now=now)
    number = record_version(session, candidate_id, "edit", state.draft, coach_id=coach_id, now=now)
    paths = sorted({f"{c.editable.path}.{c.key}".rstrip(".") for c in changes})
    # The audit names the fields, not their content: the trail outlives the person's words.
    audit(
        session,
        candidate_id,
        coach_id,
        "edited",
        {"part": part, "fields": paths, "version": number},
        now,
    )
    return paths
