"""``tremplin serve --demo``: a few fictional candidates, so a newcomer sees a living workspace.

They are made the way real ones are: scripted SMS sent through the real conversation service on
the ``simulator`` channel, from numbers of ARCEP's range reserved for fiction, with a clock
set in the past so the analytics page has weeks to show. Running it again adds nobody twice.
The candidates have no coach: they wait in the unassigned queue, where any coach can take one.
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.channels.contract import Inbound
from bot.channels.simulator import CHANNEL
from bot.conversation.service import ConversationService
from conversations.events import TextReceived
from storage import ChannelIdentity

if TYPE_CHECKING:  # the runtime builds this: only its type is needed here
    from bot.runtime.root import Runtime

__all__ = ["DEMO_SCRIPTS", "add_demo_candidates"]

_FRENCH_START = [
    "Bonjour",
    "1",
    "oui",
    "passer",
    "Amina",
    "Diallo",
    "Saint-Denis 93200",
    "passer",
    "1",
]
_FRENCH_REST = [
    "cuisine", "1", "2", "1", "1", "1", "2", "passer", "1",
    "1", "Aide cuisinière", "Restaurant Le Soleil", "Tunis", "2019-2021", "passer", "2", "1",
    "2", "1",
    "1 2", "3", "2", "1 2", "passer", "1",
    "J'aime cuisiner pour les autres.", "fini", "passer", "1",
]  # fmt: skip
_DARI = [
    "سلام", "2", "1", "بگذر", "Farid", "Ahmadi", "Lyon 69003", "بگذر", "1",
    "آشپز", "1", "2", "1 3", "1", "1", "2", "1", "1",
    "1", "کمک آشپز", "بگذر", "افغانستان", "2019-2021", "بگذر", "2", "1",
    "2", "1",
    "1 4", "2", "4", "1 2", "بگذر", "1",
    "در سال 2022 به فرانسه آمدم. می‌خواهم در آشپزخانه کار کنم.", "تمام", "بگذر", "1",
]  # fmt: skip
_STOPPED_EARLY = ["Bonjour", "1", "oui", "passer", "Marc", "Lefèvre", "Marseille", "passer", "1"]

# (number, days ago, messages): submitted in French, submitted in Dari, stopped after part 1.
DEMO_SCRIPTS: tuple[tuple[str, int, list[str]], ...] = (
    ("+33639980001", 16, _FRENCH_START + _FRENCH_REST),
    ("+33639980002", 9, _DARI),
    ("+33639980003", 3, _STOPPED_EARLY),
)


class _PastClock:
    """Starts ``days`` ago and moves two minutes a message: a sitting of an hour or so."""

    def __init__(self, days: int) -> None:
        self.now = datetime.now(UTC) - timedelta(days=days)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=2)
        return self.now


def add_demo_candidates(runtime: "Runtime") -> int:
    """Add the fictional candidates not there yet; returns how many were added."""
    added = 0
    for number, days, script in DEMO_SCRIPTS:
        with runtime.sessions() as session:
            exists = session.scalar(
                select(ChannelIdentity.id).where(
                    ChannelIdentity.channel == CHANNEL, ChannelIdentity.address == number
                )
            )
        if exists is not None:
            continue
        service = ConversationService(
            runtime.sessions,
            runtime.service.flow,
            clock=_PastClock(days),
            renderers=runtime.service.renderers,
            networks=runtime.service.networks,
        )
        for text in script:
            service.handle(
                Inbound(CHANNEL, number, TextReceived(text), external_id=str(uuid.uuid4()))
            )
        added += 1
    return added
