"""Notices the bot sends on its own (VIP reminders, expiry): once per key.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "sent_notices",
        sa.Column(
            "key",
            sa.String(160),
            nullable=False,
            comment="e.g. vip-reminder:<player>:<until>:<days>",
        ),
        sa.Column("player_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sent_notices")),
    )


def downgrade() -> None:
    op.drop_table("sent_notices")
