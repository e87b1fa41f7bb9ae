"""Coach sessions: a random token in a signed cookie, its hash in ``coach_sessions``, and CSRF.

* The cookie holds ``token.signature``: the signature (HMAC-SHA256 with the shared key of
  ``keys.signing_key``) lets a forged cookie be refused without a database read; the token's hash
  in ``coach_sessions`` makes a session real, so logout (deleting the row) ends it everywhere,
  and a leaked database opens no session.
* The cookie is HttpOnly, SameSite=Lax, and Secure when the public URL is https.
* Every form carries a CSRF token: the session's own (``coach_sessions.csrf_token``) once logged
  in; before that, the login form's token is a signed random value also set as a cookie (the
  double-submit pattern), so no other site can post a login in a coach's browser.
"""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage import Coach, CoachRole
from storage.models import CoachSession

__all__ = [
    "LOGIN_COOKIE",
    "SESSION_COOKIE",
    "SESSION_LIFETIME",
    "Authenticated",
    "csrf_matches",
    "end_session",
    "load_session",
    "new_login_token",
    "sign",
    "start_session",
    "unsign",
]

SESSION_COOKIE = "tremplin_coach"
LOGIN_COOKIE = "tremplin_login"
SESSION_LIFETIME = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class Authenticated:
    """The coach behind a request, as the views need them."""

    coach_id: str
    name: str
    email: str
    role: str
    organisation_id: str | None
    csrf: str
    must_change_password: bool

    @property
    def is_admin(self) -> bool:
        return self.role == CoachRole.ADMIN.value


def _mac(key: bytes, value: str) -> str:
    digest = hmac.new(key, value.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(key: bytes, value: str) -> str:
    return f"{value}.{_mac(key, value)}"


def unsign(key: bytes, signed: str | None) -> str | None:
    """The value of a signed string, or None when it was not signed with ``key``."""
    if not signed or "." not in signed:
        return None
    value, signature = signed.rsplit(".", 1)
    return value if hmac.compare_digest(signature, _mac(key, value)) else None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, coach: Coach, *, now: datetime) -> str:
    """A new session for ``coach``; returns the token to put (signed) in the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(
        CoachSession(
            token_hash=_token_hash(token),
            coach_id=coach.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    # Sessions past their end are of no use to anyone: forget them as new ones start.
    session.execute(delete(CoachSession).where(CoachSession.expires_at <= now))
    coach.last_login_at = now
    return token


def load_session(session: Session, token: str, *, now: datetime) -> Authenticated | None:
    found = session.execute(
        select(CoachSession, Coach)
        .join(Coach, Coach.id == CoachSession.coach_id)
        .where(CoachSession.token_hash == _token_hash(token))
    ).first()
    if found is None:
        return None
    row, coach = found
    if row.expires_at <= now:
        return None
    return Authenticated(
        coach_id=coach.id,
        name=coach.name,
        email=coach.email,
        role=coach.role,
        organisation_id=coach.organisation_id,
        csrf=row.csrf_token,
        must_change_password=coach.password_must_change,
    )


def end_session(session: Session, token: str) -> None:
    session.execute(delete(CoachSession).where(CoachSession.token_hash == _token_hash(token)))


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


def csrf_matches(expected: str | None, given: object) -> bool:
    """Constant-time comparison of a form's CSRF token with the expected one."""
    if not expected or not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
