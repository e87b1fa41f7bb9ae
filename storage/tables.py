"""The tables as SQL Core sees them, for the code paths that skip the ORM (every inbound message,
the outbox worker): the same definitions as the models, one name each."""

from sqlalchemy import Table

from storage.models import Base

__all__ = [
    "app_secrets",
    "audit_events",
    "candidates",
    "channel_identities",
    "coach_sessions",
    "coaches",
    "contact_messages",
    "conversations",
    "cv_drafts",
    "cv_renders",
    "cv_versions",
    "invitations",
    "link_codes",
    "media",
    "messages",
    "organisations",
    "outbox",
    "rate_limit_hits",
    "reviews",
    "voice_answers",
    "voice_calls",
]

_TABLES = Base.metadata.tables

app_secrets: Table = _TABLES["app_secrets"]
audit_events: Table = _TABLES["audit_events"]
candidates: Table = _TABLES["candidates"]
channel_identities: Table = _TABLES["channel_identities"]
coach_sessions: Table = _TABLES["coach_sessions"]
coaches: Table = _TABLES["coaches"]
contact_messages: Table = _TABLES["contact_messages"]
conversations: Table = _TABLES["conversations"]
cv_drafts: Table = _TABLES["cv_drafts"]
cv_renders: Table = _TABLES["cv_renders"]
cv_versions: Table = _TABLES["cv_versions"]
invitations: Table = _TABLES["invitations"]
link_codes: Table = _TABLES["link_codes"]
media: Table = _TABLES["media"]
messages: Table = _TABLES["messages"]
organisations: Table = _TABLES["organisations"]
outbox: Table = _TABLES["outbox"]
rate_limit_hits: Table = _TABLES["rate_limit_hits"]
reviews: Table = _TABLES["reviews"]
voice_answers: Table = _TABLES["voice_answers"]
voice_calls: Table = _TABLES["voice_calls"]
