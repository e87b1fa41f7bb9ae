"""Fixtures for the adapters: a conversation service on a migrated database."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import registry
from bot.channels.contract import Inbound
from bot.conversation.service import ConversationService, Handled
from conversations.events import TextReceived
from conversations.flow import DEFAULT_FLOW
from tests.bot.fake_telegram import FakeBotApi, Telegram, telegram_runtime, telegram_settings


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
    return ConversationService(
        session_factory, DEFAULT_FLOW, clock=clock, renderers=registry.renderers()
    )


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


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    """A fake Telegram Bot API on loopback (a module may override it to add files)."""
    with FakeBotApi().running() as fake:
        yield fake


@pytest.fixture
def telegram(
    api: FakeBotApi, session_factory: sessionmaker[Session], clock: Clock
) -> Iterator[Telegram]:
    """The Telegram channel of a runtime on the test database, talking to the fake Bot API."""
    runtime = telegram_runtime(session_factory, telegram_settings(api.base_url), clock=clock)
    channel = Telegram(api, runtime)
    try:
        yield channel
    finally:
        channel.sender.close()
        runtime.inbox.close()
