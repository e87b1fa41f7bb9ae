"""Telegram delivery: the outbox worker with the real python-telegram-bot ``Bot`` against a fake
Bot API (429 and 403 included), Telegram's pace, and the rendering of replies."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.telegram.api import Pacer, TelegramSender
from bot.channels.telegram.render import pressed_button, render_telegram, split_text
from bot.channels.text import utf16_length
from bot.delivery.rows import queue_message
from bot.delivery.worker import OutboxWorker
from conversations.outputs import Msg, Raw, Say, Summary, Term, msg
from storage import Candidate, Outbox, new_id, new_slug
from tests.bot.fake_telegram import CHAT_ID, FakeBotApi, telegram_settings

Sessions = sessionmaker[Session]
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


class FakeClock:
    """Monotonic seconds that move only when the pacer sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


# Pace ---------------------------------------------------------------------------------------
def test_one_message_a_second_to_a_chat() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    assert pacer.wait("1") == 0
    assert pacer.wait("2") == 0  # another chat need not wait
    assert pacer.wait("1") == pytest.approx(1.0)
    clock.now += 5
    assert pacer.wait("1") == 0


def test_thirty_messages_a_second_in_all() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    waits = [pacer.wait(str(chat)) for chat in range(31)]
    assert waits[:30] == [0] * 30
    assert waits[30] == pytest.approx(1.0)
    assert sum(clock.slept) == pytest.approx(1.0)


# The sender and the worker ----------------------------------------------------------------------
@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi().running() as fake:
        yield fake


@pytest.fixture
def sender(api: FakeBotApi) -> Iterator[TelegramSender]:
    clock = FakeClock()
    telegram = TelegramSender(
        telegram_settings(api.base_url), pacer=Pacer(clock=clock, sleep=clock.sleep)
    )
    try:
        yield telegram
    finally:
        telegram.close()


def _candidate(sessions: Sessions) -> str:
    with sessions.begin() as session:
        candidate = Candidate(id=new_id(), slug=new_slug())
        session.add(candidate)
    return candidate.id


def _queue(sessions: Sessions, candidate_id: str, body: str = "Bonjour") -> int:
    with sessions.begin() as session:
        outbox_id = queue_message(session, candidate_id, "telegram", str(CHAT_ID), body, now=NOW)
        assert outbox_id is not None
    return outbox_id


def test_a_message_goes_as_plain_text_with_its_keyboard(
    api: FakeBotApi, sender: TelegramSender
) -> None:
    payload = {"reply_markup": {"keyboard": [[{"text": "1. Oui"}, {"text": "2. Non"}]]}}
    sent = sender.send(str(CHAT_ID), "Tu es d'accord ? <b>*", payload=payload)
    assert sent.external_id is not None
    (call,) = api.sent()
    assert call["text"] == "Tu es d'accord ? <b>*"
    assert "parse_mode" not in call
    assert [b["text"] for b in call["reply_markup"]["keyboard"][0]] == ["1. Oui", "2. Non"]
    sender.send(str(CHAT_ID), "Quel est ton prénom ?")
    assert api.sent()[-1]["reply_markup"] == {"remove_keyboard": True}


def test_a_429_is_tried_again_after_telegrams_retry_after(
    api: FakeBotApi, sender: TelegramSender, session_factory: Sessions
) -> None:
    candidate = _candidate(session_factory)
    outbox_id = _queue(session_factory, candidate)
    api.script("sendMessage", api.too_many_requests(42))
    clock = [NOW]
    worker = OutboxWorker(session_factory.kw["bind"], {"telegram": sender}, clock=lambda: clock[0])
    assert worker.run_once() == 1
    with session_factory() as session:
        row = session.get(Outbox, outbox_id)
        assert row is not None
        assert (row.status, row.attempts, row.last_error) == (
            "pending",
            1,
            "telegram 429 flood control",
        )
        due = row.next_attempt_at.replace(tzinfo=UTC)
        assert due == NOW + timedelta(seconds=42)
    clock[0] = NOW + timedelta(seconds=41)
    assert worker.run_once() == 0  # not before Telegram said
    clock[0] = NOW + timedelta(seconds=42)
    assert worker.run_once() == 1
    assert [call["text"] for call in api.sent()] == ["Bonjour"]


def test_a_blocked_bot_opts_the_candidate_out(
    api: FakeBotApi, sender: TelegramSender, session_factory: Sessions
) -> None:
    candidate = _candidate(session_factory)
    first = _queue(session_factory, candidate, "Quel est ton prénom ?")
    api.script("sendMessage", api.blocked())
    worker = OutboxWorker(session_factory.kw["bind"], {"telegram": sender}, clock=lambda: NOW)
    worker.drain()
    with session_factory() as session:
        row = session.get(Outbox, first)
        person = session.get(Candidate, candidate)
        assert row is not None and person is not None
        assert (row.status, row.last_error) == ("failed", "telegram 403 blocked by the user")
        assert person.opted_out
    with session_factory.begin() as session:
        assert (
            queue_message(session, candidate, "telegram", str(CHAT_ID), "Rappel", now=NOW) is None
        )
    assert api.sent() == []


# Rendering --------------------------------------------------------------------------------------
def test_messages_are_split_within_4096_characters_at_lines_then_words() -> None:
    text = "\n".join(f"Ligne {n} " + " ".join(["mot"] * 30) for n in range(200))
    parts = split_text(text)
    assert len(parts) > 1 and all(utf16_length(part) <= 4096 for part in parts)
    assert all(part.startswith("Ligne") for part in parts)  # cut at a line
    assert "\n".join(parts) == text
    words = split_text("mot " * 2000)
    assert all(utf16_length(p) <= 4096 and not p.endswith(" mo") for p in words)
    emoji = split_text("😀" * 3000)  # two UTF-16 units each
    assert [utf16_length(p) for p in emoji] == [4096, 1904]


def test_a_long_reply_is_split_and_the_keyboard_goes_with_the_last_part() -> None:
    story = Raw("Je suis cuisinière. " * 400)
    outputs = [
        Say(msg("back_saved", answer=story)),
        Say(Msg("ask_consent"), step="consent", choices=(Term("yes_no", "yes"),), expects="choice"),
    ]
    messages = render_telegram(outputs, "fr")
    assert len(messages) >= 2
    assert all(utf16_length(m.text) <= 4096 for m in messages)
    assert all(m.payload is None for m in messages[:-1])
    last = messages[-1]
    assert last.step == "consent"
    assert last.payload is not None and "keyboard" in last.payload["reply_markup"]


def test_short_messages_ride_with_the_question_and_the_summary_is_whole() -> None:
    outputs = [
        Say(Msg("photo_saved")),
        Say(Msg("ask_first_name"), step="first_name"),
        Summary((Msg("line_name", (("value", Raw("Amina")),)),), page=0),
    ]
    first, summary = render_telegram(outputs, "fr")
    assert first.text == "Merci, ta photo est enregistrée.\n\nQuel est ton prénom ?"
    assert first.payload == {"reply_markup": {"remove_keyboard": True}}
    assert summary.text == "Ton CV :\nNom : Amina"
    (end,) = render_telegram([Summary((), page=1)], "fr")
    assert end.text == "C'est tout pour ton CV."


def test_a_button_is_read_back_only_from_the_keyboard_that_carried_it() -> None:
    payload = {"reply_markup": {"keyboard": [[{"text": "1. Oui"}, {"text": "2. Non"}]]}}
    assert pressed_button("2. Non", payload) == "2"
    assert pressed_button("2. non", payload) is None
    assert pressed_button("2 ans", payload) is None
    assert pressed_button("1. Oui", {"reply_markup": {"remove_keyboard": True}}) is None
    assert pressed_button("1. Oui", None) is None
