"""Players' reachability: `inactive_since`, set when the user blocks the bot.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("players") as batch:
        batch.add_column(
            sa.Column(
                "inactive_since",
                sa.DateTime(timezone=True),
                nullable=True,
                comment="set when Telegram says the user blocked the bot (403); NULL: reachable",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("players") as batch:
        batch.drop_column("inactive_since")
