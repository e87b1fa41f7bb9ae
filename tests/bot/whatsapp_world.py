"""A WhatsApp deployment on a fake Twilio, for tests: the app, the outbox worker with both
Twilio senders, the reminder job and a clock the tests move."""

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.contract import Sender
from bot.channels.sms.twilio import TwilioSender
from bot.channels.whatsapp.twilio import WhatsAppSender
from bot.delivery.worker import OutboxWorker
from bot.jobs.reminders import send_due_reminders
from bot.runtime.root import Runtime
from bot.runtime.settings import Settings
from bot.web.app import create_app
from storage import Candidate, Outbox
from tests.bot.fake_twilio import (
    SMS_SETTINGS,
    WHATSAPP_NUMBER,
    FakeTwilioApi,
    Received,
    TestClient,
    Webhooks,
    sms_runtime,
)
from tests.conversations.golden import FLOW

Sessions = sessionmaker[Session]
PHONE = "+33612345678"
T0 = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)  # 10:30 in Paris: reminders may go
CONTENT = (
    ("buttons_2", "HXbuttons2"),
    ("buttons_3", "HXbuttons3"),
    ("list_4", "HXlist4"),
    ("tremplin_reminder:uk", "HXreminderuk"),
    ("tremplin_reminder_named:uk", "HXremindernameduk"),
    ("tremplin_coach_message:uk", "HXcoachuk"),
    ("tremplin_cv_published:uk", "HXpublisheduk"),
)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    fake: FakeTwilioApi
    runtime: Runtime
    twilio: Webhooks
    clock: Clock
    settings: Settings

    def deliver(self) -> list[Received]:
        """Run the outbox worker until nothing is due; what Twilio accepted meanwhile."""
        before = len(self.fake.sent)
        senders: dict[str, Sender] = {"whatsapp": WhatsAppSender(self.settings)}
        if self.settings.twilio_from:
            senders["sms"] = TwilioSender(self.settings)
        worker = OutboxWorker(
            self.runtime.engine,
            senders,
            clock=self.clock,
            backoff=(timedelta(seconds=1),) * 5,
            courier=self.runtime.courier,
        )
        worker.drain()
        return self.fake.sent[before:]

    def remind(self) -> int:
        return send_due_reminders(
            self.runtime.engine, now=self.clock.now, courier=self.runtime.courier
        )

    def rows(self) -> list[Outbox]:
        with self.runtime.sessions() as session:
            return list(session.scalars(select(Outbox).order_by(Outbox.id)))


def make_world(session_factory: Sessions, fake: FakeTwilioApi, **changes: object) -> World:
    base: dict[str, object] = {
        "twilio_api_base_url": fake.base_url,
        "twilio_whatsapp_from": WHATSAPP_NUMBER,
        "twilio_whatsapp_content_sids": CONTENT,
    }
    settings = replace(SMS_SETTINGS, **{**base, **changes})  # type: ignore[arg-type]
    clock = Clock()
    runtime = sms_runtime(session_factory, settings, clock=clock, flow=FLOW)
    return World(fake, runtime, Webhooks(TestClient(create_app(runtime))), clock, settings)


def whatsapp(world: World, *answers: str, phone: str = PHONE) -> None:
    for answer in answers:
        assert world.twilio.whatsapp(answer, phone=phone).status_code == 200


def sms(world: World, *answers: str, phone: str = PHONE) -> None:
    for answer in answers:
        assert world.twilio.text(answer, phone=phone).status_code == 200


def current_step(world: World) -> str | None:
    with world.runtime.sessions() as session:
        return session.scalar(select(Candidate.current_step))


@pytest.fixture
def fake() -> Iterator[FakeTwilioApi]:
    with FakeTwilioApi().running() as api:
        yield api
