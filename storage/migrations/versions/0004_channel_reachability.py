"""WhatsApp: an address a channel cannot reach.

Revision ID: 0004_channel_reachability
Revises: 0003_workspace_publication
Create Date: 2026-12-07

* ``channel_identities.unusable_at`` and ``unusable_reason``: the provider said the address
  cannot be reached on that channel (WhatsApp 63003, not a WhatsApp user); messages go by the
  person's other channel until they write from it again.

Held outbox rows (``status = 'held'``: outside WhatsApp's window, waiting for the person to
write) need no change: statuses are plain strings (storage/choices.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_channel_reachability"
down_revision: str | Sequence[str] | None = "0003_workspace_publication"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("channel_identities", sa.Column("unusable_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "channel_identities", sa.Column("unusable_reason", sa.String(64), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("channel_identities") as batch:
        batch.drop_column("unusable_reason")
        batch.drop_column("unusable_at")
