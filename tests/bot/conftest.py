"""Fixtures for the adapters: a conversation service on a migrated database."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.service import ConversationService, Handled, Inbound
from conversations.events import TextReceived
from conversations.flow import DEFAULT_FLOW


class Clock:
    """A clock the test moves: one minute per message unless told otherwise."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(session_factory: sessionmaker[Session], clock: Clock) -> ConversationService:
    return ConversationService(session_factory, DEFAULT_FLOW, clock=clock)


Send = Callable[..., Handled]


@pytest.fixture
def send(service: ConversationService) -> Send:
    """Send one SMS-like text from a phone number through the real service."""
    counter = iter(range(1_000_000))

    def _send(text: str, phone: str = "+33612345678", external_id: str | None = None) -> Handled:
        return service.handle(
            Inbound(
                channel="sms",
                address=phone,
                event=TextReceived(text),
                external_id=external_id or f"SM{next(counter):032d}",
            )
        )

    return _send
