"""``tremplin serve``'s conversation writer in a process of its own
(bot/conversation/writer_process.py).

The child runs the same group commit as the in-process inbox; what these tests add is what a
second process brings: answers only after the child's commit, in order; a child that dies fails
the requests it held as "try again" (503) and the next message starts another; Ctrl-C, which a
terminal sends to the whole process group, does not stop the child; closing stops it; errors
cross the socket with their class, so a database that is away stays a 503.
"""

import asyncio
import os
import pickle
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.contract import Inbound, Outgoing
from bot.conversation.service import Handled
from bot.conversation.writer_process import WriterProcess, WriterUnavailableError, _transportable
from bot.runtime.root import Runtime, open_runtime, open_service
from bot.runtime.settings import Settings
from bot.web.app import create_app
from bot.web.unavailable import RETRY_AFTER_SECONDS
from conversations.events import TextReceived
from storage import Conversation, make_engine, make_session_factory
from tests.bot.fake_twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    FROM_NUMBER,
    PUBLIC_URL,
    TestClient,
    Webhooks,
    sms_runtime,
)
from tests.bot.same_cv import sms_and_console_cvs
from tests.conversations.golden import GOLDEN_DIR, parse
from tests.servers import tremplin_serve

HAPPY_PATH = parse(GOLDEN_DIR / "fr_happy_path.chat").inputs


def _text(phone: str, text: str, sid: str) -> Inbound:
    return Inbound("sms", phone, TextReceived(text), external_id=sid)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A migrated SQLite database, as ``serve`` leaves it before it starts the writer."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'writer.db'}")
    open_runtime(settings).close()
    return settings


@pytest.fixture
def writer(settings: Settings) -> Iterator[WriterProcess]:
    writer = WriterProcess(settings, open_service)
    writer.start()
    try:
        yield writer
    finally:
        writer.close()


def _steps(settings: Settings) -> list[str]:
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            return sorted(c.state["step"] for c in session.scalars(select(Conversation)))
    finally:
        engine.dispose()


def test_each_caller_is_answered_after_the_childs_commit_in_order(
    writer: WriterProcess, settings: Settings
) -> None:
    phones = [f"+3363998{n:04d}" for n in range(12)]

    async def conversation(phone: str) -> list[Handled]:
        first = writer.handle(_text(phone, "Bonjour", f"SM{phone}a"))
        # Sent before the first is answered: the child keeps each phone's order.
        second = writer.handle(_text(phone, "1", f"SM{phone}b"))
        retried = writer.handle(_text(phone, "1", f"SM{phone}b"))
        return list(await asyncio.gather(first, second, retried))

    async def everyone() -> list[list[Handled]]:
        return await asyncio.gather(*(conversation(phone) for phone in phones))

    for first, second, retried in asyncio.run(everyone()):
        assert (first.step, second.step) == ("language", "consent")
        assert first.outbox_ids and second.outbox_ids
        assert retried.duplicate and not retried.outbox_ids
    # Answered means committed: another connection reads every conversation at consent.
    assert _steps(settings) == ["consent"] * len(phones)


def test_a_dead_writer_fails_what_it_held_and_the_next_message_starts_another(
    writer: WriterProcess, settings: Settings
) -> None:
    phone = "+33639980001"

    async def scenario() -> tuple[Handled, BaseException | Handled, Handled]:
        before = await writer.handle(_text(phone, "Bonjour", "SM1"))
        pid = writer.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        try:
            lost: BaseException | Handled = await writer.handle(_text(phone, "1", "SM2"))
        except WriterUnavailableError as error:
            lost = error
        retried = await writer.handle(_text(phone, "1", "SM2"))  # the provider's retry
        assert writer.pid not in (None, pid)
        return before, lost, retried

    before, lost, retried = asyncio.run(scenario())
    assert before.step == "language"
    assert isinstance(lost, WriterUnavailableError)
    assert retried.step == "consent" and not retried.duplicate
    assert _steps(settings) == ["consent"]


def test_ctrl_c_in_the_terminal_does_not_stop_the_writer(writer: WriterProcess) -> None:
    async def scenario() -> Handled:
        await writer.handle(_text("+33639980002", "Bonjour", "SM1"))
        pid = writer.pid
        assert pid is not None
        os.kill(pid, signal.SIGINT)  # what the terminal sends the whole group on Ctrl-C
        await asyncio.sleep(0.2)
        assert writer.pid == pid
        return await writer.handle(_text("+33639980002", "1", "SM2"))

    assert asyncio.run(scenario()).step == "consent"


def test_closing_lets_the_writer_finish_and_stop(settings: Settings) -> None:
    writer = WriterProcess(settings, open_service)
    writer.start()
    pid = writer.pid

    async def one() -> Handled:
        return await writer.handle(_text("+33639980003", "Bonjour", "SM1"))

    assert asyncio.run(one()).step == "language"
    writer.close()
    assert pid is not None and writer.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone, and reaped
    assert _steps(settings) == ["language"]


def test_errors_cross_with_their_class_so_an_absent_database_stays_a_503() -> None:
    away = OperationalError(
        "SELECT 1", {}, Exception("connection refused"), connection_invalidated=True
    )
    crossed = pickle.loads(pickle.dumps(_transportable(away)))
    assert isinstance(crossed, OperationalError) and crossed.connection_invalidated

    class UnpicklableError(Exception):
        def __reduce__(self) -> str | tuple[object, ...]:
            raise TypeError("no")

    plain = _transportable(UnpicklableError("x"))
    assert type(plain) is RuntimeError and "UnpicklableError" in str(plain)
    reply = Outgoing("Tu es d'accord ?", "consent")
    handled = Handled(False, "c", "consent", [1], [reply], answer="<Response/>")
    crossed_handled = pickle.loads(pickle.dumps(_transportable(handled)))
    # The web needs the ids and the answer, not the rendered replies.
    assert crossed_handled.replies == []
    assert crossed_handled == Handled(False, "c", "consent", [1], [], answer="<Response/>")


class _DeadInbox:
    async def handle(self, inbound: Inbound) -> Handled:
        raise WriterUnavailableError("the conversation writer stopped before answering")

    def close(self) -> None:
        pass


def test_a_webhook_whose_writer_died_answers_503_so_that_twilio_retries(
    session_factory: sessionmaker[Session],
) -> None:
    base = sms_runtime(session_factory)
    runtime = Runtime(base.settings, base.engine, session_factory, base.service, _DeadInbox())
    answer = Webhooks(TestClient(create_app(runtime), raise_server_exceptions=False)).text("Hi")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == str(RETRY_AFTER_SECONDS)


def _writer_of(port: int) -> int:
    """The pid of the writer child of the ``serve`` listening on ``port``."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in command and str(port).encode() in command:
            children = (entry / "task" / entry.name / "children").read_text().split()
            # Beside it, multiprocessing's resource tracker: the writer is the spawned one.
            writers = [
                int(child)
                for child in children
                if b"--multiprocessing-fork" in Path(f"/proc/{child}/cmdline").read_bytes()
            ]
            assert len(writers) == 1, children
            return writers[0]
    raise AssertionError(f"no serve on port {port}")


@pytest.mark.slow
def test_serve_gives_the_terminal_phones_cv_through_its_writer_even_after_the_writer_died(
    tmp_path: Path,
) -> None:
    """A whole French conversation as Twilio sends it to a real ``tremplin serve``, whose writer
    is killed half-way: ``serve`` starts another (the next webhook may get a 503 if it raced the
    death; Twilio's retry of it then goes through), and the CV is the one the terminal phone
    builds from the same answers."""

    database_url = f"sqlite:///{tmp_path / 'serve.db'}"
    env = {
        "TREMPLIN_PUBLIC_URL": PUBLIC_URL,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": FROM_NUMBER,
        "TWILIO_API_BASE_URL": "http://127.0.0.1:9",
    }
    phone = "+33612345678"
    half = len(HAPPY_PATH) // 2
    with (
        tremplin_serve(database_url, tmp_path / "serve.log", "--no-worker", env=env) as base,
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        twilio = Webhooks(client)  # type: ignore[arg-type]  # an httpx client is all it uses
        for line in HAPPY_PATH[:half]:
            assert twilio.text(line, phone=phone).status_code == 200
        os.kill(_writer_of(int(base.rsplit(":", 1)[1])), signal.SIGKILL)
        time.sleep(0.2)
        sid = twilio.next_sid()
        answer = twilio.text(HAPPY_PATH[half], phone=phone, sid=sid)
        if answer.status_code == 503:
            answer = twilio.text(HAPPY_PATH[half], phone=phone, sid=sid)
        assert answer.status_code == 200
        for line in HAPPY_PATH[half + 1 :]:
            assert twilio.text(line, phone=phone).status_code == 200

    engine = make_engine(database_url)
    try:
        sms_cv, console_cv = sms_and_console_cvs(make_session_factory(engine), phone, HAPPY_PATH)
    finally:
        engine.dispose()
    assert sms_cv["status"] == console_cv["status"] == "submitted"
    assert sms_cv["cv"] == console_cv["cv"]
    assert "conversation writer stopped" in (tmp_path / "serve.log").read_text()
