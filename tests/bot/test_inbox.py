"""Group commit: concurrent messages share a transaction, each keeps its own outcome."""

import asyncio

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.inbox import Inbox
from bot.service import ConversationService, Handled, Inbound
from conversations.events import TextReceived
from storage import Conversation

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
