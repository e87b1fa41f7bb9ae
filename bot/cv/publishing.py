"""Publishing a CV and withdrawing it: functions the coach workspace and the CLI share.

Publishing freezes the draft as a version (``cv_versions`` kind ``published``), points
``candidates.published_version`` at it, sets the status ``published`` everywhere it is kept
(candidate, draft, conversation state) and sends the candidate the public link
``{TREMPLIN_PUBLIC_URL}/cv/{slug}`` over their channel, in their language. It is refused while
the draft lacks what a CV needs (the minimum to submit, docs/conversation.md) or while a free text
written in
another language has no French version: employers read the French.

Unpublishing sets the status ``unpublished`` and ``published_version`` to NULL: the public page
goes away at once; the draft and the versions stay for the coach.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from bot.coach.state_store import Locked, lock_state, queue_outputs, save_state
from bot.cv.latin_names import needs_latin_name
from bot.delivery.rows import Purpose
from bot.privacy.audit import audit
from conversations import coach as decisions
from conversations.draft import missing
from storage import new_id, tables, utcnow

if TYPE_CHECKING:  # the runtime builds this: only its type is needed here
    from bot.runtime.root import Runtime

__all__ = [
    "PublishError",
    "Published",
    "needs_french",
    "needs_french_place",
    "public_url",
    "publish_candidate",
    "record_version",
    "unpublish_candidate",
    "untranslated_texts",
]

_versions = tables.cv_versions

# Where each free text of the CV sits, as a coach reads it.
_FIELD_NAMES = {
    "title": "intitulé",
    "employer": "employeur",
    "location": "lieu",
    "description": "description",
    "institution": "établissement",
}
_LIST_NAMES = {
    "experiences": "Expérience",
    "trainings": "Formation",
    "target_jobs": "Métier",
    "skills": "Point fort",
    "interests": "Loisir",
}


# What the draft still lacks (``conversations.draft.missing``), as the coach reads it.
_MISSING = {
    "missing_first_name": "le prénom",
    "missing_location": "la ville",
    "missing_job": "un métier",
    "missing_language": "une langue",
    "missing_experience": "une expérience, une formation ou une histoire",
}


class PublishError(ValueError):
    """Publication refused; the message says why, in French, for the coach."""


@dataclass(frozen=True, slots=True)
class Published:
    version: int
    url: str
    notified: bool
    """False when the candidate could not be told (STOP, or no channel left)."""


def public_url(runtime: "Runtime", slug: str) -> str:
    return f"{runtime.settings.public_url}/cv/{slug}"


def needs_french(value: Any) -> bool:
    """A free text (``{text, lang, fr}``) written in another language, without a French version.

    A job or skill matched in the vocabulary (it has a ``code``) is translated by the catalogs.
    """
    return (
        isinstance(value, dict)
        and isinstance(value.get("text"), str)
        and "lang" in value
        and value.get("lang") != "fr"
        and not value.get("code")
        and not (value.get("fr") or "").strip()
    )


def needs_french_place(place: dict[str, Any]) -> bool:
    """A place typed in another script that no commune matched, still without French words."""
    return "lang" in place and place.get("lang") != "fr" and not place.get("fr")


def free_texts(cv: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every free text of the CV with the name the coach's page gives it ("Expérience 1 (lieu)")."""
    texts: list[tuple[str, dict[str, Any]]] = []
    for key, label in _LIST_NAMES.items():
        for index, item in enumerate(cv.get(key) or []):
            if isinstance(item, dict) and isinstance(item.get("text"), str):
                texts.append((f"{label} {index + 1}", item))
            for field, field_name in _FIELD_NAMES.items():
                value = item.get(field) if isinstance(item, dict) else None
                if isinstance(value, dict) and isinstance(value.get("text"), str):
                    texts.append((f"{label} {index + 1} ({field_name})", value))
    for key, name in (("story", "Histoire"), ("catchphrase", "Phrase d'accroche")):
        value = cv.get(key)
        if isinstance(value, dict) and isinstance(value.get("text"), str):
            texts.append((name, value))
    return texts


def untranslated_texts(cv: dict[str, Any], person: dict[str, Any] | None = None) -> list[str]:
    """What the French page cannot show yet, named as the coach's page names it: the first
    name in Latin letters, a place and the free texts without their French version."""
    names = []
    if person is not None and needs_latin_name(person) and not person.get("first_name_latin"):
        names.append("Prénom en lettres latines")
    if any(needs_french_place(place) for place in cv.get("locations") or []):
        names.append("Lieu de travail souhaité")
    return names + [name for name, value in free_texts(cv) if needs_french(value)]


def record_version(
    session: Session,
    candidate_id: str,
    kind: str,
    document: dict[str, Any],
    *,
    coach_id: str | None,
    now: datetime,
) -> int:
    """Freeze ``document`` as the candidate's next version; returns its number."""
    connection = session.connection()
    last = connection.execute(
        select(func.max(_versions.c.number)).where(_versions.c.candidate_id == candidate_id)
    ).scalar()
    number = int(last or 0) + 1
    connection.execute(
        insert(_versions).values(
            id=new_id(),
            candidate_id=candidate_id,
            number=number,
            kind=kind,
            document=document,
            created_at=now,
            created_by=coach_id,
        )
    )
    return number


def _locked(session: Session, candidate_id: str) -> Locked:
    locked = lock_state(session, candidate_id)
    if locked is None:
        raise PublishError("Cette personne n'existe plus (ses données ont été effacées).")
    return locked


def publish_candidate(
    runtime: "Runtime",
    candidate_id: str,
    *,
    coach_id: str | None = None,
    now: datetime | None = None,
) -> Published:
    """Publish the candidate's draft as it stands (see the module's rules)."""
    when = now or utcnow()
    with runtime.sessions.begin() as session:
        locked = _locked(session, candidate_id)
        state = locked.state
        needs = missing(state)
        if needs:
            listed = ", ".join(_MISSING.get(item.id, item.id) for item in needs)
            raise PublishError(f"Le CV n'est pas complet : il manque {listed}.")
        untranslated = untranslated_texts(state.cv, state.person)
        if untranslated:
            raise PublishError(
                "Publication impossible : ajoutez d'abord la version française de "
                + ", ".join(untranslated)
                + "."
            )
        url = public_url(runtime, locked.slug)
        number = record_version(
            session, candidate_id, "published", state.draft, coach_id=coach_id, now=when
        )
        published, outputs = decisions.publish(state, url)
        save_state(
            session, locked, published, now=when, candidate_values={"published_version": number}
        )
        locale = state.locale or locked.locale
        queued = queue_outputs(
            session,
            candidate_id,
            outputs,
            locale,
            runtime.courier,
            now=when,
            purpose=Purpose.PUBLISHED,
        )
        audit(session, candidate_id, coach_id, "published", {"version": number}, when)
    return Published(number, url, queued.count + queued.held > 0)


def unpublish_candidate(
    runtime: "Runtime",
    candidate_id: str,
    *,
    coach_id: str | None = None,
    now: datetime | None = None,
) -> int | None:
    """Withdraw the public page; returns the version that was online (None if none was)."""
    when = now or utcnow()
    with runtime.sessions.begin() as session:
        locked = _locked(session, candidate_id)
        if locked.published_version is None:
            raise PublishError("Ce CV n'est pas publié.")
        save_state(
            session,
            locked,
            decisions.unpublish(locked.state),
            now=when,
            candidate_values={"published_version": None},
        )
        audit(
            session,
            candidate_id,
            coach_id,
            "unpublished",
            {"version": locked.published_version},
            when,
        )
    return locked.published_version
