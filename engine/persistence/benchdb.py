"""Throwaway databases for the benchmarks: a SQLite file in a temporary folder, or a
PostgreSQL schema of their own (dropped afterwards), and why PostgreSQL was skipped when it is
not up (a skipped row says so rather than vanishing).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from sqlalchemy import text

from engine.persistence.db import Database

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
PG_ENV = "DIANA_BENCH_POSTGRES_URL"
Backend = Literal["sqlite", "postgresql"]


class Unreachable(Exception):
    """The database to measure does not answer; the message says why (for a skipped row)."""


def postgres_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get(PG_ENV) or DEFAULT_PG


async def postgres_problem(url: str) -> str | None:
    """None when a server answers at `url` within 5 s; else why not."""
    db = Database(url)
    try:
        async with asyncio.timeout(5), db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return None
    except Exception as exc:
        return f"PostgreSQL at {url} does not answer ({type(exc).__name__}: {exc})"
    finally:
        await db.dispose()


async def drop_schema(url: str) -> None:
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{db.schema}" CASCADE'))
    finally:
        await db.dispose()


@asynccontextmanager
async def scratch(backend: Backend, postgres: str | None = None) -> AsyncIterator[str]:
    """The URL of an empty database: a SQLite file in a temporary folder, or a PostgreSQL
    schema of its own (dropped afterwards). Raises Unreachable when PostgreSQL is not up."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="diana-bench-") as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3"
        return
    base = postgres_url(postgres)
    problem = await postgres_problem(base)
    if problem:
        raise Unreachable(problem)
    url = f"{base}{'&' if '?' in base else '?'}schema=bench_{uuid.uuid4().hex[:10]}"
    try:
        yield url
    finally:
        await drop_schema(url)
