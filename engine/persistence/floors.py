"""Floors the benchmarks stand beside, measured in the same run: the same work without our code.

bench.py's `sqlite_floor` is an action's read-modify-write in raw sqlite3; here the same in raw
asyncpg on one connection, and five subscribers awaited in a bare loop (the event bus without
the bus). Ratios to a floor measured minutes earlier on the same machine hold when the machine
is busy; absolute figures do not.
"""

from __future__ import annotations

import time

import asyncpg  # type: ignore[import-untyped]

from engine.persistence.bench import PLAYERS, Row, latency_row
from engine.persistence.db import Database


async def asyncpg_floor(url: str, actions: int, blob: bytes) -> Row:
    """The action's read-modify-write (read state, write it back under a version check, add a
    ledger row, commit) in raw asyncpg on one connection, one action at a time."""
    db = Database(url)
    dsn = db.url.set(drivername="postgresql").render_as_string(hide_password=False)
    await db.dispose()
    settings = {"search_path": db.schema} if db.schema else {}
    conn = await asyncpg.connect(dsn, server_settings=settings)
    try:
        if db.schema:
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{db.schema}"')
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS floor_s (id int PRIMARY KEY, version int, state text);"
            "CREATE TABLE IF NOT EXISTS floor_l (id bigserial PRIMARY KEY, player int, amount int);"
            "TRUNCATE floor_s, floor_l"
        )
        await conn.executemany(
            "INSERT INTO floor_s VALUES ($1, 0, $2)", [(i, blob.decode()) for i in range(PLAYERS)]
        )
        # asyncpg prepares and caches each statement on first use, as SQLAlchemy's does.
        select = "SELECT state, version FROM floor_s WHERE id = $1"
        update = "UPDATE floor_s SET state = $1, version = $2 WHERE id = $3 AND version = $4"
        insert = "INSERT INTO floor_l (player, amount) VALUES ($1, 1)"
        latencies: list[float] = []
        clock = time.perf_counter
        start = clock()
        for i in range(actions):
            player = i % PLAYERS
            t0 = clock()
            async with conn.transaction():
                state, version = await conn.fetchrow(select, player)
                await conn.execute(update, state, version + 1, player, version)
                await conn.execute(insert, player)
            latencies.append(clock() - t0)
        seconds = clock() - start
    finally:
        await conn.close()
    return latency_row("floor: raw asyncpg read-modify-write", "postgresql", 1, latencies, seconds)


async def bus_floor(events: int) -> Row:
    """Five no-op async subscribers awaited in a bare loop: the bus's work without the bus."""
    counter = [0]

    async def ok(event: object, context: object) -> None:
        counter[0] += 1

    handlers = (ok,) * 5
    latencies: list[float] = []
    clock = time.perf_counter
    start = clock()
    for n in range(events):
        t0 = clock()
        for handler in handlers:
            await handler(n, None)
        latencies.append(clock() - t0)
    seconds = clock() - start
    name = "floor: 5 subscribers awaited in a bare loop"
    return latency_row(name, "memory", 1, latencies, seconds)
