"""What the Telegram channel does in the message's transaction, before the engine.

- ``/start CODE``: at the very start the engine reads the code (a coach's invitation); later on,
  ``/start`` means "where was I?" and becomes START (which asks the current question again).
- A keyboard button pressed: its text ("2. Non") becomes the number it stands for, looked up on
  the keyboard last sent to this chat, so a label is never mistaken for another answer.
- LINK and the steps after it (bot/channels/linking.py).
"""

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection, select

from bot.channels.contract import Inbound
from bot.channels.linking import AccountLinker
from bot.channels.telegram.render import pressed_button
from bot.channels.telegram.updates import CHANNEL, TELEGRAM_CAPABILITIES
from bot.conversation.service import Diverted
from bot.conversation.statements import Loaded
from conversations.events import TextReceived
from conversations.questions import Flow
from conversations.state import State
from storage import tables

__all__ = ["TelegramIntercept"]

_outbox = tables.outbox


class TelegramIntercept:
    def __init__(self, flow: Flow) -> None:
        self.linker = AccountLinker(flow, CHANNEL, TELEGRAM_CAPABILITIES)

    def __call__(
        self, connection: Connection, inbound: Inbound, row: Loaded, state: State, now: datetime
    ) -> Inbound | Diverted:
        event = inbound.event
        if isinstance(event, TextReceived):
            text = self._meant(connection, inbound.address, event.text, state)
            if text != event.text:
                inbound = replace(inbound, event=TextReceived(text, TELEGRAM_CAPABILITIES))
        diverted = self.linker(connection, inbound, row, state, now)
        return inbound if diverted is None else diverted

    @staticmethod
    def _meant(connection: Connection, address: str, text: str, state: State) -> str:
        if text == "/start" or text.startswith("/start "):
            payload = text[len("/start") :].strip()
            return payload if state.step == "start" else "start"
        if not text[:1].isdigit():
            return text  # a button's text starts with its number: nothing to look up
        keyboard = connection.execute(
            select(_outbox.c.payload)
            .where(_outbox.c.channel == CHANNEL, _outbox.c.address == address)
            .order_by(_outbox.c.id.desc())
            .limit(1)
        ).scalar()
        return pressed_button(text, keyboard) or text
