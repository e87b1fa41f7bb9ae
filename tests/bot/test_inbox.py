"""Group commit: concurrent messages share a transaction, each keeps its own outcome."""

import asyncio

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.contract import Inbound, Outgoing
from bot.channels.sms.render import render_sms
from bot.conversation.group_commit import Inbox
from bot.conversation.service import ConversationService, Handled
from conversations.events import TextReceived
from conversations.flow import DEFAULT_FLOW
from conversations.outputs import Output
from storage import Conversation, Message, Outbox

Sessions = sessionmaker[Session]


def _inbound(text: str, phone: str, sid: str) -> Inbound:
    return Inbound("sms", phone, TextReceived(text), external_id=sid)


def test_messages_of_one_batch_are_handled_in_order_with_their_own_outcome(
    service: ConversationService, session_factory: Sessions
) -> None:
    results = service.handle_many(
        [
            _inbound("Bonjour", "+33611111111", "SM1"),
            _inbound("1", "+33611111111", "SM2"),  # sees the first one: the language menu
            _inbound("1", "+33611111111", "SM2"),  # a retry inside the same batch
            _inbound("Bonjour", "+33622222222", "SM3"),
        ]
    )
    assert [r.step for r in results if isinstance(r, Handled)] == [
        "language",
        "consent",
        None,
        "language",
    ]
    assert isinstance(results[2], Handled) and results[2].duplicate
    with session_factory() as session:
        steps = sorted(c.state["step"] for c in session.scalars(select(Conversation)))
    assert steps == ["consent", "language"]


def test_the_inbox_answers_each_caller_after_the_shared_commit(
    service: ConversationService, session_factory: Sessions
) -> None:
    inbox = Inbox(service)

    async def many() -> list[Handled]:
        return await asyncio.gather(
            *(inbox.handle(_inbound("Bonjour", f"+3363998{n:04d}", f"SM{n}")) for n in range(20))
        )

    try:
        handled = asyncio.run(many())
    finally:
        inbox.close()
    assert all(h.step == "language" and h.outbox_ids for h in handled)
    with session_factory() as session:
        assert len(session.scalars(select(Conversation)).all()) == 20


def test_a_message_that_fails_leaves_nothing_and_its_retry_is_answered(
    session_factory: Sessions,
) -> None:
    calls = iter(range(100))

    def render_failing_second(outputs: list[Output], locale: str | None) -> list[Outgoing]:
        if next(calls) == 1:
            raise RuntimeError("rendering failed")
        return render_sms(outputs, locale)

    service = ConversationService(
        session_factory, DEFAULT_FLOW, renderers={"sms": render_failing_second}
    )
    results = service.handle_many(
        [
            _inbound("Bonjour", "+33611111111", "SM1"),
            _inbound("Bonjour", "+33622222222", "SM2"),  # fails: rolled back alone
            _inbound("Bonjour", "+33633333333", "SM3"),
        ]
    )
    assert isinstance(results[1], RuntimeError)
    assert [r.step for r in (results[0], results[2]) if isinstance(r, Handled)] == [
        "language",
        "language",
    ]
    with session_factory() as session:
        inbound_ids = set(
            session.scalars(select(Message.external_id).where(Message.direction == "in"))
        )
        assert inbound_ids == {"SM1", "SM3"}
        assert len(session.scalars(select(Outbox)).all()) == 2

    # Twilio retries the failed webhook: it is handled, not taken for a duplicate.
    (retried,) = service.handle_many([_inbound("Bonjour", "+33622222222", "SM2")])
    assert isinstance(retried, Handled) and not retried.duplicate and retried.outbox_ids


def test_a_caller_that_gives_up_waiting_does_not_stop_the_others_nor_lose_its_message(
    service: ConversationService, session_factory: Sessions
) -> None:
    """A client that hangs up (its request task cancelled) while its batch commits: its message
    is stored all the same, and the others of the batch still get their answers."""
    inbox = Inbox(service)

    async def scenario() -> list[Handled | BaseException]:
        tasks = [
            asyncio.create_task(inbox.handle(_inbound("Bonjour", f"+3363997{n:04d}", f"SMc{n}")))
            for n in range(10)
        ]
        await asyncio.sleep(0)  # every message is queued
        tasks[3].cancel()
        return await asyncio.gather(*tasks, return_exceptions=True)

    try:
        outcomes = asyncio.run(scenario())
    finally:
        inbox.close()
    assert isinstance(outcomes[3], asyncio.CancelledError)
    answered = [o for n, o in enumerate(outcomes) if n != 3]
    assert all(isinstance(o, Handled) and o.step == "language" for o in answered)
    with session_factory() as session:
        stored = set(session.scalars(select(Message.external_id).where(Message.direction == "in")))
    assert stored == {f"SMc{n}" for n in range(10)}


def test_when_the_shared_commit_fails_every_caller_of_the_batch_hears_it(
    service: ConversationService,
) -> None:
    class CommitError(Exception):
        pass

    def failing(inbounds: list[Inbound]) -> list[Handled | Exception]:
        raise CommitError("disk full")

    service.handle_many = failing  # type: ignore[method-assign]
    inbox = Inbox(service)

    async def many() -> list[Handled | BaseException]:
        calls = (inbox.handle(_inbound("Bonjour", f"+3363996{n:04d}", f"SMf{n}")) for n in range(5))
        return await asyncio.gather(*calls, return_exceptions=True)

    try:
        outcomes = asyncio.run(many())
    finally:
        inbox.close()
    assert len(outcomes) == 5 and all(isinstance(o, CommitError) for o in outcomes)
