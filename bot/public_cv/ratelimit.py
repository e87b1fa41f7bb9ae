"""Rate limits shared by every process (``rate_limit_hits``), keyed by a hash, never a value.

The key of a client address is an HMAC under an application secret: a plain hash of an IPv4
address can be reversed by trying all four billion, an HMAC without the secret cannot. The
secret is ``TREMPLIN_SECRET_KEY`` when set, else one the application makes once and keeps in
``app_secrets`` so that every process agrees. Old hits are deleted as new ones come.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import AppSecret, RateLimitHit

__all__ = ["Limit", "hashed_key", "hit"]

_SECRET_NAME = "rate_limit_key"  # noqa: S105 - the name of a row, not a secret


class Limit:
    """At most ``count`` hits per ``window`` in ``bucket``."""

    __slots__ = ("bucket", "count", "window")

    def __init__(self, bucket: str, count: int, window: timedelta) -> None:
        self.bucket, self.count, self.window = bucket, count, window


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
    """The key under which ``value`` (a client address…) is counted."""
    digest = hmac.new(_secret(session, secret_key), value.encode(), hashlib.sha256)
    return digest.hexdigest()


def hit(session: Session, limit: Limit, key: str, *, now: datetime) -> bool:
    """Count one attempt; False (and nothing counted) when the limit is already reached."""
    since = now - limit.window
    session.execute(
        delete(RateLimitHit).where(
            RateLimitHit.bucket == limit.bucket, RateLimitHit.created_at < since
        )
    )
    recent = session.scalar(
        select(func.count())
        .select_from(RateLimitHit)
        .where(
            RateLimitHit.bucket == limit.bucket,
            RateLimitHit.key == key,
            RateLimitHit.created_at >= since,
        )
    )
    if (recent or 0) >= limit.count:
        return False
    session.add(RateLimitHit(bucket=limit.bucket, key=key, created_at=now))
    session.flush()
    return True
