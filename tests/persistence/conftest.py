"""One behavioural suite, two databases: every test that takes `db_url` runs on a SQLite file
in tmp_path and on PostgreSQL in a schema of its own (dropped afterwards), so tests never see
each other's rows. PostgreSQL tests are skipped, saying why, only where no server answers."""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from persistence_helpers import PG_URL, START, STORY
from sqlalchemy import text

from engine.bus import EventBus
from engine.content import Story, load_story
from engine.persistence import Database, FixedClock, Store
from engine.persistence.migrations import upgrade


@functools.cache
def _postgres_problem() -> str | None:
    """None when the server answers; else why not (checked once per session)."""

    async def probe() -> str | None:
        db = Database(PG_URL)
        try:
            async with asyncio.timeout(5), db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return None
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"
        finally:
            await db.dispose()

    return asyncio.run(probe())


def drop_schema(url: str) -> None:
    async def drop() -> None:
        db = Database(url)
        try:
            async with db.engine.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{db.schema}" CASCADE'))
        finally:
            await db.dispose()

    asyncio.run(drop())


@pytest.fixture(scope="session")
def story() -> Story:
    result = load_story(STORY)
    assert result.story is not None, result.diagnostics.sorted()
    return result.story


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'diana.sqlite3'}"
        return
    problem = _postgres_problem()
    if problem:
        pytest.skip(f"PostgreSQL at {PG_URL} does not answer ({problem})")
    url = f"{PG_URL}?schema=t_{uuid.uuid4().hex[:12]}"
    try:
        yield url
    finally:
        drop_schema(url)


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    await upgrade(database)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
async def store(
    db: Database, story: Story, bus: EventBus, clock: FixedClock
) -> AsyncIterator[Store]:
    s = Store(db, story, bus=bus, clock=clock)
    await s.open()
    try:
        yield s
    finally:
        await s.close()
