"""The composition root: settings → database (migrated) → sessions → conversation service."""

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.telegram_intercept import telegram_hooks
from bot.i18n import available_locales, lexicon
from bot.inbox import Inbox
from bot.service import ConversationService
from bot.settings import Settings
from conversations.flow import build_flow
from storage import make_engine, make_session_factory, upgrade

__all__ = ["Runtime", "open_runtime"]


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    service: ConversationService
    inbox: Inbox = field(default=None)  # type: ignore[assignment]  # built from the service
    """The web's way in: concurrent messages share a transaction (group commit)."""

    def __post_init__(self) -> None:
        if self.inbox is None:
            object.__setattr__(self, "inbox", Inbox(self.service))

    def close(self) -> None:
        self.inbox.close()
        self.engine.dispose()


def open_runtime(settings: Settings, *, migrate: bool = True) -> Runtime:
    """Connect to the database, bring its schema to the latest migration, build the service."""
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    sessions = make_session_factory(engine)
    locales = available_locales()
    flow = build_flow(locales, lexicon(locales))
    renderers, intercepts = telegram_hooks(flow)
    service = ConversationService(sessions, flow, renderers=renderers, intercepts=intercepts)
    return Runtime(settings, engine, sessions, service)
