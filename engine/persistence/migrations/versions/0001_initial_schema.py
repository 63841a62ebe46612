"""Initial schema: players, state, ledger, VIP, invites, check-ins, idempotency, releases,
outbox and the admin audit log (see engine/persistence/tables.py for what each one is for).

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _time(name: str, nullable: bool = False, **kw: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable, **kw)  # type: ignore[arg-type]


def upgrade() -> None:
    op.create_table(
        "players",
        sa.Column(
            "id", sa.BigInteger(), autoincrement=False, nullable=False, comment="Telegram user id"
        ),
        sa.Column("name", sa.String(256), server_default="", nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), server_default="player", nullable=False),
        sa.Column("blocked", sa.Boolean(), server_default=sa.false(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        sa.CheckConstraint("role IN ('player', 'admin')", name=op.f("ck_players_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_players")),
    )
    op.create_table(
        "player_state",
        sa.Column("player_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("fragment", sa.String(128), nullable=True),
        sa.Column("chapter", sa.String(128), nullable=True),
        sa.Column("content_version", sa.String(64), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        _time("updated_at"),
        sa.CheckConstraint("points >= 0", name=op.f("ck_player_state_points_not_negative")),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["players.id"],
            ondelete="CASCADE",
            name=op.f("fk_player_state_player_id_players"),
        ),
        sa.PrimaryKeyConstraint("player_id", name=op.f("pk_player_state")),
    )
    op.create_index(op.f("ix_player_state_fragment"), "player_state", ["fragment"])
    op.create_table(
        "ledger",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("player_id", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("balance_after", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(128), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("idempotency_key", sa.String(160), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        _time("created_at"),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_ledger_amount_not_zero")),
        sa.CheckConstraint("balance_after >= 0", name=op.f("ck_ledger_balance_not_negative")),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["players.id"],
            ondelete="CASCADE",
            name=op.f("fk_ledger_player_id_players"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger")),
        sa.UniqueConstraint("idempotency_key", "seq", name="uq_ledger_idempotency"),
    )
    op.create_index("ix_ledger_player", "ledger", ["player_id", "id"])
    op.create_table(
        "invite_tokens",
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("tier", sa.String(64), nullable=True),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=False),
        sa.Column("uses", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        _time("created_at"),
        _time("expires_at", nullable=True),
        sa.Column("revoked", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.CheckConstraint("uses <= max_uses", name=op.f("ck_invite_tokens_uses_within_max")),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_invite_tokens")),
    )
    op.create_table(
        "vip_grants",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("player_id", sa.BigInteger(), nullable=False),
        sa.Column("tier", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("offer", sa.String(64), nullable=True),
        sa.Column("charge_id", sa.String(128), nullable=True),
        sa.Column("invite_token", sa.String(64), nullable=True),
        sa.Column("granted_by", sa.BigInteger(), nullable=True),
        _time("starts_at"),
        _time("expires_at", nullable=True, comment="NULL: no expiry"),
        _time("ended_at", nullable=True),
        sa.CheckConstraint(
            "source IN ('stars', 'invite', 'admin', 'channel')", name=op.f("ck_vip_grants_source")
        ),
        sa.ForeignKeyConstraint(
            ["invite_token"],
            ["invite_tokens.token"],
            name=op.f("fk_vip_grants_invite_token_invite_tokens"),
        ),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["players.id"],
            ondelete="CASCADE",
            name=op.f("fk_vip_grants_player_id_players"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vip_grants")),
        sa.UniqueConstraint("charge_id", name=op.f("uq_vip_grants_charge_id")),
    )
    op.create_index("ix_vip_grants_player", "vip_grants", ["player_id", "id"])
    op.create_table(
        "checkins",
        sa.Column("player_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False, comment="the player's calendar day"),
        sa.Column("streak", sa.Integer(), nullable=False),
        _time("created_at"),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["players.id"],
            ondelete="CASCADE",
            name=op.f("fk_checkins_player_id_players"),
        ),
        sa.PrimaryKeyConstraint("player_id", "day", name=op.f("pk_checkins")),
    )
    op.create_table(
        "processed_updates",
        sa.Column("key", sa.String(160), nullable=False, comment="update / callback / charge id"),
        sa.Column("player_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        _time("created_at"),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_processed_updates")),
    )
    op.create_index(op.f("ix_processed_updates_created_at"), "processed_updates", ["created_at"])
    op.create_table(
        "content_releases",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("story_id", sa.String(64), nullable=False),
        sa.Column("format_version", sa.Integer(), nullable=False),
        sa.Column("fragments", sa.Integer(), nullable=False),
        sa.Column(
            "manifest", sa.Text(), nullable=False, comment="JSON: fragment id -> [chapter, digest]"
        ),
        _time("created_at"),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_releases")),
    )
    op.create_index(
        "uq_content_releases_one_active",
        "content_releases",
        ["active"],
        unique=True,
        sqlite_where=sa.text("active"),
        postgresql_where=sa.text("active"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("action_id", sa.String(32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("player_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        _time("created_at"),
        _time("delivered_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index(op.f("ix_outbox_action_id"), "outbox", ["action_id"])
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["id"],
        sqlite_where=sa.text("delivered_at IS NULL"),
        postgresql_where=sa.text("delivered_at IS NULL"),
    )
    op.create_table(
        "admin_audit",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("admin_id", sa.BigInteger(), nullable=True, comment="NULL: the command line"),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("player_id", sa.BigInteger(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False, comment="JSON"),
        _time("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_audit")),
    )
    op.create_index(op.f("ix_admin_audit_player_id"), "admin_audit", ["player_id"])


def downgrade() -> None:
    for table in (
        "admin_audit",
        "outbox",
        "content_releases",
        "processed_updates",
        "checkins",
        "vip_grants",
        "invite_tokens",
        "ledger",
        "player_state",
        "players",
    ):
        op.drop_table(table)
