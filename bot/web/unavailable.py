"""A database that is away answers 503, never 500: the providers then deliver the webhook again.

Twilio and Telegram retry a webhook that failed, and the service saves a message and its replies
in one transaction, so while the database is stopped, restarting or unreachable the right answer is
"not now" (503 with ``Retry-After``): nothing was saved, and the message comes back later (its
provider id dedupes it if the commit did happen after all). A 500 would say "bug".

Every route of the app gets this through ``exception_handlers`` (bot/web/app.py): a webhook needs
nothing of its own, it only lets the database error propagate out of its handler. A route that
catches errors itself can call ``unavailable_response()`` for the same answer.
"""

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.conversation.writer_process import WriterUnavailableError
from storage.faults import is_unavailable

__all__ = ["RETRY_AFTER_SECONDS", "database_error_handlers", "unavailable_response"]

log = logging.getLogger(__name__)

#: How long the answer asks a caller to wait; a PostgreSQL restart takes a few seconds.
RETRY_AFTER_SECONDS = 5


def unavailable_response() -> Response:
    return PlainTextResponse(
        "The database is unavailable; try again shortly.",
        503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _database_error(request: Request, error: Exception) -> Response:
    if not is_unavailable(error):
        raise error  # a real bug: the server error middleware answers 500 and logs it
    # The class only: the statement's parameters may hold a message body or a number.
    log.warning("database unavailable on %s: %s", request.url.path, type(error).__name__)
    return unavailable_response()


async def _writer_unavailable(request: Request, error: Exception) -> Response:
    # The writer process died with the message in hand: saved or not, the provider's retry is
    # safe (a committed message is recognised by its provider id), and ``serve`` starts another.
    del error
    log.warning("conversation writer unavailable on %s", request.url.path)
    return unavailable_response()


def database_error_handlers() -> Mapping[Any, Any]:
    """Starlette ``exception_handlers`` mapping the database's absence to 503 (and the writer
    process's, which is the same for a caller: nothing is known to be saved, try again)."""
    return {
        WriterUnavailableError: _writer_unavailable,
        DBAPIError: _database_error,
        DisconnectionError: _database_error,
        PoolTimeoutError: _database_error,
    }
