"""Phone calls: where each call stands, and the answers given by voice.

Revision ID: 0005_voice_calls
Revises: 0004_channel_reachability
Create Date: 2026-12-07

* ``voice_calls``: one row a call (Twilio ``CallSid``), with its turn, what it is doing, the
  last TwiML answered (for a retried request), a language it could not speak, and the
  recording the caller agreed to, if any.
* ``voice_answers``: each answer heard on a call, with Twilio's confidence, for the coach.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005_voice_calls"
down_revision: str | Sequence[str] | None = "0004_channel_reachability"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    op.create_table(
        "voice_calls",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("call_sid", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column(
            "candidate_id",
            sa.String(36),
            sa.ForeignKey("candidates.id", ondelete="CASCADE", name="fk_voice_calls_candidate_id_candidates"),
            nullable=True,
        ),
        sa.Column("turn", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("state", _JSON, nullable=False),
        sa.Column("last_response", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default=sa.text("'in-progress'")),
        sa.Column("wanted_locale", sa.String(8), nullable=True),
        sa.Column("recording_consent", sa.Boolean(), nullable=True),
        sa.Column("recording_sid", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("call_sid", name="uq_voice_calls_call_sid"),
    )
    op.create_index("ix_voice_calls_candidate_id", "voice_calls", ["candidate_id"])
    op.create_table(
        "voice_answers",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "candidate_id",
            sa.String(36),
            sa.ForeignKey("candidates.id", ondelete="CASCADE", name="fk_voice_answers_candidate_id_candidates"),
            nullable=False,
        ),
        sa.Column("call_sid", sa.String(64), nullable=False),
        sa.Column("step", sa.String(40), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_voice_answers_candidate_id", "voice_answers", ["candidate_id"])


def downgrade() -> None:
    op.drop_index("ix_voice_answers_candidate_id", table_name="voice_answers")
    op.drop_table("voice_answers")
    op.drop_index("ix_voice_calls_candidate_id", table_name="voice_calls")
    op.drop_table("voice_calls")
