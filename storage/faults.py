"""What a database error means for the caller: try the transaction again, or come back later.

Two kinds of failure are not bugs and must never lose a message:

* a **lock conflict** (PostgreSQL deadlock ``40P01`` or serialization failure ``40001``): two
  transactions wanted the same rows in opposite orders and the server aborted one of them. Nothing
  of it was saved; running the same transaction again succeeds.
* the database being **unavailable** (stopped, restarting, unreachable, out of connections, SQLite
  locked for longer than its busy timeout): nothing can be saved now. A web request answers 503 so
  that the provider retries later (bot/web/unavailable.py); a worker waits and tries again.
"""

from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

__all__ = ["LOCK_CONFLICT_CODES", "is_lock_conflict", "is_unavailable"]

#: SQLSTATEs after which the whole transaction may simply run again.
LOCK_CONFLICT_CODES = frozenset({"40P01", "40001"})


def is_lock_conflict(error: BaseException) -> bool:
    """The server aborted this transaction to break a deadlock (or a serialization conflict)."""
    if not isinstance(error, DBAPIError):
        return False
    return getattr(error.orig, "sqlstate", None) in LOCK_CONFLICT_CODES


def is_unavailable(error: BaseException) -> bool:
    """The database cannot take this transaction now (down, unreachable, busy): retry later."""
    if isinstance(error, PoolTimeoutError | DisconnectionError):
        return True
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)
    return False
