"""Rate limits shared by every process: each attempt is a row of ``rate_limit_hits``.

A limit counts the attempts of one key in a sliding window; rows older than the window are
deleted as new ones come, so the table stays small. The key is never the value itself (an
e-mail, a client address) but an HMAC of it under an application secret: a plain hash of an
IPv4 address can be reversed by trying all four billion, an HMAC without the secret cannot. The
secret is ``TREMPLIN_SECRET_KEY`` when set, else one the application makes once and keeps in
``app_secrets`` so that every process agrees.

Used by the coach login (a few failures per e-mail, more per address: an association's people
share one network) and the public CV's contact form (per sender, per CV).
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import AppSecret, RateLimitHit

__all__ = ["Limit", "hashed_key", "hit", "is_limited", "record_hit"]

_SECRET_NAME = "rate_limit_key"  # noqa: S105 - the name of a row, not a secret


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``count`` hits per ``window`` in ``bucket``."""

    bucket: str
    count: int
    window: timedelta


def _secret(session: Session, configured: str | None) -> bytes:
    if configured:
        return hashlib.sha256(b"rate-limit:" + configured.encode()).digest()
    stored = session.get(AppSecret, _SECRET_NAME)
    if stored is None:
        try:
            with session.begin_nested():
                stored = AppSecret(name=_SECRET_NAME, value=secrets.token_hex(32))
                session.add(stored)
        except IntegrityError:  # another process made it first: use theirs
            stored = session.get(AppSecret, _SECRET_NAME)
            assert stored is not None
    return stored.value.encode()


def hashed_key(session: Session, value: str, *, secret_key: str | None) -> str:
    """The key under which ``value`` (an e-mail, a client address…) is counted."""
    normalised = value.strip().lower()
    digest = hmac.new(_secret(session, secret_key), normalised.encode(), hashlib.sha256)
    return digest.hexdigest()


def _recent(session: Session, limit: Limit, key: str, *, now: datetime) -> int:
    found = session.scalar(
        select(func.count())
        .select_from(RateLimitHit)
        .where(
            RateLimitHit.bucket == limit.bucket,
            RateLimitHit.key == key,
            RateLimitHit.created_at > now - limit.window,
        )
    )
    return int(found or 0)


def is_limited(session: Session, limit: Limit, key: str, *, now: datetime) -> bool:
    """True when ``key`` has used up its attempts in the current window."""
    return _recent(session, limit, key, now=now) >= limit.count


def record_hit(session: Session, limit: Limit, key: str, *, now: datetime) -> None:
    """Count one attempt, and forget this bucket's attempts older than the window."""
    session.execute(
        delete(RateLimitHit).where(
            RateLimitHit.bucket == limit.bucket, RateLimitHit.created_at <= now - limit.window
        )
    )
    session.add(RateLimitHit(bucket=limit.bucket, key=key, created_at=now))
    session.flush()


def hit(session: Session, limit: Limit, key: str, *, now: datetime) -> bool:
    """Count one attempt; False (and nothing counted) when the limit is already reached."""
    if is_limited(session, limit, key, now=now):
        return False
    record_hit(session, limit, key, now=now)
    return True
