"""Rate limits shared by every process: attempts are rows of ``rate_limit_hits``.

A limit counts the attempts of one key (a hash of an e-mail, of a client address, never the
value itself) in a sliding window. Rows older than the window are deleted as new ones come, so
the table stays small. The coach login allows a few failures per e-mail and more per address
(people behind one association's network share it).
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, insert, select

from storage import tables

__all__ = ["LOGIN_BY_ADDRESS", "LOGIN_BY_EMAIL", "Limit", "is_limited", "key_of", "record_hit"]

_hits = tables.rate_limit_hits


@dataclass(frozen=True, slots=True)
class Limit:
    bucket: str
    attempts: int
    window: timedelta


LOGIN_BY_EMAIL = Limit("login_email", 5, timedelta(minutes=15))
LOGIN_BY_ADDRESS = Limit("login_address", 30, timedelta(minutes=15))


def key_of(bucket: str, value: str) -> str:
    """The stored key: a hash, salted by the bucket, of a normalised value."""
    return hashlib.sha256(f"{bucket}\x00{value.strip().lower()}".encode()).hexdigest()


def is_limited(connection: Connection, limit: Limit, value: str, *, now: datetime) -> bool:
    """True when ``value`` has used up its attempts in the current window."""
    since = now - limit.window
    count = connection.execute(
        select(func.count())
        .select_from(_hits)
        .where(
            _hits.c.bucket == limit.bucket,
            _hits.c.key == key_of(limit.bucket, value),
            _hits.c.created_at > since,
        )
    ).scalar_one()
    return int(count) >= limit.attempts


def record_hit(connection: Connection, limit: Limit, value: str, *, now: datetime) -> None:
    """Count one attempt, and forget this bucket's attempts older than the window."""
    connection.execute(
        delete(_hits).where(
            _hits.c.bucket == limit.bucket, _hits.c.created_at <= now - limit.window
        )
    )
    connection.execute(
        insert(_hits).values(bucket=limit.bucket, key=key_of(limit.bucket, value), created_at=now)
    )
