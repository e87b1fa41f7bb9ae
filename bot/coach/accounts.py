"""Coach accounts: creation, passwords (argon2), invitation codes, the first administrator.

Passwords are hashed with argon2id at OWASP's recommended cost (19 MiB, 2 passes): strong
against offline guessing, and light enough that a burst of logins does not starve a small
server of memory. Hashes made with other parameters still verify. A password
printed by the machine (``tremplin coach add`` without ``--password-stdin``, the first admin of
``tremplin serve``) is a one-time password: ``password_must_change`` makes the first login ask
for a new one.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import AuditEvent, Coach, CoachRole, Invitation, Organisation, utcnow

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "AccountError",
    "NewCoach",
    "create_coach",
    "ensure_first_admin",
    "hash_password",
    "new_invitation",
    "one_time_password",
    "set_password",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 10
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# A hash of nothing anyone knows: checked when the e-mail is unknown, so that a wrong e-mail
# takes as long as a wrong password and the timing tells nobody which e-mails have accounts.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))
# Invitation codes as candidates are shown them (T4821): a letter then digits, easy to read aloud.
_CODE_LETTERS = "TKRMPV"


class AccountError(ValueError):
    """A request about accounts that cannot be honoured; the message says why, for a person."""


@dataclass(frozen=True, slots=True)
class NewCoach:
    id: str
    email: str
    password: str | None
    """The one-time password to give the coach, when the machine chose it."""


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; always does the work of one check."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def one_time_password() -> str:
    """Sixteen characters from a URL-safe alphabet: about 96 bits, easy to copy."""
    return secrets.token_urlsafe(12)


def _check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Le mot de passe doit faire au moins {MIN_PASSWORD_LENGTH} signes.")


def _organisation(session: Session, name: str | None) -> str | None:
    if not name:
        return None
    found = session.scalar(select(Organisation).where(Organisation.name == name))
    if found is None:
        found = Organisation(name=name)
        session.add(found)
        session.flush()
    return found.id


def create_coach(
    session: Session,
    email: str,
    name: str,
    *,
    organisation: str | None = None,
    admin: bool = False,
    password: str | None = None,
) -> NewCoach:
    """A new coach; without ``password`` the machine chooses one that must be changed."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise AccountError(f"Adresse e-mail invalide : {email!r}")
    if not name.strip():
        raise AccountError("Le nom du coach est vide.")
    if session.scalar(select(Coach.id).where(Coach.email == email)) is not None:
        raise AccountError(f"Un coach existe déjà avec l'adresse {email}.")
    chosen = password is None
    secret = one_time_password() if password is None else password
    _check_new_password(secret)
    coach = Coach(
        email=email,
        name=name.strip(),
        organisation_id=_organisation(session, organisation),
        role=(CoachRole.ADMIN if admin else CoachRole.COACH).value,
        password_hash=hash_password(secret),
        password_must_change=chosen,
    )
    session.add(coach)
    session.flush()
    session.add(AuditEvent(coach_id=coach.id, action="coach_created", detail={"admin": admin}))
    return NewCoach(coach.id, email, secret if chosen else None)


def set_password(session: Session, coach: Coach, password: str) -> None:
    _check_new_password(password)
    coach.password_hash = hash_password(password)
    coach.password_must_change = False
    session.add(AuditEvent(coach_id=coach.id, action="password_changed"))


def new_invitation(session: Session, email: str, *, now: datetime | None = None) -> str:
    """A new, unused invitation code for the coach with that e-mail."""
    coach = session.scalar(select(Coach).where(Coach.email == email.strip().lower()))
    if coach is None:
        raise AccountError(f"Aucun coach avec l'adresse {email}. Voir : tremplin coach add")
    taken = set(session.scalars(select(Invitation.code)))
    for _ in range(1000):
        code = secrets.choice(_CODE_LETTERS) + f"{secrets.randbelow(10_000):04d}"
        if code not in taken:
            break
    else:  # pragma: no cover - 60 000 codes; the loop ends long before
        raise AccountError("Plus de code libre : réessayez.")
    session.add(Invitation(code=code, coach_id=coach.id, created_at=now or utcnow()))
    session.add(AuditEvent(coach_id=coach.id, action="invitation_created", detail={"code": code}))
    return code


def ensure_first_admin(session: Session) -> NewCoach | None:
    """On a database without any coach, create an administrator with a one-time password."""
    if session.scalar(select(func.count()).select_from(Coach)):
        return None
    return create_coach(session, "admin@tremplin.local", "Administrateur", admin=True)
