"""Tremplin's storage: SQLAlchemy models, engines and sessions, Alembic migrations.

Only SQLAlchemy, Alembic and the standard library are imported here, so the storage can be used
(and migrated) without the bot or any channel library installed.
"""

from storage.choices import (
    CandidateStatus,
    CoachRole,
    Direction,
    MessageStatus,
    OutboxStatus,
    VersionKind,
)
from storage.columns import JsonDocument, UtcDateTime, new_id, new_slug, utcnow
from storage.database import (
    DEFAULT_DATABASE_URL,
    SQLITE_PRAGMAS,
    apply_sqlite_pragmas,
    lock_conversation,
    make_engine,
    make_session_factory,
    normalise_url,
    ping,
)
from storage.migrate import current_revision, downgrade, head_revision, upgrade
from storage.models import (
    NAMING_CONVENTION,
    AuditEvent,
    Base,
    Candidate,
    ChannelIdentity,
    Coach,
    Conversation,
    CvDraft,
    CvVersion,
    Invitation,
    Message,
    Organisation,
    Outbox,
    Review,
    VoiceAnswer,
    VoiceCall,
)

__all__ = [
    "DEFAULT_DATABASE_URL",
    "NAMING_CONVENTION",
    "SQLITE_PRAGMAS",
    "AuditEvent",
    "Base",
    "Candidate",
    "CandidateStatus",
    "ChannelIdentity",
    "Coach",
    "CoachRole",
    "Conversation",
    "CvDraft",
    "CvVersion",
    "Direction",
    "Invitation",
    "JsonDocument",
    "Message",
    "MessageStatus",
    "Organisation",
    "Outbox",
    "OutboxStatus",
    "Review",
    "UtcDateTime",
    "VersionKind",
    "VoiceAnswer",
    "VoiceCall",
    "apply_sqlite_pragmas",
    "current_revision",
    "downgrade",
    "head_revision",
    "lock_conversation",
    "make_engine",
    "make_session_factory",
    "new_id",
    "new_slug",
    "normalise_url",
    "ping",
    "upgrade",
    "utcnow",
]
