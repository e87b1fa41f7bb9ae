"""One draft across channels: LINK joins a new chat to the CV a candidate started by SMS.

The engine stays pure, so this runs in the service's transaction before it (an ``Intercept`` of
the channels that can share a contact: Telegram). The steps, kept in the conversation's
``pending`` as ``{"kind": "link", "stage": …}``:

1. LINK (or its word in any language): ask for the phone number used by SMS, with the
   contact-sharing button.
2. The number (shared or typed): if a candidate has that SMS identity, a one-time code is queued
   to it by SMS, in that candidate's language; the chat is told "if this number has a CV, a code
   is coming" either way, so nobody learns from it whether a number uses Tremplin.
3. The code, typed in the chat: right, and the chat's identity now points to the SMS candidate,
   whose conversation goes on at its current question; a fresh chat-only candidate with an empty
   draft is removed (its message log goes with the identity). Wrong, and it may be tried again.

Codes are 6 digits, stored only as a salted SHA-256 (``link_codes.code_hash``), valid 10 minutes
and 5 tries; a new LINK makes earlier codes for the chat void. Any other command leaves the
linking and is run as usual; STOP always wins.
"""

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, exists, func, insert, select, update

from bot.channels.contract import Inbound
from bot.channels.sms.render import render_sms
from bot.conversation.service import Diverted
from bot.conversation.statements import Loaded
from bot.delivery.rows import Purpose, queue_message
from conversations.events import Capabilities, ContactShared, TextReceived
from conversations.outputs import Msg, Output, Say, msg
from conversations.parsing.commands import parse_command
from conversations.parsing.normalize import clean_answer, fold_digits
from conversations.parsing.phones import to_e164
from conversations.questions import Flow
from conversations.state import State, empty_draft
from conversations.turn import Turn
from storage import new_id, tables

__all__ = ["CODE_LIFETIME", "MAX_TRIES", "SMS_CHANNEL", "AccountLinker"]

log = logging.getLogger(__name__)

CODE_LIFETIME = timedelta(minutes=10)
MAX_TRIES = 5
SMS_CHANNEL = "sms"
PHONE_CHANNELS = (SMS_CHANNEL, "whatsapp")
"""Where a CV started from a phone number lives: the code always goes by SMS to that number,
which every phone receives (a CV started on WhatsApp is found by its number too)."""
_CODE_DIGITS = 6

_codes = tables.link_codes
_identities = tables.channel_identities
_candidates = tables.candidates
_conversations = tables.conversations
_drafts = tables.cv_drafts
_versions = tables.cv_versions
_messages = tables.messages
_media = tables.media
_audit = tables.audit_events


def _hash(code_id: str, code: str) -> str:
    return hashlib.sha256(f"{code_id}:{code}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class AccountLinker:
    """The LINK steps for one channel (``channel``, whose events carry ``caps``)."""

    flow: Flow
    channel: str
    caps: Capabilities

    def __call__(
        self, connection: Connection, inbound: Inbound, row: Loaded, state: State, now: datetime
    ) -> Diverted | None:
        """What LINK answers to this message, or None to let the engine have it."""
        if state.opted_out:
            return None  # after STOP only START is heard, and the engine hears it
        event = inbound.event
        text = clean_answer(event.text) if isinstance(event, TextReceived) else ""
        command = parse_command(text) if text else None
        if command == "LINK":
            self._void_codes(connection, inbound.address, now)
            state.pending = {"kind": "link", "stage": "phone"}
            return Diverted(self._ask_phone(), state.locale)
        pending = state.pending or {}
        if pending.get("kind") != "link":
            return None
        if command is not None:
            state.pending = None  # another command leaves the linking; the engine runs it
            return None
        if pending.get("stage") == "phone":
            phone = event.phone if isinstance(event, ContactShared) else text
            return self._phone_given(connection, inbound, row, state, to_e164(phone), now)
        return self._code_given(connection, inbound, row, state, text, now)

    # Steps ------------------------------------------------------------------------------------
    @staticmethod
    def _ask_phone() -> list[Output]:
        return [Say(Msg("link_ask_phone"), step="link_phone", expects="contact")]

    def _phone_given(
        self,
        connection: Connection,
        inbound: Inbound,
        row: Loaded,
        state: State,
        phone: str | None,
        now: datetime,
    ) -> Diverted:
        if phone is None:
            unclear = Say(msg("not_understood", example=Msg("example_phone")))
            return Diverted([unclear, *self._ask_phone()], state.locale)
        target = connection.execute(
            select(_identities.c.candidate_id, _candidates.c.locale)
            .join(_candidates, _candidates.c.id == _identities.c.candidate_id)
            .where(_identities.c.channel.in_(PHONE_CHANNELS), _identities.c.address == phone)
            .order_by(_identities.c.created_at)
            .limit(1)
        ).first()
        if target is not None and target.candidate_id != row.candidate_id:
            self._send_code(connection, inbound.address, target, phone, now)
        state.pending = {"kind": "link", "stage": "code"}
        return Diverted([Say(Msg("link_code_sent"), step="link_code")], state.locale)

    def _send_code(
        self, connection: Connection, address: str, target: Any, phone: str, now: datetime
    ) -> None:
        code = f"{secrets.randbelow(10**_CODE_DIGITS):0{_CODE_DIGITS}d}"
        code_id = new_id()
        connection.execute(
            insert(_codes).values(
                id=code_id,
                candidate_id=target.candidate_id,
                channel=self.channel,
                address=address,
                code_hash=_hash(code_id, code),
                tries=0,
                expires_at=now + CODE_LIFETIME,
                created_at=now,
            )
        )
        sms = render_sms([Say(msg("link_code_sms", code=code))], target.locale)
        queue_message(
            connection,
            target.candidate_id,
            SMS_CHANNEL,
            phone,
            sms[0].text,
            Purpose.REPLY,
            now=now,
        )
        log.info("link code queued by SMS for a %s chat", self.channel)

    def _code_given(
        self,
        connection: Connection,
        inbound: Inbound,
        row: Loaded,
        state: State,
        text: str,
        now: datetime,
    ) -> Diverted:
        code = "".join(char for char in fold_digits(text) if char.isdigit())
        found = connection.execute(
            select(_codes)
            .where(
                _codes.c.channel == self.channel,
                _codes.c.address == inbound.address,
                _codes.c.used_at.is_(None),
            )
            .order_by(_codes.c.created_at.desc())
            .limit(1)
        ).first()
        if found is None or _aware(found.expires_at, now) <= now:
            return self._give_up(state, "link_code_expired", now)
        if hmac.compare_digest(found.code_hash, _hash(found.id, code)):
            connection.execute(update(_codes).where(_codes.c.id == found.id).values(used_at=now))
            return self._link(connection, inbound, row, found.candidate_id, now)
        tries = found.tries + 1
        spent = tries >= MAX_TRIES
        connection.execute(
            update(_codes)
            .where(_codes.c.id == found.id)
            .values(tries=tries, used_at=now if spent else None)
        )
        if spent:
            return self._give_up(state, "link_code_expired", now)
        return Diverted([Say(Msg("link_code_bad"), step="link_code")], state.locale)

    def _give_up(self, state: State, message: str, now: datetime) -> Diverted:
        """The linking ends without a link: say why, and ask the chat's own question again."""
        state.pending = None
        return Diverted([Say(Msg(message)), *self._question(state, now)], state.locale)

    def _question(self, state: State, now: datetime) -> list[Output]:
        turn = Turn(self.flow, state.copy(), now, self.caps)
        turn.ask()  # nothing at the very start: the next message begins the conversation
        return turn.outputs

    def _link(
        self, connection: Connection, inbound: Inbound, row: Loaded, target_id: str, now: datetime
    ) -> Diverted:
        fresh_id: str = row.candidate_id
        connection.execute(
            update(_identities)
            .where(_identities.c.channel == self.channel, _identities.c.address == inbound.address)
            .values(candidate_id=target_id)
        )
        if fresh_id != target_id:
            # The chat's log goes with it (this message's row too: it is the dedupe of a retry).
            connection.execute(
                update(_messages)
                .where(_messages.c.candidate_id == fresh_id)
                .values(candidate_id=target_id)
            )
            if _is_empty(connection, fresh_id):
                connection.execute(delete(_candidates).where(_candidates.c.id == fresh_id))
        connection.execute(
            insert(_audit).values(
                candidate_id=target_id,
                action="channel_linked",
                detail={"channel": self.channel},
                created_at=now,
            )
        )
        target = connection.execute(
            select(_conversations.c.state, _drafts.c.document, _candidates.c.locale)
            .join(_drafts, _drafts.c.candidate_id == _conversations.c.candidate_id)
            .join(_candidates, _candidates.c.id == _conversations.c.candidate_id)
            .where(_conversations.c.candidate_id == target_id)
        ).one()
        resumed = State.from_parts(target.state, target.document)
        outputs: list[Output] = [Say(Msg("link_done")), *self._question(resumed, now)]
        return Diverted(outputs, resumed.locale or target.locale, candidate_id=target_id)

    def _void_codes(self, connection: Connection, address: str, now: datetime) -> None:
        connection.execute(
            update(_codes)
            .where(
                _codes.c.channel == self.channel,
                _codes.c.address == address,
                _codes.c.used_at.is_(None),
            )
            .values(used_at=now)
        )


def _aware(moment: datetime, now: datetime) -> datetime:
    """SQLite gives back naive UTC times; compare like with like."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=now.tzinfo)


def _is_empty(connection: Connection, candidate_id: str) -> bool:
    """A candidate with nothing of their own: an empty draft, no version, no media, no coach,
    and no other way to reach them than the chat being linked."""
    document = connection.execute(
        select(_drafts.c.document).where(_drafts.c.candidate_id == candidate_id)
    ).scalar()
    if document not in (None, empty_draft()):
        return False
    owned = connection.execute(
        select(
            exists().where(_versions.c.candidate_id == candidate_id)
            | exists().where(_media.c.candidate_id == candidate_id)
            | exists().where(_identities.c.candidate_id == candidate_id)
        )
    ).scalar()
    coach = connection.execute(
        select(func.coalesce(_candidates.c.coach_id, _candidates.c.invite_code)).where(
            _candidates.c.id == candidate_id
        )
    ).scalar()
    return not owned and coach is None
