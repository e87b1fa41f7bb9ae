"""The key that signs coach cookies, shared by every process of a deployment.

``TREMPLIN_SECRET_KEY`` when it is set; otherwise a random key made once and kept in the
``app_secrets`` table, so that a cookie signed by one web process is accepted by the others and
survives restarts. Two processes starting together may both try to make it: the first insert
wins and the other reads the winner's key.
"""

import secrets
import threading

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from storage import tables

__all__ = ["COOKIE_KEY_NAME", "signing_key"]

COOKIE_KEY_NAME = "coach_cookie_key"

_secrets = tables.app_secrets
_cache: dict[tuple[str, str], bytes] = {}
_lock = threading.Lock()


def signing_key(engine: Engine, configured: str | None) -> bytes:
    """The configured secret key, or the one stored in the database (made on first use)."""
    if configured:
        return configured.encode()
    cache_key = (str(engine.url), COOKIE_KEY_NAME)
    with _lock:
        if cache_key not in _cache:
            _cache[cache_key] = _stored_key(engine).encode()
        return _cache[cache_key]


def _stored_key(engine: Engine) -> str:
    query = select(_secrets.c.value).where(_secrets.c.name == COOKIE_KEY_NAME)
    with engine.connect() as connection:
        value = connection.execute(query).scalar()
    if value is not None:
        return str(value)
    try:
        with engine.begin() as connection:
            connection.execute(
                insert(_secrets).values(name=COOKIE_KEY_NAME, value=secrets.token_urlsafe(48))
            )
    except IntegrityError:
        pass  # another process made it first: use theirs
    with engine.connect() as connection:
        return str(connection.execute(query).scalar_one())
