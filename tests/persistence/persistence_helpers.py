"""Small checks shared by the persistence tests (read the database directly, no mocks)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from engine.persistence import Database
from engine.persistence.ledger import mismatches
from engine.persistence.tables import (
    admin_audit,
    checkins,
    ledger,
    outbox,
    player_state,
    players,
    processed_updates,
    vip_grants,
)
from engine.runtime import loads_state

STORY = Path(__file__).parent / "story"
START = datetime(2025, 3, 1, 10, tzinfo=UTC)
PG_URL = os.environ.get("DIANA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


async def rows(db: Database, table: Any, **where: object) -> list[Any]:
    stmt = select(table)
    for column, value in where.items():
        stmt = stmt.where(table.c[column] == value)
    async with db.engine.connect() as conn:
        return list((await conn.execute(stmt)).all())


async def count(db: Database, table: Any, **where: object) -> int:
    stmt = select(func.count()).select_from(table)
    for column, value in where.items():
        stmt = stmt.where(table.c[column] == value)
    async with db.engine.connect() as conn:
        return int((await conn.execute(stmt)).scalar_one())


async def assert_consistent(db: Database) -> None:
    """Every ledger sums to its stored balance; every state loads and agrees with its columns."""
    assert await mismatches(db) == []
    for row in await rows(db, player_state):
        state = loads_state(row.state)
        assert state.points == row.points >= 0
        assert state.fragment == row.fragment


__all__ = [
    "PG_URL",
    "START",
    "STORY",
    "admin_audit",
    "assert_consistent",
    "checkins",
    "count",
    "ledger",
    "outbox",
    "players",
    "processed_updates",
    "rows",
    "vip_grants",
]
