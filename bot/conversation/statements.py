"""The statements every inbound message runs, as plain SQL on the driver's cursor.

Why not SQLAlchemy Core here: profiled under load (py-spy on ``tremplin serve``, cProfile on the
service), building Core's execution context, processing its bind parameters and wrapping its
results cost five to six times what SQLite itself takes to run these statements, and a message
runs eight of them. So the few statements of the hot path are written once as SQL that SQLite
(3.35 and later, for ``RETURNING``) and PostgreSQL both accept, and run on the DBAPI cursor of the
connection — and inside the transaction — that SQLAlchemy opened. Everything rarer (a new
candidate, SEND, STOP, DELETE…) stays in Core, in the same transaction.

What the column types of ``storage.columns`` do is done here explicitly, per database, so that
rows written either way read the same: on SQLite a timestamp is naive UTC text in SQLAlchemy's
``DateTime`` format and a document is JSON text; PostgreSQL takes aware datetimes and ``Jsonb``.
Documents are written and read with orjson, much faster than the standard library.
"""

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

import orjson
from psycopg.types.json import Jsonb
from sqlalchemy import Connection, Dialect
from sqlalchemy.exc import DBAPIError, StatementError

__all__ = ["HotCursor", "HotPath", "Loaded", "Result"]

Params = Mapping[str, Any]

_LOAD = """
SELECT i.candidate_id, k.locale, c.id, c.state, c.version, d.document
FROM channel_identities AS i
JOIN candidates AS k ON k.id = i.candidate_id
JOIN conversations AS c ON c.candidate_id = i.candidate_id
JOIN cv_drafts AS d ON d.candidate_id = i.candidate_id
WHERE i.channel = :channel AND i.address = :address"""
# SQLite's transaction already holds the database's write lock (BEGIN IMMEDIATE); PostgreSQL
# locks the conversation's row, so a second message of the same person waits for this one.
_LOCK = " FOR UPDATE OF c"

# The dedupe: a retried webhook (same provider id) inserts nothing. Rows without an external id
# never collide (NULL is distinct from NULL in a unique constraint).
_INSERT_INBOUND = """
INSERT INTO messages (candidate_id, direction, channel, external_id, body, step, status, created_at)
VALUES (:candidate_id, 'in', :channel, :external_id, :body, :step, 'received', :now)
ON CONFLICT (channel, direction, external_id) DO NOTHING"""

# Optimistic lock: no row changes when the version moved under us.
_SAVE_CONVERSATION = """
UPDATE conversations SET state = :state, version = :version + 1, updated_at = :now
WHERE id = :id AND version = :version"""

_SAVE_DRAFT = """
UPDATE cv_drafts SET document = :document, status = :status, progress = :progress,
  department = :department, first_job = :first_job, updated_at = :now
WHERE candidate_id = :candidate_id"""

# The funnel counts the furthest step ever reached: BACK and EDIT never lower it. Consent and the
# first submission keep their first date. Each message pushes the next reminder back, to the
# first or the second after it (bot/jobs/reminders.py), or to none once both went out.
_SAVE_CANDIDATE = """
UPDATE candidates SET locale = :locale, status = :status, opted_out = :opted_out,
  consent_at = COALESCE(consent_at, :consent_at), last_activity_at = :now,
  current_step = :step,
  furthest_step = CASE WHEN furthest_step < :reached THEN :reached ELSE furthest_step END,
  submitted_at = COALESCE(submitted_at, :submitted_at),
  next_reminder_at = CASE reminders_sent
    WHEN 0 THEN :first_reminder WHEN 1 THEN :second_reminder ELSE NULL END
WHERE id = :candidate_id"""

_INSERT_REPLY = """
INSERT INTO messages (candidate_id, direction, channel, body, step, segments, status, created_at)
VALUES (:candidate_id, 'out', :channel, :body, :step, :segments, 'queued', :now)
RETURNING id"""

# A reply said in the answer to the provider's request (a call's TwiML): logged as sent, with no
# outbox row, since nothing is left to deliver.
_INSERT_SPOKEN = """
INSERT INTO messages (candidate_id, direction, channel, body, step, segments, status, created_at)
VALUES (:candidate_id, 'out', :channel, :body, :step, 0, 'sent', :now)
RETURNING id"""

# A phone call's row (bot/channels/voice): loaded and saved at every turn, in the turn's
# transaction; the heard answers beside it.
_LOAD_CALL = """
SELECT id, turn, state, last_response, recording_consent, wanted_locale
FROM voice_calls WHERE call_sid = :call_sid"""
_INSERT_CALL = """
INSERT INTO voice_calls (id, call_sid, channel, candidate_id, turn, state, last_response, status,
  wanted_locale, recording_consent, created_at, updated_at, ended_at)
VALUES (:id, :call_sid, :channel, :candidate_id, :turn, :state, :last_response, 'in-progress',
  :wanted_locale, :recording_consent, :now, :now, :ended_at)"""
_SAVE_CALL = """
UPDATE voice_calls SET candidate_id = :candidate_id, turn = :turn, state = :state,
  last_response = :last_response, wanted_locale = :wanted_locale,
  recording_consent = :recording_consent, updated_at = :now,
  ended_at = COALESCE(:ended_at, ended_at)
WHERE id = :id"""
_INSERT_VOICE_ANSWER = """
INSERT INTO voice_answers (id, candidate_id, call_sid, step, transcript, confidence, source,
  created_at)
VALUES (:id, :candidate_id, :call_sid, :step, :transcript, :confidence, :source, :now)"""

_INSERT_OUTBOX = """
INSERT INTO outbox (candidate_id, message_id, channel, address, body, payload, status, purpose,
  attempts, next_attempt_at, created_at)
VALUES (:candidate_id, :message_id, :channel, :address, :body, :payload, 'pending', :purpose, 0,
  :now, :now)
RETURNING id"""

# PostgreSQL only: the logged message and its outbox row in one statement (a pipeline cannot
# hand the message's id from one statement to the next).
_INSERT_REPLY_AND_OUTBOX = f"""
WITH message AS ({_INSERT_REPLY})
INSERT INTO outbox (candidate_id, message_id, channel, address, body, payload, status, purpose,
  attempts, next_attempt_at, created_at)
VALUES (:candidate_id, (SELECT id FROM message), :channel, :address, :body, :payload, 'pending',
  :purpose, 0, :now, :now)
RETURNING id"""  # noqa: S608 - built from this module's constants, no input

# A new person: the four rows every candidate has. The columns left out take their server
# defaults (status in progress, not opted out, counters at 0, noindex on), the same values as the
# models' defaults; tests/bot/test_service.py compares a row made here with one the ORM made.
_INSERT_CANDIDATE = """
INSERT INTO candidates (id, slug, created_at, last_activity_at)
VALUES (:candidate_id, :slug, :now, :now)"""

_INSERT_IDENTITY = """
INSERT INTO channel_identities (id, candidate_id, channel, address, created_at)
VALUES (:identity_id, :candidate_id, :channel, :address, :now)"""

_INSERT_CONVERSATION = """
INSERT INTO conversations (id, candidate_id, state, version, updated_at)
VALUES (:conversation_id, :candidate_id, :state, 1, :now)"""

_INSERT_DRAFT = """
INSERT INTO cv_drafts (id, candidate_id, document, updated_at)
VALUES (:draft_id, :candidate_id, :document, :now)"""

_NAMED = re.compile(r"(?<![:\w]):(\w+)")


@dataclass(frozen=True, slots=True)
class Loaded:
    """A candidate's conversation and draft, as the hot path reads them."""

    candidate_id: str
    locale: str
    conversation_id: str
    state: dict[str, Any]
    version: int
    document: dict[str, Any]
    draft: dict[str, Any]
    """The same document, parsed apart: the engine changes it in place (``step_in_place``)
    while ``document`` stays as loaded, to tell whether the draft changed."""


def _sqlite_time(value: datetime) -> str:
    # SQLAlchemy's DateTime format on SQLite (always with microseconds), in UTC.
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", timespec="microseconds")


def _json_text(document: Any) -> str:
    # orjson: a tenth of the stdlib's time, and a state is written on every message.
    return orjson.dumps(document).decode()


def _jsonb(document: Any) -> Jsonb:
    return Jsonb(document, dumps=_json_text)


def _identity(value: Any) -> Any:
    return value


def _json_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_copy(item) for item in value]
    return value


class HotPath:
    """The per-message statements for one database dialect (``sqlite`` or ``postgresql``)."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        if dialect.name == "sqlite":
            # sqlite3 takes ``:name`` parameters as written.
            sql: Callable[[str], str] = _identity
            self.time: Callable[[datetime | None], Any] = _LastTime(_sqlite_time)
            self.document: Callable[[Any], Any] = _json_text
            self.read_document: Callable[[Any], Any] = orjson.loads
            # A second parse of the text is cheaper than a deep copy of the first.
            self.read_draft: Callable[[Any], Any] = orjson.loads
            load = _LOAD
        elif dialect.name == "postgresql":
            # psycopg takes ``%(name)s``; the SQL above has no literal ``%`` to escape.
            sql = partial(_NAMED.sub, r"%(\1)s")
            self.time = _identity
            self.document = _jsonb
            self.read_document = _identity  # psycopg parses jsonb itself
            self.read_draft = _json_copy
            load = _LOAD + _LOCK
        else:
            raise ValueError(f"no hot path for {dialect.name!r}")
        self.load_sql = sql(load)
        self.insert_inbound_sql = sql(_INSERT_INBOUND)
        self.save_conversation_sql = sql(_SAVE_CONVERSATION)
        self.save_draft_sql = sql(_SAVE_DRAFT)
        self.save_candidate_sql = sql(_SAVE_CANDIDATE)
        self.insert_reply_sql = sql(_INSERT_REPLY)
        self.insert_outbox_sql = sql(_INSERT_OUTBOX)
        self.insert_spoken_sql = sql(_INSERT_SPOKEN)
        self.load_call_sql = sql(_LOAD_CALL)
        self.insert_call_sql = sql(_INSERT_CALL)
        self.save_call_sql = sql(_SAVE_CALL)
        self.insert_voice_answer_sql = sql(_INSERT_VOICE_ANSWER)
        self.insert_reply_and_outbox_sql = sql(_INSERT_REPLY_AND_OUTBOX)
        creation = (_INSERT_CANDIDATE, _INSERT_IDENTITY, _INSERT_CONVERSATION, _INSERT_DRAFT)
        self.create_sql = tuple(sql(statement) for statement in creation)

    def on(self, connection: Connection) -> "HotCursor":
        """The statements on ``connection``'s driver cursor, inside its current transaction."""
        return HotCursor(self, connection)


class HotCursor:
    """One transaction's statements, with savepoints and pipelines.

    On PostgreSQL each statement is a round trip to the server, so the statements that need no
    answer before the next one runs go in a pipeline (``pipeline()``): the writes of a message
    cost one round trip instead of five or more. Their results (the optimistic lock's row count,
    the outbox ids) are read when the pipeline has ended, through the ``Result`` each write
    returns. On SQLite, in-process, a pipeline is nothing and results are read at once.

    A driver error is raised as SQLAlchemy's (``IntegrityError``, ``OperationalError``…), as Core
    would have raised it, and a lost connection is invalidated: callers see one kind of error
    whichever way a statement ran.
    """

    def __init__(self, statements: HotPath, connection: Connection) -> None:
        self._sql = statements
        self._connection = connection
        self._driver: Any = connection.connection.driver_connection
        self._cursor: Any = connection.connection.cursor()
        self._postgresql = statements.dialect.name == "postgresql"
        self._pending: list[str] = []
        """Savepoint commands waiting to go with the next statement (PostgreSQL)."""

    @contextmanager
    def driver_errors(self, sql: str, params: Params | None = None) -> Iterator[None]:
        """Raise the driver's errors as SQLAlchemy's, as Core would have."""
        try:
            yield
        except self._sql.dialect.loaded_dbapi.Error as error:
            raise self._translated(error, sql, params) from error

    def _translated(self, error: Any, sql: str, params: Params | None) -> StatementError:
        dialect = self._sql.dialect
        lost = dialect.is_disconnect(error, self._connection.connection, self._cursor)
        if lost:
            self._connection.invalidate(error)
        translated: StatementError = DBAPIError.instance(
            sql,
            params,
            error,
            dialect.loaded_dbapi.Error,
            hide_parameters=True,  # they hold message bodies and phone numbers
            dialect=dialect,
            connection_invalidated=lost,
        )
        return translated

    def execute(self, sql: str, params: Params | None = None) -> Any:
        if self._pending:
            # The savepoint commands waiting go in the same round trip as this statement.
            pending, self._pending = self._pending, []
            with self.pipeline():
                helper = self._driver.cursor()
                for command in pending:
                    helper.execute(command)
                return self.execute(sql, params)
        try:  # not driver_errors(): a context manager costs more than a statement on SQLite
            return self._cursor.execute(sql, params) if params else self._cursor.execute(sql)
        except self._sql.dialect.loaded_dbapi.Error as error:
            raise self._translated(error, sql, params) from error

    @contextmanager
    def pipeline(self) -> Iterator[None]:
        """Send the statements of the block together (PostgreSQL); read their results after it."""
        if not self._postgresql:
            yield
            return
        with self.driver_errors("(pipeline)"), self._driver.pipeline():
            yield

    def _write(self, sql: str, params: Params, read: "Callable[[Any], _T]") -> "Result[_T]":
        """Run a statement whose result is read later: on its own cursor in a pipeline."""
        if not self._postgresql:
            self.execute(sql, params)
            value = read(self._cursor)  # at once: the next statement reuses the cursor
            return lambda: value
        cursor = self._driver.cursor()
        with self.driver_errors(sql, params):
            cursor.execute(sql, params)
        return lambda: read(cursor)

    # Savepoints by hand: Core's begin_nested() costs more than the statements of a message.
    # On PostgreSQL, SAVEPOINT and RELEASE wait for the next statement and go with it, in one
    # round trip: the next message's load. A RELEASE left waiting at the end of a batch is never
    # needed: the commit keeps what the savepoint holds.
    def savepoint(self) -> None:
        self._savepoint_command("SAVEPOINT message")

    def release_savepoint(self) -> None:
        self._savepoint_command("RELEASE SAVEPOINT message")

    def rollback_to_savepoint(self) -> None:
        self.execute("ROLLBACK TO SAVEPOINT message")

    def _savepoint_command(self, command: str) -> None:
        if self._postgresql:
            self._pending.append(command)
        else:
            self.execute(command)

    def load(self, channel: str, address: str) -> Loaded | None:
        self.execute(self._sql.load_sql, {"channel": channel, "address": address})
        with self.driver_errors(self._sql.load_sql):
            row = self._cursor.fetchone()
        if row is None:
            return None
        candidate_id, locale, conversation_id, state, version, document = row
        read = self._sql.read_document
        return Loaded(
            candidate_id,
            locale,
            conversation_id,
            read(state),
            version,
            read(document),
            self._sql.read_draft(document),
        )

    def create(self, values: Params) -> None:
        """Insert a new candidate's rows (ids, ``slug``, ``channel``, ``address``, ``state``,
        ``document``, ``now``); a person already known on that address raises IntegrityError."""
        params = {
            **values,
            "state": self._sql.document(values["state"]),
            "document": self._sql.document(values["document"]),
            "now": self._sql.time(values["now"]),
        }
        with self.pipeline():
            for statement in self._sql.create_sql:
                self._write(statement, params, _nothing)

    def insert_inbound(self, values: Params) -> bool:
        """Log an inbound message; False when its external id was already logged."""
        self.execute(self._sql.insert_inbound_sql, {**values, "now": self._sql.time(values["now"])})
        inserted: bool = self._cursor.rowcount == 1
        return inserted

    def save_conversation(
        self, conversation_id: str, version: int, state: Any, now: datetime
    ) -> "Result[bool]":
        """Write the state if the version is still ``version``; later, False when it moved."""
        params = {
            "id": conversation_id,
            "version": version,
            "state": self._sql.document(state),
            "now": self._sql.time(now),
        }
        return self._write(self._sql.save_conversation_sql, params, _one_row_changed)

    def save_draft(self, values: Params) -> None:
        document, now = self._sql.document(values["document"]), self._sql.time(values["now"])
        params = {**values, "document": document, "now": now}
        self._write(self._sql.save_draft_sql, params, _nothing)

    def save_candidate(self, values: Params) -> None:
        time = self._sql.time
        params = {
            **values,
            "now": time(values["now"]),
            "consent_at": time(values["consent_at"]),
            "submitted_at": time(values["submitted_at"]),
            "first_reminder": time(values["first_reminder"]),
            "second_reminder": time(values["second_reminder"]),
        }
        self._write(self._sql.save_candidate_sql, params, _nothing)

    def queue_reply(self, values: Params) -> "Result[int]":
        """Log an outgoing message (unless ``candidate_id`` is None: erased) and queue its
        delivery; later, its outbox id."""
        payload = values["payload"]
        params = {
            **values,
            "now": self._sql.time(values["now"]),
            "payload": None if payload is None else self._sql.document(payload),
        }
        if values["candidate_id"] is None:
            return self._write(self._sql.insert_outbox_sql, {**params, "message_id": None}, _id)
        if self._postgresql:  # both rows in one statement, so that it can join a pipeline
            return self._write(self._sql.insert_reply_and_outbox_sql, params, _id)
        message_id = self._write(self._sql.insert_reply_sql, params, _id)()
        return self._write(self._sql.insert_outbox_sql, {**params, "message_id": message_id}, _id)

    # A phone call's row ---------------------------------------------------------------------
    def load_call(self, call_sid: str) -> tuple[Any, ...] | None:
        """``(id, turn, state, last_response, recording_consent, wanted_locale)`` or None."""
        self.execute(self._sql.load_call_sql, {"call_sid": call_sid})
        with self.driver_errors(self._sql.load_call_sql):
            row = self._cursor.fetchone()
        if row is None:
            return None
        call_id, turn, state, last_response, consent, wanted = row
        state = self._sql.read_document(state) if state is not None else {}
        consent = None if consent is None else bool(consent)
        return call_id, turn, state, last_response, consent, wanted

    def save_call(self, values: Params, *, new: bool) -> None:
        """Insert (``new``) or update a call's row: ``id``, ``call_sid``, ``channel``,
        ``candidate_id``, ``turn``, ``state``, ``last_response``, ``wanted_locale``,
        ``recording_consent``, ``now``, ``ended_at``."""
        params = {
            **values,
            "state": self._sql.document(values["state"]),
            "now": self._sql.time(values["now"]),
            "ended_at": self._sql.time(values["ended_at"]),
        }
        sql = self._sql.insert_call_sql if new else self._sql.save_call_sql
        if not new:
            params.pop("call_sid", None)
            params.pop("channel", None)
        self._write(sql, params, _nothing)

    def insert_voice_answer(self, values: Params) -> None:
        params = {**values, "now": self._sql.time(values["now"])}
        self._write(self._sql.insert_voice_answer_sql, params, _nothing)

    def log_spoken(self, values: Params) -> "Result[int]":
        """Log a reply the channel delivers in its answer to the request (no outbox row)."""
        params = {**values, "now": self._sql.time(values["now"])}
        return self._write(self._sql.insert_spoken_sql, params, _id)


_T = TypeVar("_T")
Result = Callable[[], _T]
"""A statement's result, read when asked (after the pipeline it ran in)."""


def _one_row_changed(cursor: Any) -> bool:
    changed: bool = cursor.rowcount == 1
    return changed


def _nothing(cursor: Any) -> None:
    del cursor


def _id(cursor: Any) -> int:
    value: int = cursor.fetchone()[0]
    return value


class _LastTime:
    """``convert``, None for None, remembering its last answer: a message passes the same ``now``
    to each of its statements, and formatting a timestamp costs more than the comparison."""

    __slots__ = ("_convert", "_last")

    def __init__(self, convert: Callable[[datetime], Any]) -> None:
        self._convert = convert
        # One tuple, swapped whole, so that a thread never sees a time with another's text.
        self._last: tuple[datetime | None, Any] = (None, None)

    def __call__(self, value: datetime | None) -> Any:
        if value is None:
            return None
        last = self._last
        # Identity, not equality: equal instants in other time zones may not format alike.
        if value is last[0]:
            return last[1]
        text = self._convert(value)
        self._last = (value, text)
        return text
