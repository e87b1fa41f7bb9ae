"""Messages outside a conversation turn, and messages a provider sent back: which way they go.

A reminder, a coach's words or the link to a published CV goes to the channel the person last
wrote from (bot/delivery/reach.py), rendered for it. A channel with a *window* (WhatsApp: a
free-form message only within 24 hours of the person's last message) adds one rule, in order:

1. The window is open: the messages go as they are.
2. It is closed and the channel has an approved template for them (a reminder is one; anything
   else gets its purpose's notice, "your coach wrote to you… reply HELLO", and waits, *held*,
   until the person answers): the template goes.
3. No template (none approved yet in that language, or WhatsApp has no template language for it):
   the person's other channel on the same network takes the messages (SMS to the same number),
   when this deployment can send there.
4. Otherwise the messages wait, held, with the reason, until the person writes again; the
   coach's page shows them and why. Never a silent drop.

The same rules take over a message the provider refused after it was queued: outside the window
(WhatsApp 63016) from step 2, not a user of that channel (63003, 63024) from step 3, the
address then marked unusable so the next messages go the other way at once.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from bot.channels.contract import Outgoing, OutsideWindow, Render
from bot.delivery.reach import Reach, reach
from bot.delivery.rows import FAILED, HELD, Purpose, queue_message
from conversations.outputs import Output
from storage import new_id, tables

__all__ = ["WAITING_ANSWER", "ChannelWay", "Courier", "Queued"]

log = logging.getLogger(__name__)

_identities = tables.channel_identities
_messages = tables.messages
_outbox = tables.outbox
_audit = tables.audit_events

WAITING_ANSWER = "waiting_answer"
"""A held row's reason when its notice went: it goes once the person answers the notice."""


@dataclass(frozen=True, slots=True)
class ChannelWay:
    """What the courier knows of one channel in this deployment."""

    render: Render
    delivers: bool
    """Its messages can go here (configured, or a phone of this machine)."""
    network: str | None = None
    window: timedelta | None = None
    outside_window: OutsideWindow | None = None
    inline: bool = False
    """It speaks only in answer to the person (a phone call): anything else goes by another
    channel of its network (an SMS to the number that called), or waits for them."""


@dataclass(frozen=True, slots=True)
class Queued:
    count: int
    """Rows queued to go now (held ones not counted)."""
    channel: str | None = None
    held: int = 0
    reason: str | None = None
    """Why the messages did not go the usual way (a reason code; bot/coach/deliveries.py)."""


class Courier:
    def __init__(self, ways: Mapping[str, ChannelWay]) -> None:
        self.ways = dict(ways)

    # Outside a turn ----------------------------------------------------------------------------
    def queue(
        self,
        connection: Connection,
        candidate_id: str,
        outputs: list[Output],
        locale: str,
        purpose: Purpose,
        *,
        now: datetime,
    ) -> Queued:
        """Queue ``outputs`` for the candidate by the rules of this module."""
        where = reach(connection, candidate_id)
        if where is None or not outputs:
            return Queued(0)
        way = self.ways[where.channel]
        if way.inline:
            return self._by_other_way(
                connection, candidate_id, where, outputs, locale, purpose, now
            )
        if not self._window_closed(connection, candidate_id, where.channel, way, now):
            rows = way.render(outputs, locale)
            return Queued(
                self._put(connection, candidate_id, where, rows, purpose, now), where.channel
            )
        assert way.outside_window is not None
        template, holds, missing = way.outside_window(str(purpose), outputs, locale)
        if template is not None:
            count = self._put(connection, candidate_id, where, [template], purpose, now)
            held = 0
            if holds:
                rows = way.render(outputs, locale)
                held = self._put(
                    connection, candidate_id, where, rows, purpose, now, WAITING_ANSWER
                )
            return Queued(count, where.channel, held, "template")
        reason = f"window_closed:{missing}"
        other = self._other_way(connection, candidate_id, where, now)
        if other is not None:
            rows = self.ways[other.channel].render(outputs, locale)
            count = self._put(connection, candidate_id, other, rows, purpose, now)
            self._audit_fallback(
                connection, candidate_id, where.channel, other.channel, reason, now
            )
            return Queued(count, other.channel, 0, reason)
        rows = way.render(outputs, locale)
        held = self._put(connection, candidate_id, where, rows, purpose, now, reason)
        return Queued(0, where.channel, held, reason)

    def _by_other_way(
        self,
        connection: Connection,
        candidate_id: str,
        where: Reach,
        outputs: list[Output],
        locale: str,
        purpose: Purpose,
        now: datetime,
    ) -> Queued:
        """For someone last heard on a call: an SMS to the same number, else held until then."""
        reason = f"calls_only:{where.channel}"
        other = self._other_way(connection, candidate_id, where, now)
        if other is None:
            rows = self.ways[where.channel].render(outputs, locale)
            held = self._put(connection, candidate_id, where, rows, purpose, now, reason)
            return Queued(0, where.channel, held, reason)
        rows = self.ways[other.channel].render(outputs, locale)
        count = self._put(connection, candidate_id, other, rows, purpose, now)
        self._audit_fallback(connection, candidate_id, where.channel, other.channel, reason, now)
        return Queued(count, other.channel, 0, reason)

    # A provider's refusal ----------------------------------------------------------------------
    def reroute(
        self,
        connection: Connection,
        outbox_id: int,
        *,
        window_closed: bool,
        reason: str,
        locale: str | None,
        now: datetime,
    ) -> str:
        """Take over a row the provider refused (window closed, or no such user); what became of
        it: ``template``, ``fallback:<channel>``, ``held`` or ``failed``."""
        row = connection.execute(select(_outbox).where(_outbox.c.id == outbox_id)).first()
        if row is None or row.candidate_id is None:
            return "failed"
        way = self.ways.get(row.channel)
        here = Reach(row.channel, row.address)
        is_template = bool((row.payload or {}).get("template"))
        if window_closed and way is not None and way.outside_window and not is_template:
            purpose = row.purpose if row.purpose != Purpose.OPT_OUT_CONFIRMATION else "reply"
            template, _, missing = way.outside_window(str(purpose), [], locale or "fr")
            if template is not None:
                self._put(connection, row.candidate_id, here, [template], Purpose(purpose), now)
                self._set(connection, outbox_id, HELD, WAITING_ANSWER, now)
                return "template"
            reason = f"window_closed:{missing}"
        if not window_closed:
            connection.execute(
                update(_identities)
                .where(_identities.c.channel == row.channel, _identities.c.address == row.address)
                .values(unusable_at=now, unusable_reason=reason[:64])
            )
        other = self._other_way(connection, row.candidate_id, here, now)
        if other is not None:
            queue_message(
                connection,
                row.candidate_id,
                other.channel,
                other.address,
                row.body,
                row.purpose,
                now=now,
            )
            self._set(connection, outbox_id, FAILED, f"{reason}; sent by {other.channel}", now)
            self._audit_fallback(
                connection, row.candidate_id, row.channel, other.channel, reason, now
            )
            return f"fallback:{other.channel}"
        if window_closed:
            self._set(connection, outbox_id, HELD, reason, now)
            return "held"
        self._set(connection, outbox_id, FAILED, reason, now)
        return "failed"

    # Helpers -----------------------------------------------------------------------------------
    def _window_closed(
        self,
        connection: Connection,
        candidate_id: str,
        channel: str,
        way: ChannelWay,
        now: datetime,
    ) -> bool:
        if way.window is None or way.outside_window is None:
            return False
        last = connection.execute(
            select(func.max(_messages.c.created_at)).where(
                _messages.c.candidate_id == candidate_id,
                _messages.c.channel == channel,
                _messages.c.direction == "in",
            )
        ).scalar()
        if last is None:
            return True
        if last.tzinfo is None:
            last = last.replace(tzinfo=now.tzinfo)
        return bool(now - last >= way.window)

    def _other_way(
        self, connection: Connection, candidate_id: str, where: Reach, now: datetime
    ) -> Reach | None:
        """Another channel of the same network, to the same address, that can send here and has
        no window of its own; its identity is made if the person never wrote from it."""
        network = self.ways[where.channel].network
        if network is None:
            return None
        for name, way in self.ways.items():
            if name == where.channel or way.network != network or not way.delivers:
                continue
            if way.window is not None:
                continue
            known = connection.execute(
                select(_identities.c.candidate_id, _identities.c.unusable_at).where(
                    _identities.c.channel == name, _identities.c.address == where.address
                )
            ).first()
            if known is None:
                connection.execute(
                    insert(_identities).values(
                        id=new_id(),
                        candidate_id=candidate_id,
                        channel=name,
                        address=where.address,
                        created_at=now,
                    )
                )
            elif known.candidate_id != candidate_id or known.unusable_at is not None:
                continue
            return Reach(name, where.address)
        return None

    @staticmethod
    def _put(
        connection: Connection,
        candidate_id: str,
        where: Reach,
        rows: list[Outgoing],
        purpose: Purpose | str,
        now: datetime,
        held: str | None = None,
    ) -> int:
        queued = 0
        for row in rows:
            outbox_id = queue_message(
                connection,
                candidate_id,
                where.channel,
                where.address,
                row.text,
                purpose,
                now=now,
                payload=row.payload,
                held=held,
            )
            queued += outbox_id is not None
        return queued

    @staticmethod
    def _set(
        connection: Connection, outbox_id: int, status: str, reason: str, now: datetime
    ) -> None:
        values: dict[str, Any] = {
            "status": status,
            "last_error": reason[:500],
            "claimed_until": None,
            "next_attempt_at": now,
        }
        if status == HELD:
            values["external_id"] = None  # sent again once released
        connection.execute(update(_outbox).where(_outbox.c.id == outbox_id).values(values))

    @staticmethod
    def _audit_fallback(
        connection: Connection,
        candidate_id: str,
        channel: str,
        other: str,
        reason: str,
        now: datetime,
    ) -> None:
        connection.execute(
            insert(_audit).values(
                candidate_id=candidate_id,
                action="delivery_fallback",
                detail={"from": channel, "to": other, "reason": reason},
                created_at=now,
            )
        )
        log.info("a message for %s went by %s instead (%s)", channel, other, reason)
