"""The acceptance check of every channel: the conversation it carried gives the same CV document
as the same answers typed on the terminal phone."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import registry
from bot.channels.console import CHANNEL as CONSOLE
from bot.channels.contract import Inbound
from bot.conversation.service import ConversationService
from bot.cv.document import cv_document, find_candidate
from bot.runtime.settings import Settings
from conversations.events import TextReceived
from conversations.flow import DEFAULT_FLOW
from storage import Candidate, ChannelIdentity

CONSOLE_PHONE = "+33700000001"


def sms_and_console_cvs(
    sessions: sessionmaker[Session], phone: str, answers: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The CV document of the candidate texting from ``phone``, and that of a terminal phone
    given the same ``answers`` now, in the same database."""
    console = ConversationService(sessions, DEFAULT_FLOW, renderers=registry.renderers())
    for line in answers:
        console.handle(Inbound(CONSOLE, CONSOLE_PHONE, TextReceived(line)))
    with sessions() as session:
        by_sms = find_candidate(session, phone)
        identity = session.scalars(
            select(ChannelIdentity).where(ChannelIdentity.channel == CONSOLE)
        ).one()
        by_console = session.get(Candidate, identity.candidate_id)
        assert by_sms is not None and by_console is not None
        return cv_document(session, by_sms, Settings()), cv_document(
            session, by_console, Settings()
        )
