"""Initial schema: people, conversations, CVs, message log, outbox, audit.

Revision ID: 0001_initial
Revises:
Create Date: 2024-11-26

Types are spelt out here rather than imported from ``storage.columns``: a migration is a fixed
record of the past and must not change when the models do. ``UtcDateTime`` is stored as
``DateTime(timezone=True)``; documents as JSON (``JSONB`` on PostgreSQL); log ids as ``BIGINT``
(``INTEGER`` on SQLite, the only type it auto-increments).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_initial"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column[Any]:
    return sa.Column("id", sa.String(36), primary_key=True)


def _log_id() -> sa.Column[Any]:
    big_integer = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    return sa.Column("id", big_integer, primary_key=True, autoincrement=True)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(
        postgresql.JSONB(none_as_null=True), "postgresql"
    )


def _time(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(column: str, target: str, table: str, ondelete: str) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{referred}"), ondelete=ondelete
    )


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _uq(table: str, *columns: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*columns, name=op.f(f"uq_{table}_{'_'.join(columns)}"))


def _index(table: str, *columns: str, unique: bool = False) -> None:
    name = op.f(f"ix_{table}_{'_'.join(columns)}")
    op.create_index(name, table, list(columns), unique=unique)


def upgrade() -> None:
    op.create_table(
        "organisations",
        _id(),
        sa.Column("name", sa.String(200), nullable=False),
        _time("created_at"),
        _pk("organisations"),
        _uq("organisations", "name"),
    )

    op.create_table(
        "coaches",
        _id(),
        sa.Column("organisation_id", sa.String(36), nullable=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False, server_default="coach"),
        _time("created_at"),
        _time("last_login_at", nullable=True),
        _pk("coaches"),
        _fk("organisation_id", "organisations.id", "coaches", "SET NULL"),
        _uq("coaches", "email"),
    )
    _index("coaches", "organisation_id")

    op.create_table(
        "invitations",
        _id(),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("coach_id", sa.String(36), nullable=False),
        _time("expires_at", nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        _time("created_at"),
        _pk("invitations"),
        _fk("coach_id", "coaches.id", "invitations", "CASCADE"),
        _uq("invitations", "code"),
    )
    _index("invitations", "coach_id")

    op.create_table(
        "candidates",
        _id(),
        sa.Column("slug", sa.String(32), nullable=False),
        sa.Column("locale", sa.String(16), nullable=False, server_default="fr"),
        sa.Column("status", sa.String(32), nullable=False, server_default="in_progress"),
        sa.Column("coach_id", sa.String(36), nullable=True),
        sa.Column("organisation_id", sa.String(36), nullable=True),
        sa.Column("invite_code", sa.String(16), nullable=True),
        _time("consent_at", nullable=True),
        sa.Column("opted_out", sa.Boolean(), nullable=False, server_default=sa.false()),
        _time("erased_at", nullable=True),
        _time("created_at"),
        _time("last_activity_at"),
        _pk("candidates"),
        _fk("coach_id", "coaches.id", "candidates", "SET NULL"),
        _fk("organisation_id", "organisations.id", "candidates", "SET NULL"),
        _uq("candidates", "slug"),
    )
    _index("candidates", "status")
    _index("candidates", "coach_id")
    _index("candidates", "organisation_id")
    _index("candidates", "last_activity_at")

    op.create_table(
        "channel_identities",
        _id(),
        sa.Column("candidate_id", sa.String(36), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", sa.String(128), nullable=False),
        _time("created_at"),
        _pk("channel_identities"),
        _fk("candidate_id", "candidates.id", "channel_identities", "CASCADE"),
        _uq("channel_identities", "channel", "address"),
    )
    _index("channel_identities", "candidate_id")

    op.create_table(
        "conversations",
        _id(),
        sa.Column("candidate_id", sa.String(36), nullable=False),
        sa.Column("state", _json(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _time("updated_at"),
        _pk("conversations"),
        _fk("candidate_id", "candidates.id", "conversations", "CASCADE"),
        _uq("conversations", "candidate_id"),
    )

    op.create_table(
        "cv_drafts",
        _id(),
        sa.Column("candidate_id", sa.String(36), nullable=False),
        sa.Column("document", _json(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False, server_default="in_progress"),
        sa.Column("progress", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("department", sa.String(16), nullable=True),
        sa.Column("first_job", sa.String(200), nullable=True),
        _time("updated_at"),
        _pk("cv_drafts"),
        _fk("candidate_id", "candidates.id", "cv_drafts", "CASCADE"),
        _uq("cv_drafts", "candidate_id"),
    )
    _index("cv_drafts", "status")
    _index("cv_drafts", "department")
    _index("cv_drafts", "first_job")

    op.create_table(
        "cv_versions",
        _id(),
        sa.Column("candidate_id", sa.String(36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("document", _json(), nullable=False),
        _time("created_at"),
        sa.Column("created_by", sa.String(36), nullable=True),
        _pk("cv_versions"),
        _fk("candidate_id", "candidates.id", "cv_versions", "CASCADE"),
        _fk("created_by", "coaches.id", "cv_versions", "SET NULL"),
        _uq("cv_versions", "candidate_id", "number"),
    )
    _index("cv_versions", "created_by")

    op.create_table(
        "reviews",
        _id(),
        sa.Column("candidate_id", sa.String(36), nullable=False),
        sa.Column("coach_id", sa.String(36), nullable=True),
        sa.Column("part", sa.String(64), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        _time("created_at"),
        _time("resolved_at", nullable=True),
        _pk("reviews"),
        _fk("candidate_id", "candidates.id", "reviews", "CASCADE"),
        _fk("coach_id", "coaches.id", "reviews", "SET NULL"),
    )
    _index("reviews", "candidate_id")
    _index("reviews", "coach_id")

    op.create_table(
        "messages",
        _log_id(),
        sa.Column("candidate_id", sa.String(36), nullable=True),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("step", sa.String(64), nullable=True),
        sa.Column("segments", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=True),
        _time("created_at"),
        _pk("messages"),
        _fk("candidate_id", "candidates.id", "messages", "CASCADE"),
        _uq("messages", "channel", "direction", "external_id"),
    )
    _index("messages", "candidate_id", "created_at")
    _index("messages", "created_at")

    op.create_table(
        "outbox",
        _log_id(),
        sa.Column("candidate_id", sa.String(36), nullable=True),
        sa.Column("message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite")),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", sa.String(128), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        _time("next_attempt_at"),
        sa.Column("last_error", sa.Text(), nullable=True),
        _time("created_at"),
        _time("sent_at", nullable=True),
        _pk("outbox"),
        _fk("candidate_id", "candidates.id", "outbox", "CASCADE"),
        _fk("message_id", "messages.id", "outbox", "CASCADE"),
    )
    _index("outbox", "candidate_id")
    _index("outbox", "message_id")
    _index("outbox", "status", "next_attempt_at")

    op.create_table(
        "audit_events",
        _log_id(),
        sa.Column("candidate_id", sa.String(36), nullable=True),
        sa.Column("coach_id", sa.String(36), nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("detail", _json(), nullable=True),
        _time("created_at"),
        _pk("audit_events"),
        _fk("candidate_id", "candidates.id", "audit_events", "SET NULL"),
    )
    _index("audit_events", "candidate_id")
    _index("audit_events", "coach_id")


def downgrade() -> None:
    for table in (
        "audit_events",
        "outbox",
        "messages",
        "reviews",
        "cv_versions",
        "cv_drafts",
        "conversations",
        "channel_identities",
        "candidates",
        "invitations",
        "coaches",
        "organisations",
    ):
        op.drop_table(table)
