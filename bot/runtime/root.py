"""The composition root: settings → database (migrated) → sessions → conversation service."""

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import registry
from bot.channels.voice.clips import ClipStore
from bot.conversation.group_commit import Inbox, MessageInbox
from bot.conversation.service import ConversationService
from bot.conversation.writer_process import WriterProcess
from bot.delivery.courier import Courier
from bot.i18n import available_locales, lexicon
from bot.runtime.settings import Settings
from conversations.flow import build_flow
from storage import make_engine, make_session_factory, upgrade

__all__ = ["Runtime", "open_runtime", "open_service"]


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    service: ConversationService
    inbox: MessageInbox = field(default=None)  # type: ignore[assignment]  # built from the service
    """The web's way in: concurrent messages share a transaction (group commit)."""
    courier: Courier = field(default=None)  # type: ignore[assignment]  # built from the settings
    """Which way a message outside a conversation turn goes (bot/delivery/courier.py)."""
    clips: ClipStore = field(default=None)  # type: ignore[assignment]  # built from the settings
    """The calls' espeak-ng clips (bot/channels/voice/clips.py), one store for every phone."""

    def __post_init__(self) -> None:
        if self.inbox is None:
            object.__setattr__(self, "inbox", Inbox(self.service))
        if self.courier is None:
            object.__setattr__(self, "courier", registry.courier(self.settings))
        if self.clips is None:
            object.__setattr__(self, "clips", ClipStore(self.settings.voice_clips_dir))

    def close(self) -> None:
        self.inbox.close()
        self.engine.dispose()


def open_runtime(
    settings: Settings, *, migrate: bool = True, writer_process: bool = False
) -> Runtime:
    """Connect to the database, bring its schema to the latest migration, build the service.

    ``writer_process`` (``tremplin serve``) starts the web's inbox in a child process of its own
    (bot/conversation/writer_process.py); otherwise it is a thread of this process, started at
    first use.
    """
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    sessions = make_session_factory(engine)
    service = _service(sessions, settings)
    if not writer_process:
        return Runtime(settings, engine, sessions, service)
    inbox = WriterProcess(settings, open_service)
    inbox.start()
    return Runtime(settings, engine, sessions, service, inbox)


def _service(sessions: sessionmaker[Session], settings: Settings) -> ConversationService:
    locales = available_locales()
    flow = build_flow(locales, lexicon(locales))
    return ConversationService(
        sessions,
        flow,
        renderers=registry.renderers(),
        intercepts=registry.intercepts(flow),
        networks=registry.networks(),
        inline=registry.inline(),
        turns=registry.turns(settings),
    )


def open_service(settings: Settings) -> tuple[ConversationService, Callable[[], None]]:
    """The conversation service alone on an already migrated database, and what closes it: what
    the writer process runs (it is handed this function, and imports nothing of the runtime)."""
    engine = make_engine(settings.database_url)
    return _service(make_session_factory(engine), settings), engine.dispose
