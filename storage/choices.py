"""The values the string "enum" columns take.

The columns are plain strings without CHECK constraints on purpose: adding a status later is then a
code change, not a migration (on SQLite, changing a CHECK constraint means rebuilding the table,
and ``messages`` is the biggest one). These ``StrEnum`` s are the single list of allowed values;
being ``str`` subclasses, they can be assigned to and compared with the columns directly.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "CandidateStatus",
    "CoachRole",
    "Direction",
    "MessageStatus",
    "OutboxStatus",
    "VersionKind",
]


class CoachRole(StrEnum):
    COACH = "coach"
    ADMIN = "admin"


class CandidateStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class MessageStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    UNDELIVERED = "undelivered"
    CANCELLED = "cancelled"
    RECEIVED = "received"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"  # never sent: the person opted out before it went
    HELD = "held"  # waits for the person to write (WhatsApp's window closed, no template)


class VersionKind(StrEnum):
    SUBMITTED = "submitted"
    PUBLISHED = "published"
