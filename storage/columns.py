"""Column types and Python-side defaults shared by the models.

Why these exist rather than the bare SQLAlchemy types:

* SQLite has no time zone type: ``DateTime(timezone=True)`` round-trips a *naive* value there while
  PostgreSQL returns an aware one. :class:`UtcDateTime` stores UTC on both and always hands back an
  aware UTC datetime, so code above never has to know which database it runs on. A naive datetime
  is refused on the way in: guessing its zone is how off-by-hours bugs get written to disk.
* Documents (conversation state, CV drafts) are JSON everywhere and ``JSONB`` on PostgreSQL, which
  is smaller, faster to read and indexable. ``none_as_null`` makes Python ``None`` a SQL ``NULL``
  rather than the JSON literal ``null``, so ``IS NULL`` means what it says.
* Log-like tables (messages, outbox, audit) may grow past 2**31 rows, hence ``BIGINT`` ids; but
  SQLite only auto-increments a column declared exactly ``INTEGER PRIMARY KEY``, hence the variant.

Migrations spell these types out with plain SQLAlchemy types (they must not depend on code that
evolves); the comparison test in ``tests/storage`` checks that both agree.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = [
    "ID_LENGTH",
    "SLUG_LENGTH",
    "BigIntegerId",
    "JsonDocument",
    "UtcDateTime",
    "new_id",
    "new_slug",
    "utcnow",
]

#: Length of a string UUID such as ``"0b7f3a1e-…"``.
ID_LENGTH = 36
#: Room for the public slug: ``secrets.token_urlsafe(16)`` is 22 characters; the column is a little
#: wider so a longer token later needs no migration.
SLUG_LENGTH = 32


def utcnow() -> datetime:
    """The current time, aware, in UTC (the only zone stored)."""
    return datetime.now(UTC)


def new_id() -> str:
    """A random UUID as a 36-character string, generated in Python so ids exist before flush."""
    return str(uuid.uuid4())


def new_slug() -> str:
    """An unguessable, URL-safe public slug (128 bits of randomness, 22 characters)."""
    return secrets.token_urlsafe(16)


class UtcDateTime(TypeDecorator[datetime]):
    """``TIMESTAMP WITH TIME ZONE`` taking and giving aware UTC datetimes on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware datetime (UTC)")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # SQLite stores text; drop the zone explicitly so the stored text is plain UTC.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _json_document() -> TypeEngine[Any]:
    return JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


#: JSON document column type (``JSONB`` on PostgreSQL).
JsonDocument: TypeEngine[Any] = _json_document()

#: Integer primary key type: ``BIGINT`` (``BIGSERIAL``) on PostgreSQL, ``INTEGER`` on SQLite.
BigIntegerId: TypeEngine[int] = BigInteger().with_variant(Integer(), "sqlite")
