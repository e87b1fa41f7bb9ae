"""What a channel with a window does in the message's transaction, before the engine.

The person wrote: the window is open again, so what waited for them on this channel (held rows:
a coach's words, the link to their CV) goes now, in its order. When those messages waited behind
a notice ("your coach wrote to you… reply HELLO"), this message is the answer to the notice: it
is not an answer to the question (which the held messages ask), so the engine does not see it,
unless it is a command (STOP, HELP… are always heard).
"""

from datetime import datetime

from sqlalchemy import Connection

from bot.channels.contract import Inbound
from bot.conversation.service import Diverted
from bot.conversation.statements import Loaded
from bot.delivery.courier import WAITING_ANSWER
from bot.delivery.rows import release_held
from conversations.events import TextReceived
from conversations.parsing.commands import parse_command
from conversations.questions import Flow
from conversations.state import State

__all__ = ["WindowIntercept"]

_HELD = "SELECT last_error FROM outbox WHERE channel = {0} AND address = {0} AND status = 'held'"
_HELD_SQLITE = _HELD.format("?")
_HELD_PG = _HELD.format("%s")


class WindowIntercept:
    def __init__(self, flow: Flow) -> None:
        del flow  # the held messages already ask the question

    def __call__(
        self, connection: Connection, inbound: Inbound, row: Loaded, state: State, now: datetime
    ) -> Inbound | Diverted:
        # Every message of the channel asks this: plain SQL on the driver, as the service's own
        # statements (bot/conversation/statements.py), since building and compiling a Core
        # query cost more than the rest of the intercept. The outbox's (channel, address,
        # status) index answers it.
        sql = _HELD_PG if connection.dialect.name == "postgresql" else _HELD_SQLITE
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(sql, (inbound.channel, inbound.address))
        reasons = [found[0] for found in cursor.fetchall()]
        if not reasons:
            return inbound
        release_held(connection, inbound.channel, inbound.address, now=now)
        event = inbound.event
        command = (
            parse_command(event.text, state.locale) if isinstance(event, TextReceived) else None
        )
        if WAITING_ANSWER in reasons and command is None and not state.opted_out:
            return Diverted([], state.locale)
        return inbound
