"""The schema as SQLAlchemy Core tables: the single description the store's statements, the
migrations (checked against it by a test) and the admin queries share.

Core, not the ORM: every hot statement is built once and executed with plain dicts, which the
perf floor measured at roughly 2x the ORM's speed on the same work (shared/perf-floor.md).

The player's runtime state is stored as the runtime's own JSON (`dumps_state`) in a text
column, beside a few copies of its fields that queries need (fragment, chapter, points,
content version). `version` grows by one with every write: writers update
`WHERE version = :seen` so two workers can never both apply an action to the same state.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on both backends.

    PostgreSQL keeps `timestamptz`; SQLite has no time zones, so UTC is stored without an
    offset and given back as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: persistence stores aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


ID = BigInteger().with_variant(Integer, "sqlite")
"""Surrogate keys: BIGINT on PostgreSQL, INTEGER (the rowid alias, auto-incrementing) on SQLite."""

players = Table(
    "players",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False, comment="Telegram user id"),
    Column("name", String(256), nullable=False, server_default=""),
    Column("language", String(16), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("role", String(16), nullable=False, server_default="player"),
    Column("blocked", Boolean, nullable=False, server_default=false()),
    Column(
        "inactive_since",
        UTCDateTime,
        nullable=True,
        comment="set when Telegram says the user blocked the bot (403); NULL: reachable",
    ),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("role IN ('player', 'admin')", name="role"),
)

player_state = Table(
    "player_state",
    metadata,
    Column("player_id", BigInteger, ForeignKey("players.id", ondelete="CASCADE"), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("state", Text, nullable=False),
    Column("fragment", String(128), nullable=True, index=True),
    Column("chapter", String(128), nullable=True),
    Column("content_version", String(64), nullable=False),
    Column("points", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("points >= 0", name="points_not_negative"),
)

ledger = Table(
    "ledger",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("player_id", BigInteger, ForeignKey("players.id", ondelete="CASCADE"), nullable=False),
    Column("amount", Integer, nullable=False),
    Column("balance_after", Integer, nullable=False),
    Column("reason", String(128), nullable=False),
    Column("source", String(32), nullable=False),
    Column("idempotency_key", String(160), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("idempotency_key", "seq", name="uq_ledger_idempotency"),
    CheckConstraint("amount <> 0", name="amount_not_zero"),
    CheckConstraint("balance_after >= 0", name="balance_not_negative"),
    Index("ix_ledger_player", "player_id", "id"),
)

invite_tokens = Table(
    "invite_tokens",
    metadata,
    Column("token", String(64), primary_key=True),
    Column("tier", String(64), nullable=True),
    Column("days", Integer, nullable=True),
    Column("max_uses", Integer, nullable=False),
    Column("uses", Integer, nullable=False, server_default=text("0")),
    Column("created_by", BigInteger, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("revoked", Boolean, nullable=False, server_default=false()),
    CheckConstraint("uses <= max_uses", name="uses_within_max"),
)

vip_grants = Table(
    "vip_grants",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("player_id", BigInteger, ForeignKey("players.id", ondelete="CASCADE"), nullable=False),
    Column("tier", String(64), nullable=False),
    Column("source", String(16), nullable=False),
    Column("offer", String(64), nullable=True),
    Column("charge_id", String(128), nullable=True, unique=True),
    Column("invite_token", String(64), ForeignKey("invite_tokens.token"), nullable=True),
    Column("granted_by", BigInteger, nullable=True),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=True, comment="NULL: no expiry"),
    Column("ended_at", UTCDateTime, nullable=True),
    CheckConstraint("source IN ('stars', 'invite', 'admin', 'channel')", name="source"),
    Index("ix_vip_grants_player", "player_id", "id"),
)

checkins = Table(
    "checkins",
    metadata,
    Column("player_id", BigInteger, ForeignKey("players.id", ondelete="CASCADE"), primary_key=True),
    Column("day", Date, primary_key=True, comment="the player's calendar day"),
    Column("streak", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

processed_updates = Table(
    "processed_updates",
    metadata,
    Column("key", String(160), primary_key=True, comment="update / callback / charge id"),
    Column("player_id", BigInteger, nullable=False),
    Column("action", String(32), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("created_at", UTCDateTime, nullable=False, index=True),
)

sent_notices = Table(
    "sent_notices",
    metadata,
    Column(
        "key", String(160), primary_key=True, comment="e.g. vip-reminder:<player>:<until>:<days>"
    ),
    Column("player_id", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
"""Messages the bot sends on its own (VIP reminders...): each key is sent once, ever."""

content_releases = Table(
    "content_releases",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("content_hash", String(64), nullable=False),
    Column("story_id", String(64), nullable=False),
    Column("format_version", Integer, nullable=False),
    Column("fragments", Integer, nullable=False),
    Column("manifest", Text, nullable=False, comment="JSON: fragment id -> [chapter, digest]"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("active", Boolean, nullable=False),
    Index(
        "uq_content_releases_one_active",
        "active",
        unique=True,
        sqlite_where=text("active"),
        postgresql_where=text("active"),
    ),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("action_id", String(32), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("player_id", BigInteger, nullable=False),
    Column("kind", String(64), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("delivered_at", UTCDateTime, nullable=True),
    Index(
        "ix_outbox_pending",
        "id",
        sqlite_where=Column("delivered_at").is_(None),
        postgresql_where=Column("delivered_at").is_(None),
    ),
)

admin_audit = Table(
    "admin_audit",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("admin_id", BigInteger, nullable=True, comment="NULL: the command line"),
    Column("action", String(32), nullable=False),
    Column("player_id", BigInteger, nullable=True, index=True),
    Column("details", Text, nullable=False, comment="JSON"),
    Column("created_at", UTCDateTime, nullable=False),
)
