"""Outbox delivery over providers: why a row exists, the provider's id, delivery errors.

Revision ID: 0002_outbox_delivery
Revises: 0001_initial
Create Date: 2024-12-03

* ``outbox.purpose`` (``reply`` by default): the worker sends nothing to a person who sent STOP,
  except the row marked ``opt_out_confirmation``; coach messages and reminders say so too.
* ``outbox.external_id``: the provider's message id once sent (Twilio ``SM…``).
* ``messages.error_code``: the provider's delivery error, from status callbacks.
* ``ix_outbox_channel_address_status``: "is an earlier row for this address still pending?",
  asked by the worker for every row it claims (one message in flight per address, in order).

Every column is nullable or has a server default, so on SQLite this is a plain ``ADD COLUMN``
and existing rows need no rewrite.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_outbox_delivery"
down_revision: str | Sequence[str] | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEX = "ix_outbox_channel_address_status"


def upgrade() -> None:
    op.add_column(
        "outbox", sa.Column("purpose", sa.String(32), nullable=False, server_default="reply")
    )
    op.add_column("outbox", sa.Column("external_id", sa.String(128), nullable=True))
    op.add_column("messages", sa.Column("error_code", sa.String(16), nullable=True))
    op.create_index(op.f(_INDEX), "outbox", ["channel", "address", "status"])


def downgrade() -> None:
    op.drop_index(op.f(_INDEX), table_name="outbox")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("error_code")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("external_id")
        batch.drop_column("purpose")
