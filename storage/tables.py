"""The tables as SQL Core sees them, for the code paths that skip the ORM (every inbound message,
the outbox worker): the same definitions as the models, one name each."""

from sqlalchemy import Table

from storage.models import Base

__all__ = [
    "audit_events",
    "candidates",
    "channel_identities",
    "conversations",
    "cv_drafts",
    "cv_versions",
    "invitations",
    "messages",
    "outbox",
]

_TABLES = Base.metadata.tables

audit_events: Table = _TABLES["audit_events"]
candidates: Table = _TABLES["candidates"]
channel_identities: Table = _TABLES["channel_identities"]
conversations: Table = _TABLES["conversations"]
cv_drafts: Table = _TABLES["cv_drafts"]
cv_versions: Table = _TABLES["cv_versions"]
invitations: Table = _TABLES["invitations"]
messages: Table = _TABLES["messages"]
outbox: Table = _TABLES["outbox"]
