"""The conversation service: one inbound message, one database transaction.

DESIGN.md rule 3, in order: find the candidate by (channel, address) and lock their conversation →
record the inbound message, which is also the dedupe (a retried webhook hits the unique
(channel, direction, external id) and gets no second answer) → step → save state, draft, message
log and outbox → commit. Only after the commit does a channel deliver the replies (from the
outbox), so a reply never goes out for an answer that was not saved.

This runs for every message, so it speaks SQL Core on one connection: one SELECT to load, one
INSERT to dedupe, UPDATEs only of what changed, INSERT … RETURNING for the replies. Rare events
(a new candidate, SEND, DELETE, a refusal, an invitation code) take a few more statements.
"""

import logging
import threading
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    bindparam,
    case,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.media import IncomingMedia, keep_media
from bot.outbox_rows import Purpose, cancel_pending
from bot.privacy import erase_candidate
from bot.reminders import NEXT_REMINDER_AT, schedule_params
from bot.sms_render import Outgoing, render_sms
from conversations.draft import progress
from conversations.engine import step
from conversations.events import Event, TextReceived
from conversations.outputs import (
    Declined,
    EraseRequested,
    InviteCodeGiven,
    OptedOut,
    Output,
    Submitted,
)
from conversations.questions import Flow
from conversations.state import State, empty_draft
from storage import new_id, new_slug, tables

__all__ = [
    "ConflictError",
    "ConversationService",
    "Diverted",
    "Handled",
    "Inbound",
    "Intercept",
    "Render",
]

log = logging.getLogger(__name__)

Render = Callable[[list[Output], str | None], list[Outgoing]]

_candidates = tables.candidates
_identities = tables.channel_identities
_conversations = tables.conversations
_drafts = tables.cv_drafts
_versions = tables.cv_versions
_messages = tables.messages
_outbox = tables.outbox
_audit = tables.audit_events
_invitations = tables.invitations


# Statements built once: building a statement per message costs more than running it.
_LOAD = (
    select(
        _identities.c.candidate_id,
        _candidates.c.locale,
        _candidates.c.status,
        _candidates.c.opted_out,
        _candidates.c.consent_at,
        _conversations.c.id.label("conversation_id"),
        _conversations.c.state,
        _conversations.c.version,
        _drafts.c.document,
    )
    .join(_candidates, _candidates.c.id == _identities.c.candidate_id)
    .join(_conversations, _conversations.c.candidate_id == _candidates.c.id)
    .join(_drafts, _drafts.c.candidate_id == _candidates.c.id)
    .where(_identities.c.channel == bindparam("b_channel"))
    .where(_identities.c.address == bindparam("b_address"))
)
# SQLite already holds the database's write lock (BEGIN IMMEDIATE); PostgreSQL locks the row.
_LOAD_LOCKED = _LOAD.with_for_update(of=_conversations)
_INSERT_MESSAGE = insert(_messages).returning(_messages.c.id)
_INSERT_OUTBOX = insert(_outbox).returning(_outbox.c.id)
_DEDUPE_KEY = ["channel", "direction", "external_id"]
_INSERT_INBOUND = {
    "sqlite": sqlite.insert(_messages)
    .on_conflict_do_nothing(index_elements=_DEDUPE_KEY)
    .returning(_messages.c.id),
    "postgresql": postgresql.insert(_messages)
    .on_conflict_do_nothing(index_elements=_DEDUPE_KEY)
    .returning(_messages.c.id),
}
_SAVE_CONVERSATION = (
    update(_conversations)
    .where(_conversations.c.id == bindparam("b_id"))
    .where(_conversations.c.version == bindparam("b_version"))
    .values(
        state=bindparam("b_state", type_=_conversations.c.state.type),
        version=bindparam("b_next_version"),
        updated_at=bindparam("b_now", type_=_conversations.c.updated_at.type),
    )
)
_SAVE_DRAFT = (
    update(_drafts)
    .where(_drafts.c.candidate_id == bindparam("b_candidate"))
    .values(
        document=bindparam("b_document", type_=_drafts.c.document.type),
        status=bindparam("b_status"),
        progress=bindparam("b_progress"),
        department=bindparam("b_department"),
        first_job=bindparam("b_first_job"),
        updated_at=bindparam("b_now", type_=_drafts.c.updated_at.type),
    )
)
_SAVE_CANDIDATE = (
    update(_candidates)
    .where(_candidates.c.id == bindparam("b_candidate"))
    .values(
        locale=bindparam("b_locale"),
        status=bindparam("b_status"),
        opted_out=bindparam("b_opted_out"),
        consent_at=func.coalesce(
            _candidates.c.consent_at, bindparam("b_consent", type_=_candidates.c.consent_at.type)
        ),
        last_activity_at=bindparam("b_now", type_=_candidates.c.last_activity_at.type),
        current_step=bindparam("b_step"),
        # The funnel counts the furthest step ever reached: BACK and EDIT never lower it.
        furthest_step=case(
            (_candidates.c.furthest_step < bindparam("b_reached"), bindparam("b_reached")),
            else_=_candidates.c.furthest_step,
        ),
        submitted_at=func.coalesce(
            _candidates.c.submitted_at,
            bindparam("b_submitted", type_=_candidates.c.submitted_at.type),
        ),
        # Each message of the candidate pushes their next reminder back (bot/reminders.py).
        next_reminder_at=NEXT_REMINDER_AT,
    )
)


class ConflictError(RuntimeError):
    """The conversation changed under us (optimistic lock): the message is to be handled again."""


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a candidate, as a channel adapter hands it over (``to_inbound``)."""

    channel: str
    address: str
    event: Event
    external_id: str | None = None
    locale_hint: str | None = None
    """A language the channel knows reliably (Telegram ``language_code``, ``chat --lang``)."""
    media: IncomingMedia | None = None
    """A file the channel fetched with the message (a photo, a voice note): stored with the
    candidate in the same transaction when the conversation takes it (bot/media.py)."""


@dataclass(frozen=True, slots=True)
class Diverted:
    """A message a channel's intercept answered itself, before the engine (account linking).

    ``candidate_id`` is None when the message's own candidate keeps the conversation (its state,
    as the intercept left it, is saved); otherwise the chat now belongs to that candidate, whose
    conversation the replies continue.
    """

    outputs: list[Output]
    locale: str | None
    candidate_id: str | None = None


Intercept = Callable[[Connection, Inbound, Row[Any], State, datetime], "Inbound | Diverted"]
"""Runs in the message's transaction, after the dedupe and before the engine: returns the message
to go on with (maybe rewritten; ``State`` may be changed in place) or what it answered itself."""


@dataclass(frozen=True, slots=True)
class Handled:
    duplicate: bool
    candidate_id: str | None = None
    step: str | None = None
    outbox_ids: list[int] = field(default_factory=list)
    replies: list[Outgoing] = field(default_factory=list)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ConversationService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        flow: Flow,
        *,
        clock: Callable[[], datetime] = _utcnow,
        renderers: dict[str, Render] | None = None,
        intercepts: dict[str, Intercept] | None = None,
    ) -> None:
        bind = sessions.kw.get("bind")
        if not isinstance(bind, Engine):
            raise TypeError("the session factory must be bound to an Engine")
        self.engine = bind
        # SQLite has one writer at a time: threads of this process queue on a lock here rather
        # than in SQLite's busy handler, whose sleeps make the slowest answers very slow.
        self._writer = threading.Lock() if bind.dialect.name == "sqlite" else nullcontext()
        self.flow = flow
        # Where each step stands in the flow, for the funnel; a submission is past every question.
        self._reached = {question.id: index for index, question in enumerate(flow.questions)}
        self._reached["submitted"] = len(flow.questions)
        self.clock = clock
        self.renderers = renderers or {}
        self.intercepts = intercepts or {}

    def handle(self, inbound: Inbound) -> Handled:
        for attempt in range(3):
            try:
                with self._writer, self.engine.begin() as connection:
                    return self._handle(connection, inbound)
            except IntegrityError:
                # Two deliveries of one webhook raced past each other: the other one won.
                if inbound.external_id is None:
                    raise
                return Handled(duplicate=True)
            except ConflictError:
                log.warning("conversation changed concurrently; handling again (%d)", attempt + 1)
        raise ConflictError("conversation kept changing while handling a message")

    def handle_many(self, inbounds: list[Inbound]) -> list[Handled | Exception]:
        """Several messages in one transaction: one commit (one fsync) for all of them.

        Each message runs in its own savepoint, in order, so one that fails is rolled back alone
        and later messages of the same candidate see the earlier ones. Nothing is answered before
        the shared commit, so no reply goes out for an answer that was not saved.
        """
        results: list[Handled | Exception] = []
        with self._writer, self.engine.begin() as connection:
            for inbound in inbounds:
                savepoint = connection.begin_nested()
                try:
                    results.append(self._handle(connection, inbound))
                    savepoint.commit()
                except IntegrityError:
                    savepoint.rollback()
                    results.append(Handled(duplicate=True))
                except Exception as error:
                    savepoint.rollback()
                    log.exception("handling one message of a batch failed")
                    results.append(error)
        return results

    # One message -------------------------------------------------------------------------------
    def _handle(self, connection: Connection, inbound: Inbound) -> Handled:
        now = self.clock()
        row = self._load(connection, inbound) or self._create(connection, inbound, now)
        state = State.from_parts(row.state, row.document)
        if not self._record_inbound(connection, inbound, row.candidate_id, state.step, now):
            log.info("duplicate inbound on %s ignored", inbound.channel)
            return Handled(duplicate=True)
        intercept = self.intercepts.get(inbound.channel)
        if intercept is not None:
            taken = intercept(connection, inbound, row, state, now)
            if isinstance(taken, Diverted):
                return self._divert(connection, inbound, row, state, taken, now)
            inbound = taken

        new_state, outputs = step(self.flow, state, inbound.event, now=now)
        # After DELETE the state is new and has no language: say goodbye in the person's own.
        locale = new_state.locale or state.locale
        replies = self.renderers.get(inbound.channel, render_sms)(outputs, locale)
        candidate_id: str | None = row.candidate_id
        purpose = Purpose.REPLY
        if any(isinstance(output, OptedOut) for output in outputs):
            # After STOP only its confirmation goes out: what was still waiting is cancelled.
            cancel_pending(connection, row.candidate_id)
            purpose = Purpose.OPT_OUT_CONFIRMATION
        if any(isinstance(output, EraseRequested) for output in outputs):
            self._erase(connection, row.candidate_id, now)
            candidate_id = None
        else:
            self._apply_effects(connection, row, outputs, new_state, now)
            if inbound.media is not None:
                keep_media(connection, row.candidate_id, inbound.media, new_state, now)
            self._save(connection, row, new_state, now)
        outbox_ids = self._queue(connection, candidate_id, inbound, replies, now, purpose)
        log.debug("handled inbound: %s -> %s, %d replies", state.step, new_state.step, len(replies))
        return Handled(False, candidate_id, new_state.step, outbox_ids, replies)

    def _divert(
        self,
        connection: Connection,
        inbound: Inbound,
        row: Row[Any],
        state: State,
        taken: Diverted,
        now: datetime,
    ) -> Handled:
        candidate_id = taken.candidate_id
        if candidate_id is None:
            candidate_id = row.candidate_id
            self._save(connection, row, state, now)
        replies = self.renderers.get(inbound.channel, render_sms)(taken.outputs, taken.locale)
        ids = self._queue(connection, candidate_id, inbound, replies, now, Purpose.REPLY)
        return Handled(False, candidate_id, state.step, ids, replies)

    def _load(self, connection: Connection, inbound: Inbound) -> Row[Any] | None:
        """The candidate's conversation and draft, locked for this transaction."""
        query = _LOAD_LOCKED if connection.dialect.name == "postgresql" else _LOAD
        params = {"b_channel": inbound.channel, "b_address": inbound.address}
        row: Row[Any] | None = connection.execute(query, params).first()  # type: ignore[assignment]
        return row

    def _create(self, connection: Connection, inbound: Inbound, now: datetime) -> Row[Any]:
        candidate_id = new_id()
        locale = inbound.locale_hint if inbound.locale_hint in self.flow.locales else None
        connection.execute(
            insert(_candidates).values(
                id=candidate_id, slug=new_slug(), created_at=now, last_activity_at=now
            )
        )
        connection.execute(
            insert(_identities).values(
                id=new_id(),
                candidate_id=candidate_id,
                channel=inbound.channel,
                address=inbound.address,
                created_at=now,
            )
        )
        connection.execute(
            insert(_conversations).values(
                id=new_id(),
                candidate_id=candidate_id,
                state=State(locale=locale).conversation_json(),
                version=1,
                updated_at=now,
            )
        )
        connection.execute(
            insert(_drafts).values(
                id=new_id(), candidate_id=candidate_id, document=empty_draft(), updated_at=now
            )
        )
        loaded = self._load(connection, inbound)
        assert loaded is not None  # just inserted in this transaction
        return loaded

    @staticmethod
    def _record_inbound(
        connection: Connection, inbound: Inbound, candidate_id: str, step_id: str, now: datetime
    ) -> bool:
        """Log the inbound message; False when this external id was already handled."""
        event = inbound.event
        # As received, less NUL characters: PostgreSQL text cannot hold them, and they mean nothing.
        body = event.text.replace("\x00", "") if isinstance(event, TextReceived) else None
        values = {
            "candidate_id": candidate_id,
            "direction": "in",
            "channel": inbound.channel,
            "external_id": inbound.external_id,
            "body": body,
            "step": step_id,
            "status": "received",
            "created_at": now,
        }
        if inbound.external_id is None:
            connection.execute(_INSERT_MESSAGE, values)
            return True
        statement = _INSERT_INBOUND[connection.dialect.name]
        return connection.execute(statement, values).first() is not None

    def _save(self, connection: Connection, row: Row[Any], state: State, now: datetime) -> None:
        saved = connection.execute(
            _SAVE_CONVERSATION,
            {
                "b_id": row.conversation_id,
                "b_version": row.version,
                "b_next_version": row.version + 1,
                "b_state": state.conversation_json(),
                "b_now": now,
            },
        )
        if saved.rowcount != 1:
            raise ConflictError(row.conversation_id)
        if state.draft != row.document:
            locations = state.cv["locations"]
            jobs = state.cv["target_jobs"]
            connection.execute(
                _SAVE_DRAFT,
                {
                    "b_candidate": row.candidate_id,
                    "b_document": state.draft,
                    "b_status": state.status,
                    "b_progress": progress(state),
                    "b_department": locations[0].get("department") if locations else None,
                    "b_first_job": (jobs[0].get("code") or jobs[0]["text"])[:200] if jobs else None,
                    "b_now": now,
                },
            )
        consent = datetime.fromisoformat(state.consent_at) if state.consent_at else None
        connection.execute(
            _SAVE_CANDIDATE,
            {
                "b_candidate": row.candidate_id,
                "b_locale": state.locale or row.locale,
                "b_status": state.status,
                "b_opted_out": state.opted_out,
                "b_consent": consent,
                "b_now": now,
                "b_step": state.step,
                "b_reached": self._reached.get(state.step, -1),
                "b_submitted": now if state.status == "submitted" else None,
                **schedule_params(now),
            },
        )

    # Rare effects -----------------------------------------------------------------------------
    def _apply_effects(
        self,
        connection: Connection,
        row: Row[Any],
        outputs: list[Output],
        state: State,
        now: datetime,
    ) -> None:
        candidate_id: str = row.candidate_id
        for output in outputs:
            if isinstance(output, InviteCodeGiven):
                self._link_invitation(connection, candidate_id, output.code)
            elif isinstance(output, Submitted):
                number = connection.execute(
                    select(func.max(_versions.c.number)).where(
                        _versions.c.candidate_id == candidate_id
                    )
                ).scalar()
                connection.execute(
                    insert(_versions).values(
                        id=new_id(),
                        candidate_id=candidate_id,
                        number=(number or 0) + 1,
                        kind="submitted",
                        document=state.draft,
                        created_at=now,
                    )
                )
                self._audit(connection, candidate_id, "submitted", now)
            elif isinstance(output, Declined):
                # Keep nothing about the person beyond what honouring the refusal needs.
                connection.execute(
                    update(_messages)
                    .where(_messages.c.candidate_id == candidate_id)
                    .values(body=None)
                )
                self._audit(connection, candidate_id, "consent_declined", now)

    @staticmethod
    def _link_invitation(connection: Connection, candidate_id: str, code: str) -> None:
        values: dict[str, Any] = {"invite_code": code}
        coach_id = connection.execute(
            select(_invitations.c.coach_id).where(_invitations.c.code == code)
        ).scalar()
        if coach_id is not None:
            values["coach_id"] = coach_id
            connection.execute(
                update(_invitations)
                .where(_invitations.c.code == code)
                .values(uses=_invitations.c.uses + 1)
            )
        connection.execute(
            update(_candidates).where(_candidates.c.id == candidate_id).values(values)
        )

    def _erase(self, connection: Connection, candidate_id: str, now: datetime) -> None:
        """DELETE confirmed: every row about the person goes; an anonymous event keeps counts."""
        erase_candidate(connection, candidate_id, now=now, actor="candidate")

    @staticmethod
    def _audit(
        connection: Connection, candidate_id: str | None, action: str, now: datetime
    ) -> None:
        connection.execute(
            insert(_audit).values(candidate_id=candidate_id, action=action, created_at=now)
        )

    @staticmethod
    def _queue(
        connection: Connection,
        candidate_id: str | None,
        inbound: Inbound,
        replies: list[Outgoing],
        now: datetime,
        purpose: Purpose,
    ) -> list[int]:
        """Log each reply and put it in the outbox, in the same transaction as the answer."""
        ids = []
        for reply in replies:
            message_id = None
            if candidate_id is not None:
                message_id = connection.execute(
                    _INSERT_MESSAGE,
                    {
                        "candidate_id": candidate_id,
                        "direction": "out",
                        "channel": inbound.channel,
                        "external_id": None,
                        "body": reply.text,
                        "step": reply.step,
                        "segments": reply.sms.segments,
                        "status": "queued",
                        "created_at": now,
                    },
                ).scalar_one()
            outbox_id = connection.execute(
                _INSERT_OUTBOX,
                {
                    "candidate_id": candidate_id,
                    "message_id": message_id,
                    "channel": inbound.channel,
                    "address": inbound.address,
                    "body": reply.text,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                    "last_error": None,
                    "sent_at": None,
                    "purpose": purpose.value,
                    "external_id": None,
                    "payload": reply.payload,
                },
            ).scalar_one()
            ids.append(outbox_id)
        return ids
