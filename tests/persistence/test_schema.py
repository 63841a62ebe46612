"""The Alembic migrations build exactly the tables the code describes, on both databases, and
URLs, pragmas and the clock behave as documented."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from engine.persistence import Database, FixedClock, SchemaNotReady, Store
from engine.persistence.db import parse_url, resolve_url
from engine.persistence.migrations import current, downgrade, head, require_current, upgrade
from engine.persistence.tables import metadata


async def test_migrations_match_the_tables(db: Database):
    async with db.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda c: compare_metadata(
                MigrationContext.configure(c, opts={"compare_type": True}), metadata
            )
        )
    assert diff == []
    assert await current(db) == head()
    await downgrade(db, "base")
    assert await current(db) is None
    with pytest.raises(SchemaNotReady, match="diana db upgrade"):
        await require_current(db)
    assert await upgrade(db) == (None, head())


async def test_a_store_refuses_a_database_without_schema(db_url: str, story):
    database = Database(db_url)
    try:
        with pytest.raises(SchemaNotReady):
            await Store(database, story).open()
    finally:
        await database.dispose()


async def test_sqlite_pragmas(tmp_path: Path):
    database = Database(f"sqlite:///{tmp_path / 'nested' / 'x.db'}")
    try:
        async with database.engine.connect() as conn:
            values = [
                (await conn.execute(text(f"PRAGMA {name}"))).scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            ]
        assert values == ["wal", 1, 1, 5000]
    finally:
        await database.dispose()


def test_urls(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("DIANA_DATABASE_URL", raising=False)
    assert resolve_url(None) == "sqlite:///data/diana.sqlite3"
    assert resolve_url("x.db") == "x.db"
    url, schema = parse_url("postgresql://u@h/db?schema=s1")
    assert (url.drivername, url.database, schema, dict(url.query)) == (
        "postgresql+asyncpg",
        "db",
        "s1",
        {},
    )
    assert parse_url("data/x.db")[0].drivername == "sqlite+aiosqlite"
    with pytest.raises(ValueError, match="in-memory"):
        parse_url("sqlite://")
    with pytest.raises(ValueError, match="unsupported"):
        parse_url("mysql://u@h/db")


def test_fixed_clock():
    start = datetime(2025, 3, 1, tzinfo=UTC)
    clock = FixedClock(start)
    assert clock.advance(days=1) == start + timedelta(days=1)
    clock.set(start)
    assert clock.now() == start
    with pytest.raises(ValueError, match="aware"):
        FixedClock(datetime(2025, 3, 1))
