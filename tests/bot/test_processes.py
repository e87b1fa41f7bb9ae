"""Two processes, one database: a person's messages are handled one after the other, none lost.

Each "process" here is what a web process is to the database: its own engine (its own connection
pool), its own conversation service and its own group-commit inbox. They share nothing but the
database, on SQLite (BEGIN IMMEDIATE) and on PostgreSQL (SELECT … FOR UPDATE, deadlock retries).
tests/faults/ does the same with real ``tremplin serve`` processes over HTTP.
"""

import asyncio
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select

from bot.channels import registry
from bot.channels.contract import Inbound, Outgoing
from bot.channels.sms.render import render_sms
from bot.conversation.group_commit import Inbox
from bot.conversation.service import ConversationService, Handled
from conversations.events import TextReceived
from conversations.flow import DEFAULT_FLOW
from conversations.outputs import Output
from storage import Conversation, Message, make_engine, make_session_factory
from tests.conversations.golden import GOLDEN_DIR, parse
from tests.replay import replay_all

HAPPY = parse(GOLDEN_DIR / "fr_happy_path.chat").inputs


@pytest.fixture
def processes(migrated_engine: Engine) -> Iterator[list[ConversationService]]:
    url = migrated_engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url) for _ in range(2)]
    try:
        yield [
            ConversationService(
                make_session_factory(e), DEFAULT_FLOW, renderers=registry.renderers()
            )
            for e in engines
        ]
    finally:
        for engine in engines:
            engine.dispose()


def _text(phone: str, text: str, sid: str) -> Inbound:
    return Inbound("sms", phone, TextReceived(text), external_id=sid)


def _at_once(*calls: tuple[ConversationService, Inbound]) -> list[Handled]:
    """Handle each inbound on its process, all released at the same instant."""
    barrier = threading.Barrier(len(calls))
    results: list[Handled | None] = [None] * len(calls)

    def run(index: int) -> None:
        service, inbound = calls[index]
        barrier.wait()
        results[index] = service.handle(inbound)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(result is not None for result in results)
    return [result for result in results if result is not None]


def test_a_new_persons_first_two_messages_on_two_processes_are_both_answered(
    processes: list[ConversationService], migrated_engine: Engine
) -> None:
    first, second = processes
    for attempt in range(5):  # the race is the point: run it a few times
        phone = f"+3361000000{attempt}"
        results = _at_once(
            (first, _text(phone, "Bonjour", f"SMa{attempt}")),
            (second, _text(phone, "Salut", f"SMb{attempt}")),
        )
        assert [result.duplicate for result in results] == [False, False]
    replayed = replay_all(migrated_engine, DEFAULT_FLOW)
    assert {phone: sorted(r.inbound) for phone, r in replayed.items()} == {
        f"+3361000000{n}": ["Bonjour", "Salut"] for n in range(5)
    }


def test_one_webhook_delivered_to_two_processes_at_once_is_answered_once(
    processes: list[ConversationService], migrated_engine: Engine
) -> None:
    first, second = processes
    for attempt in range(5):
        phone = f"+3362000000{attempt}"
        results = _at_once(
            (first, _text(phone, "Bonjour", f"SMsame{attempt}")),
            (second, _text(phone, "Bonjour", f"SMsame{attempt}")),
        )
        assert sorted(result.duplicate for result in results) == [False, True]
    replayed = replay_all(migrated_engine, DEFAULT_FLOW)
    assert all(r.inbound == ["Bonjour"] for r in replayed.values())
    assert len(replayed) == 5


def test_a_burst_of_messages_on_two_processes_is_handled_one_after_the_other(
    processes: list[ConversationService], migrated_engine: Engine
) -> None:
    """Everyone's messages at once, spread over two inboxes (group commit, batches that overlap):
    each saved once, and each person's conversation exactly as if handled one by one."""
    phones = [f"+3363000000{n}" for n in range(3)]
    script = HAPPY[:8]

    async def burst() -> list[Handled]:
        inboxes = [Inbox(service) for service in processes]
        try:
            return await asyncio.gather(
                *(
                    inboxes[(index + number) % 2].handle(_text(phone, text, f"SM{number}-{index}"))
                    for index, text in enumerate(script)
                    for number, phone in enumerate(phones)
                )
            )
        finally:
            for inbox in inboxes:
                inbox.close()

    results = asyncio.run(burst())

    assert not any(result.duplicate for result in results)
    replayed = replay_all(migrated_engine, DEFAULT_FLOW)
    assert {phone: sorted(r.inbound) for phone, r in replayed.items()} == {
        phone: sorted(script) for phone in phones
    }
    with migrated_engine.connect() as connection:
        versions = connection.execute(select(Conversation.version)).scalars().all()
    assert versions == [1 + len(script)] * len(phones)  # no message stepped from a stale state


def test_a_person_texting_in_turn_through_two_processes_is_answered_in_order(
    processes: list[ConversationService], migrated_engine: Engine
) -> None:
    """Each message sent once the previous one is answered, alternately to each process, while
    others text too: every conversation reads in the order it was written."""
    phones = [f"+3364000000{n}" for n in range(4)]
    script = HAPPY[:10]

    async def person(inboxes: list[Inbox], number: int, phone: str) -> None:
        for index, text in enumerate(script):
            handled = await inboxes[(index + number) % 2].handle(
                _text(phone, text, f"SM{number}-{index}")
            )
            assert not handled.duplicate

    async def everyone() -> None:
        inboxes = [Inbox(service) for service in processes]
        try:
            await asyncio.gather(*(person(inboxes, n, phone) for n, phone in enumerate(phones)))
        finally:
            for inbox in inboxes:
                inbox.close()

    asyncio.run(everyone())

    replayed = replay_all(migrated_engine, DEFAULT_FLOW)
    assert {phone: r.inbound for phone, r in replayed.items()} == dict.fromkeys(phones, script)
    with migrated_engine.connect() as connection:
        inbound = connection.execute(
            select(func.count()).select_from(Message).where(Message.direction == "in")
        ).scalar_one()
    assert inbound == len(phones) * len(script)


@pytest.mark.parametrize("backend", ["postgresql"])
def test_two_batches_that_deadlock_are_both_handled_again_whole(migrated_engine: Engine) -> None:
    """Process A's batch answers X then Y while process B's answers Y then X; each holds its first
    person's lock when it asks for the second. PostgreSQL aborts one batch to break the deadlock;
    that batch runs again from the start, and both batches end up saved, each message once."""
    url = migrated_engine.url.render_as_string(hide_password=False)
    both_hold_a_lock = threading.Barrier(2, timeout=30)
    first_messages = {"SMa1", "SMb1"}

    def render_after_everyone_locked(outputs: list[Output], locale: str | None) -> list[Outgoing]:
        # Called inside the transaction, after the step: the person's row is locked by now.
        if first_messages & {threading.current_thread().name}:
            first_messages.discard(threading.current_thread().name)
            both_hold_a_lock.wait()
        return render_sms(outputs, locale)

    engines = [make_engine(url) for _ in range(2)]
    services = [
        ConversationService(
            make_session_factory(e), DEFAULT_FLOW, renderers={"sms": render_after_everyone_locked}
        )
        for e in engines
    ]
    x, y = "+33665000001", "+33665000002"
    for service in services:  # both people exist already: only row locks are at stake
        service.handle(_text(x, "Bonjour", f"SMx{id(service)}"))
        service.handle(_text(y, "Bonjour", f"SMy{id(service)}"))
    batches = {
        "SMa1": (services[0], [_text(x, "1", "SMa1"), _text(y, "1", "SMa2")]),
        "SMb1": (services[1], [_text(y, "1", "SMb1"), _text(x, "1", "SMb2")]),
    }
    results: dict[str, list[Handled | Exception]] = {}

    def run(name: str) -> None:
        service, inbounds = batches[name]
        results[name] = service.handle_many(inbounds)

    threads = [threading.Thread(target=run, args=(name,), name=name) for name in batches]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        for engine in engines:
            engine.dispose()

    assert all(isinstance(r, Handled) and not r.duplicate for rs in results.values() for r in rs)
    replayed = replay_all(migrated_engine, DEFAULT_FLOW)
    # "1" picks French, then says yes to the consent question: no order loses a message text.
    assert replayed[x].inbound == ["Bonjour", "Bonjour", "1", "1"]
    assert replayed[y].inbound == ["Bonjour", "Bonjour", "1", "1"]
