"""Coach workspace, publication, Telegram media and account linking, reminders, worker leases.

Revision ID: 0003_workspace_publication
Revises: 0002_outbox_delivery
Create Date: 2026-11-26

* ``candidates``: the current and furthest step (dashboard, funnel), the first submission time,
  reminder scheduling, the published version, the "not indexed" option and the public counters.
* ``coaches.password_must_change``: a printed one-time password is changed at first login.
* ``outbox.payload`` (a Telegram keyboard…) and ``outbox.claimed_until`` (a worker's lease).
* New tables: ``media`` (photos and voice notes, bytes in the database so erasure takes them),
  ``link_codes`` (one draft across channels), ``coach_sessions``, ``rate_limit_hits``,
  ``contact_messages``, ``cv_renders`` (PDF and share image per published version),
  ``app_secrets`` (a signing key made once and shared by every process).

New columns are nullable or have a server default: on SQLite each is a plain ``ADD COLUMN``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_workspace_publication"
down_revision: str | Sequence[str] | None = "0002_outbox_delivery"
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


def _int(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0"))


def _fk(column: str, target: str, table: str, ondelete: str) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{referred}"), ondelete=ondelete
    )


def _pk(table: str, column: str = "id") -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(column, name=op.f(f"pk_{table}"))


def _index(table: str, *columns: str, unique: bool = False) -> None:
    name = op.f(f"ix_{table}_{'_'.join(columns)}")
    op.create_index(name, table, list(columns), unique=unique)


_CANDIDATE_COLUMNS = (
    "current_step",
    "furthest_step",
    "submitted_at",
    "next_reminder_at",
    "reminders_sent",
    "published_version",
    "noindex",
    "cv_views",
    "cv_shares",
)


def upgrade() -> None:
    op.add_column("candidates", sa.Column("current_step", sa.String(64), nullable=True))
    op.add_column("candidates", _int("furthest_step"))
    op.add_column("candidates", _time("submitted_at", nullable=True))
    op.add_column("candidates", _time("next_reminder_at", nullable=True))
    op.add_column("candidates", _int("reminders_sent"))
    op.add_column("candidates", sa.Column("published_version", sa.Integer(), nullable=True))
    op.add_column(
        "candidates",
        sa.Column("noindex", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column("candidates", _int("cv_views"))
    op.add_column("candidates", _int("cv_shares"))
    _index("candidates", "next_reminder_at")
    op.add_column(
        "coaches",
        sa.Column(
            "password_must_change", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )
    op.add_column("outbox", sa.Column("payload", _json(), nullable=True))
    op.add_column("outbox", _time("claimed_until", nullable=True))

    op.create_table(
        "media",
        _id(),
        sa.Column("candidate_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        _time("created_at"),
        _fk("candidate_id", "candidates.id", "media", "CASCADE"),
        _pk("media"),
    )
    _index("media", "candidate_id")

    op.create_table(
        "link_codes",
        _id(),
        sa.Column("candidate_id", sa.String(36), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", sa.String(128), nullable=False),
        sa.Column("code_hash", sa.String(128), nullable=False),
        _int("tries"),
        _time("expires_at"),
        _time("used_at", nullable=True),
        _time("created_at"),
        _fk("candidate_id", "candidates.id", "link_codes", "CASCADE"),
        _pk("link_codes"),
    )
    _index("link_codes", "candidate_id")
    _index("link_codes", "address")

    op.create_table(
        "coach_sessions",
        _id(),
        sa.Column("token_hash", sa.String(128), nullable=False),
        sa.Column("coach_id", sa.String(36), nullable=False),
        sa.Column("csrf_token", sa.String(128), nullable=False),
        _time("created_at"),
        _time("expires_at"),
        _fk("coach_id", "coaches.id", "coach_sessions", "CASCADE"),
        _pk("coach_sessions"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_coach_sessions_token_hash")),
    )
    _index("coach_sessions", "coach_id")

    op.create_table(
        "rate_limit_hits",
        _log_id(),
        sa.Column("bucket", sa.String(32), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        _time("created_at"),
        _pk("rate_limit_hits"),
    )
    _index("rate_limit_hits", "bucket", "key", "created_at")

    op.create_table(
        "contact_messages",
        _id(),
        sa.Column("candidate_id", sa.String(36), nullable=False),
        sa.Column("coach_id", sa.String(36), nullable=True),
        sa.Column("sender_name", sa.String(120), nullable=False),
        sa.Column("sender_email", sa.String(254), nullable=False),
        sa.Column("organisation", sa.String(200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        _time("created_at"),
        _time("read_at", nullable=True),
        _fk("candidate_id", "candidates.id", "contact_messages", "CASCADE"),
        _fk("coach_id", "coaches.id", "contact_messages", "SET NULL"),
        _pk("contact_messages"),
    )
    _index("contact_messages", "candidate_id")
    _index("contact_messages", "coach_id")

    op.create_table(
        "cv_renders",
        _id(),
        sa.Column("candidate_id", sa.String(36), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        _time("created_at"),
        _fk("candidate_id", "candidates.id", "cv_renders", "CASCADE"),
        _pk("cv_renders"),
        sa.UniqueConstraint(
            "candidate_id",
            "version_number",
            "kind",
            name=op.f("uq_cv_renders_candidate_id_version_number_kind"),
        ),
    )

    op.create_table(
        "app_secrets",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.String(256), nullable=False),
        _time("created_at"),
        _pk("app_secrets", "name"),
    )


def downgrade() -> None:
    for table in (
        "app_secrets",
        "cv_renders",
        "contact_messages",
        "rate_limit_hits",
        "coach_sessions",
        "link_codes",
        "media",
    ):
        op.drop_table(table)
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("payload")
    with op.batch_alter_table("coaches") as batch:
        batch.drop_column("password_must_change")
    op.drop_index(op.f("ix_candidates_next_reminder_at"), table_name="candidates")
    with op.batch_alter_table("candidates") as batch:
        for column in reversed(_CANDIDATE_COLUMNS):
            batch.drop_column(column)
