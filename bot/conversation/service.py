"""The conversation service: one inbound message, one database transaction.

In order (docs/architecture.md, the path of one message): find the candidate by (channel, address)
and lock their conversation →
record the inbound message, which is also the dedupe (a retried webhook hits the unique
(channel, direction, external id) and gets no second answer) → step → save state, draft, message
log and outbox → commit. Only after the commit does a channel deliver the replies (from the
outbox), so a reply never goes out for an answer that was not saved.

This runs for every message, so its statements are plain SQL on the driver's cursor
(``bot.conversation.statements``): one SELECT to load, one INSERT to dedupe, UPDATEs of the
conversation, the draft when it changed and the candidate, two INSERTs per reply. Rare events (a
new candidate, SEND, DELETE, a refusal, an invitation code) take a few more statements, in SQL
Core, in the same transaction.
"""

import dataclasses
import logging
import threading
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.contract import Inbound, Outgoing, Render
from bot.conversation.invitations import codes_for
from bot.conversation.media import keep_media
from bot.conversation.statements import HotCursor, HotPath, Loaded, Result
from bot.delivery.rows import Purpose, cancel_pending
from bot.jobs.reminders import schedule_params
from bot.privacy.records import erase_candidate, forget_recordings
from conversations.draft import progress
from conversations.engine import step_in_place
from conversations.events import Event, TextReceived
from conversations.outputs import (
    Declined,
    EraseRequested,
    InviteCodeGiven,
    OptedOut,
    Output,
    Submitted,
)
from conversations.parsing.codes import code_answer, code_in_text
from conversations.questions import Flow
from conversations.state import State, empty_draft
from storage import new_id, new_slug, tables
from storage.faults import is_lock_conflict, is_unavailable

__all__ = [
    "ChannelTurn",
    "ConflictError",
    "ConversationService",
    "Diverted",
    "Handled",
    "Intercept",
    "TurnHandler",
]

log = logging.getLogger(__name__)

_candidates = tables.candidates
_versions = tables.cv_versions
_messages = tables.messages
_audit = tables.audit_events
_invitations = tables.invitations
_media = tables.media
_reviews = tables.reviews
_identities = tables.channel_identities

# Tries of a message (or a batch) that raced another process: the second one always finds the
# other's commit, so three is plenty.
_ATTEMPTS = 3


class ConflictError(RuntimeError):
    """The conversation changed under us (optimistic lock): the message is to be handled again."""


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


Intercept = Callable[[Connection, Inbound, Loaded, State, datetime], "Inbound | Diverted"]
"""Runs in the message's transaction, after the dedupe and before the engine: returns the message
to go on with (maybe rewritten; ``State`` may be changed in place) or what it answered itself."""


@dataclass(frozen=True, slots=True)
class Handled:
    duplicate: bool
    candidate_id: str | None = None
    step: str | None = None
    outbox_ids: list[int] = field(default_factory=list)
    replies: list[Outgoing] = field(default_factory=list)
    answer: str | None = None
    """What a channel that answers the provider's request itself answers (a call's TwiML)."""

    def without_replies(self) -> "Handled":
        return Handled(
            self.duplicate, self.candidate_id, self.step, self.outbox_ids, [], self.answer
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled for every message between the web and the writer process: a tuple, not the
        # field-by-field state of a slotted dataclass, which costs several times more.
        fields = (self.duplicate, self.candidate_id, self.step, self.outbox_ids, self.replies)
        return (Handled, (*fields, self.answer))


@dataclass(frozen=True, slots=True)
class ChannelTurn:
    """One request of a channel that answers it itself (a phone call), in its transaction,
    after the dedupe: the handler decides, runs the engine at most once (``run``), writes its
    own rows with ``hot`` and returns the ``Handled`` with its ``answer``."""

    hot: HotCursor
    inbound: Inbound
    candidate_id: str
    state: State
    """As loaded: read it before ``run``, which changes it."""
    now: datetime
    run: Callable[[Event], Handled]
    """The engine on an event, with everything a message does (effects, saving, the log)."""


class TurnHandler(Protocol):
    def turn(self, turn: ChannelTurn) -> Handled: ...

    def replay(self, hot: HotCursor, inbound: Inbound) -> Handled:
        """A retried request already handled: the same answer, nothing done."""
        ...


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ConversationService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        flow: Flow,
        *,
        clock: Callable[[], datetime] = _utcnow,
        renderers: Mapping[str, Render],
        intercepts: dict[str, Intercept] | None = None,
        networks: Mapping[str, str] | None = None,
        inline: frozenset[str] = frozenset(),
        turns: Mapping[str, TurnHandler] | None = None,
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
        self.renderers = renderers
        self.intercepts = intercepts or {}
        # Channels of one network are one person per address (SMS and WhatsApp: a phone number).
        self.networks = dict(networks or {})
        # Channels whose replies are the answer to the provider's request (a call's TwiML):
        # logged with the answer, never queued for a sender.
        self.inline = inline
        # Channels that answer each request themselves, in its transaction (a phone call).
        self.turns = dict(turns or {})
        self._sql = HotPath(bind.dialect)

    def handle(self, inbound: Inbound) -> Handled:
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                with self._writer, self.engine.begin() as connection:
                    return self._handle(connection, self._sql.on(connection), inbound)
            except IntegrityError:
                # The first messages of a new person reached two processes at once and the other
                # created them first. Never call it a duplicate here: handled again, the message
                # finds the person, and the inbound dedupe tells a retried webhook from a new one.
                if attempt == _ATTEMPTS:
                    raise
                log.info("candidate created concurrently; handling again (%d)", attempt)
            except ConflictError:
                if attempt == _ATTEMPTS:
                    raise
                log.warning("conversation changed concurrently; handling again (%d)", attempt)
            except OperationalError as error:
                if not is_lock_conflict(error) or attempt == _ATTEMPTS:
                    raise
                log.warning("deadlock; handling the message again (%d)", attempt)
        raise AssertionError("unreachable")  # the last attempt returns or raises

    def handle_many(self, inbounds: list[Inbound]) -> list[Handled | Exception]:
        """Several messages in one transaction: one commit (one fsync) for all of them.

        Each message runs in its own savepoint, in order, so one that fails is rolled back alone
        and later messages of the same candidate see the earlier ones. Nothing is answered before
        the shared commit, so no reply goes out for an answer that was not saved. When PostgreSQL
        aborts the batch to break a deadlock with another process's batch, the whole batch runs
        again: nothing of it was saved and nobody was answered.
        """
        for attempt in range(_ATTEMPTS):
            try:
                with self._writer, self.engine.begin() as connection:
                    hot = self._sql.on(connection)
                    return [self._in_savepoint(connection, hot, inbound) for inbound in inbounds]
            except OperationalError as error:
                if not is_lock_conflict(error) or attempt == _ATTEMPTS - 1:
                    raise
                log.warning("deadlock between batches; handling the batch again (%d)", attempt + 1)
        raise AssertionError("unreachable")  # the last attempt returns or raises

    def _in_savepoint(
        self, connection: Connection, hot: HotCursor, inbound: Inbound
    ) -> Handled | Exception:
        """One message of a batch in its own savepoint; a failure of its own is its result."""
        for attempt in range(_ATTEMPTS):
            hot.savepoint()
            try:
                handled = self._handle(connection, hot, inbound)
            except IntegrityError as error:
                # As in ``handle``: another process created this person first. The savepoint
                # waited for its commit, so handling the message again finds them.
                hot.rollback_to_savepoint()
                hot.release_savepoint()
                if attempt == _ATTEMPTS - 1:
                    return error
                continue
            except Exception as error:
                if is_lock_conflict(error) or is_unavailable(error):
                    raise  # the batch as a whole must go again, or wait for the database
                hot.rollback_to_savepoint()
                hot.release_savepoint()
                log.exception("handling one message of a batch failed")
                return error
            hot.release_savepoint()
            return handled
        raise AssertionError("unreachable")

    # One message -------------------------------------------------------------------------------
    def _handle(self, connection: Connection, hot: HotCursor, inbound: Inbound) -> Handled:
        now = self.clock()
        row = hot.load(inbound.channel, inbound.address)
        if row is None:
            row = self._join_network(connection, hot, inbound, now) or self._create(
                hot, inbound, now
            )
        # The state owns the second parse of the draft: the engine changes it in place, and
        # ``row.document`` stays as loaded, for ``_save`` to tell whether the draft changed.
        state = State.from_parts(row.state, row.draft)
        handler = self.turns.get(inbound.channel)
        if not self._record_inbound(hot, inbound, row.candidate_id, state.step, now):
            log.info("duplicate inbound on %s ignored", inbound.channel)
            if handler is not None:
                return handler.replay(hot, inbound)
            return Handled(duplicate=True)
        if handler is not None:
            ran: list[Event] = []

            def run(event: Event) -> Handled:
                if ran:
                    raise RuntimeError("the engine runs once a request")
                ran.append(event)
                message = dataclasses.replace(inbound, event=event)
                return self._step(connection, hot, message, row, state, now)

            return handler.turn(ChannelTurn(hot, inbound, row.candidate_id, state, now, run))
        intercept = self.intercepts.get(inbound.channel)
        if intercept is not None:
            taken = intercept(connection, inbound, row, state, now)
            if isinstance(taken, Diverted):
                return self._divert(hot, inbound, row, state, taken, now)
            inbound = taken
        return self._step(connection, hot, inbound, row, state, now)

    def _step(
        self,
        connection: Connection,
        hot: HotCursor,
        inbound: Inbound,
        row: Loaded,
        state: State,
        now: datetime,
    ) -> Handled:
        """The engine on the message's event, its effects, the saved state and the replies."""
        # Read before the engine takes the state over (step_in_place changes it in place).
        old_step, old_locale = state.step, state.locale
        event = self._with_invitations(connection, inbound.event, state, now)
        new_state, outputs = step_in_place(self.flow, state, event, now=now)
        # After DELETE the state is new and has no language: say goodbye in the person's own.
        locale = new_state.locale or old_locale
        replies = self.renderers[inbound.channel](outputs, locale)
        candidate_id: str | None = row.candidate_id
        purpose = Purpose.REPLY
        if any(isinstance(output, OptedOut) for output in outputs):
            # After STOP only its confirmation goes out: what was still waiting is cancelled.
            cancel_pending(connection, row.candidate_id)
            purpose = Purpose.OPT_OUT_CONFIRMATION
        erase = any(isinstance(output, EraseRequested) for output in outputs)
        if erase:
            self._erase(connection, row.candidate_id, now)
            candidate_id = None
        else:
            self._apply_effects(connection, row, outputs, new_state, now)
            if inbound.media is not None:
                keep_media(connection, row.candidate_id, inbound.media, new_state, now)
        # The writes need no answer from one another: on PostgreSQL they go in one round trip.
        with hot.pipeline():
            saved = None if erase else self._save(hot, row, new_state, now)
            queued = self._queue(hot, candidate_id, inbound, replies, now, purpose)
        if saved is not None and not saved():
            raise ConflictError(row.conversation_id)
        outbox_ids = [] if inbound.channel in self.inline else [read() for read in queued]
        log.debug("handled inbound: %s -> %s, %d replies", old_step, new_state.step, len(replies))
        return Handled(False, candidate_id, new_state.step, outbox_ids, replies)

    @staticmethod
    def _with_invitations(
        connection: Connection, event: Event, state: State, now: datetime
    ) -> Event:
        """The event, with the coaches' codes it may name when the conversation waits for one
        (the first message, the code question): the engine then tells a mistyped code."""
        if not isinstance(event, TextReceived) or state.step not in ("start", "invite_code"):
            return event
        # The code as the engine will read it: inside a first message, or the whole answer.
        read = code_in_text if state.step == "start" else code_answer
        typed = read(event.text)
        if typed is None:
            return event
        known = codes_for(connection, typed, now=now)
        return dataclasses.replace(event, invitations=tuple(sorted(known.items())))

    def _divert(
        self,
        hot: HotCursor,
        inbound: Inbound,
        row: Loaded,
        state: State,
        taken: Diverted,
        now: datetime,
    ) -> Handled:
        candidate_id = taken.candidate_id
        replies = self.renderers[inbound.channel](taken.outputs, taken.locale)
        with hot.pipeline():
            saved = None
            if candidate_id is None:
                candidate_id = row.candidate_id
                saved = self._save(hot, row, state, now)
            queued = self._queue(hot, candidate_id, inbound, replies, now, Purpose.REPLY)
        if saved is not None and not saved():
            raise ConflictError(row.conversation_id)
        outbox_ids = [] if inbound.channel in self.inline else [read() for read in queued]
        return Handled(False, candidate_id, state.step, outbox_ids, replies)

    def _join_network(
        self, connection: Connection, hot: HotCursor, inbound: Inbound, now: datetime
    ) -> Loaded | None:
        """A first message from an address the person already uses on another channel of the
        same network (WhatsApp after SMS, say): the new channel joins their candidate, whose
        draft goes on where it stands. None when the address is new to the network."""
        network = self.networks.get(inbound.channel)
        if network is None:
            return None
        siblings = [name for name, other in self.networks.items() if other == network]
        candidate_id = connection.execute(
            select(_identities.c.candidate_id)
            .where(_identities.c.channel.in_(siblings), _identities.c.address == inbound.address)
            .order_by(_identities.c.created_at)
            .limit(1)
        ).scalar()
        if candidate_id is None:
            return None
        connection.execute(
            insert(_identities).values(
                id=new_id(),
                candidate_id=candidate_id,
                channel=inbound.channel,
                address=inbound.address,
                created_at=now,
            )
        )
        log.info("a %s address joined its candidate on the %s network", inbound.channel, network)
        return hot.load(inbound.channel, inbound.address)

    def _create(self, hot: HotCursor, inbound: Inbound, now: datetime) -> Loaded:
        locale = inbound.locale_hint if inbound.locale_hint in self.flow.locales else None
        hot.create(
            {
                "candidate_id": new_id(),
                "identity_id": new_id(),
                "conversation_id": new_id(),
                "draft_id": new_id(),
                "slug": new_slug(),
                "channel": inbound.channel,
                "address": inbound.address,
                "state": State(locale=locale).conversation_json(),
                "document": empty_draft(),
                "now": now,
            }
        )
        loaded = hot.load(inbound.channel, inbound.address)
        assert loaded is not None  # just inserted in this transaction
        return loaded

    @staticmethod
    def _record_inbound(
        hot: HotCursor, inbound: Inbound, candidate_id: str, step_id: str, now: datetime
    ) -> bool:
        """Log the inbound message; False when this external id was already handled."""
        event = inbound.event
        # As received, less NUL characters: PostgreSQL text cannot hold them, and they mean nothing.
        body = event.text.replace("\x00", "") if isinstance(event, TextReceived) else None
        return hot.insert_inbound(
            {
                "candidate_id": candidate_id,
                "channel": inbound.channel,
                "external_id": inbound.external_id,
                "body": body,
                "step": step_id,
                "now": now,
            },
        )

    def _save(self, hot: HotCursor, row: Loaded, state: State, now: datetime) -> Result[bool]:
        """Write the state, the draft if it changed, and the candidate's columns; the result
        tells, once read, whether the conversation was still at the version loaded."""
        conversation = state.conversation_json()
        saved = hot.save_conversation(row.conversation_id, row.version, conversation, now)
        if state.draft != row.document:
            locations = state.cv["locations"]
            jobs = state.cv["target_jobs"]
            hot.save_draft(
                {
                    "candidate_id": row.candidate_id,
                    "document": state.draft,
                    "status": state.status,
                    "progress": progress(state),
                    "department": locations[0].get("department") if locations else None,
                    "first_job": (jobs[0].get("code") or jobs[0]["text"])[:200] if jobs else None,
                    "now": now,
                },
            )
        hot.save_candidate(
            {
                "candidate_id": row.candidate_id,
                "locale": state.locale or row.locale,
                "status": state.status,
                "opted_out": state.opted_out,
                "consent_at": datetime.fromisoformat(state.consent_at)
                if state.consent_at
                else None,
                "now": now,
                "step": state.step,
                "reached": self._reached.get(state.step, -1),
                "submitted_at": now if state.status == "submitted" else None,
                # Each message pushes the next reminder back (bot/jobs/reminders.py).
                **{name.removeprefix("b_"): when for name, when in schedule_params(now).items()},
            },
        )
        return saved

    # Rare effects -----------------------------------------------------------------------------
    def _apply_effects(
        self,
        connection: Connection,
        row: Loaded,
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
                self._forget_before_refusal(connection, candidate_id, now)
                self._audit(connection, candidate_id, "consent_declined", now)

    @staticmethod
    def _forget_before_refusal(connection: Connection, candidate_id: str, now: datetime) -> None:
        """Keep nothing about the person beyond what honouring the refusal needs: the texts
        they sent, a photo, any version of the draft and the coach's link go; the engine's new
        state (saved with the message) empties the draft and clears the consent, so the
        reminder job never writes to them."""
        connection.execute(
            update(_messages).where(_messages.c.candidate_id == candidate_id).values(body=None)
        )
        for table in (_media, _versions, _reviews, tables.voice_answers):
            connection.execute(delete(table).where(table.c.candidate_id == candidate_id))
        # The call goes on to its goodbye: its row stays, without the words it held, and a
        # recording made with the person's agreement is deleted at Twilio too.
        forget_recordings(connection, candidate_id, now=now)
        connection.execute(
            update(tables.voice_calls)
            .where(tables.voice_calls.c.candidate_id == candidate_id)
            .values(state={}, last_response=None, recording_sid=None)
        )
        connection.execute(
            update(_candidates)
            .where(_candidates.c.id == candidate_id)
            .values(invite_code=None, coach_id=None, consent_at=None)
        )

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

    def _queue(
        self,
        hot: HotCursor,
        candidate_id: str | None,
        inbound: Inbound,
        replies: list[Outgoing],
        now: datetime,
        purpose: Purpose,
    ) -> list[Result[int]]:
        """Log each reply and put it in the outbox, in the same transaction as the answer; the
        outbox ids, once read. After an erasure (no candidate) nothing is logged about the person.
        A reply of an inline channel is only logged: the channel says it in its answer.
        """
        if inbound.channel in self.inline:
            if candidate_id is None:
                return []
            return [
                hot.log_spoken(
                    {
                        "candidate_id": candidate_id,
                        "channel": inbound.channel,
                        "body": reply.text,
                        "step": reply.step,
                        "now": now,
                    }
                )
                for reply in replies
            ]
        return [
            hot.queue_reply(
                {
                    "candidate_id": candidate_id,
                    "channel": inbound.channel,
                    "address": inbound.address,
                    "body": reply.text,
                    "step": reply.step,
                    "segments": reply.sms.segments,
                    "purpose": purpose.value,
                    "now": now,
                    "payload": reply.payload,
                }
            )
            for reply in replies
        ]
