"""Where the writer's batches run (writer.py explains the choice and its measurements).

- `SQLiteInline`: one pysqlite connection used synchronously on the event loop: autocommit
  mode with explicit BEGIN IMMEDIATE, busy_timeout=0 (the writer retries a busy lock with
  `asyncio.sleep`, never blocking), WAL checkpoints on a thread with their own connection.
- `AsyncBackend`: PostgreSQL, one asyncpg connection, the sync code through `run_sync`.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import StaticPool

from engine.persistence.db import Database, sqlite_pragmas
from engine.persistence.executors import Executor, Row, SAExecutor, SQLiteExecutor, Statement

T = TypeVar("T")


class Backend:
    """Runs synchronous statement code on the writer's connection."""

    sane_rowcount = True
    inline_reads = False

    async def start(self) -> None:
        raise NotImplementedError

    async def run(self, fn: Callable[[Executor], T]) -> T:
        raise NotImplementedError

    async def run_job(self, fn: Callable[[Connection], T]) -> T:
        """`fn` with a SQLAlchemy connection, in its own transaction."""
        raise NotImplementedError

    def read(self, stmt: Statement, params: Row) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    async def checkpoint(self, mode: str) -> None:
        return None

    async def stop(self) -> None:
        raise NotImplementedError


class SQLiteInline(Backend):
    """SQLite: one pysqlite connection used synchronously on the event loop (see above)."""

    inline_reads = True

    def __init__(self, db: Database) -> None:
        self.db = db
        self.engine: Engine | None = None
        self.conn: Connection | None = None
        self.executor: SQLiteExecutor | None = None

    async def start(self) -> None:
        engine = create_engine(self.db.url.set(drivername="sqlite"), poolclass=StaticPool)
        event.listen(engine, "connect", _writer_connection)
        event.listen(engine, "begin", _begin_immediate)
        self.engine = engine
        self.conn = engine.connect()
        dbapi = self.conn.connection.dbapi_connection
        assert isinstance(dbapi, sqlite3.Connection)
        self.executor = SQLiteExecutor(dbapi, engine.dialect)

    async def run(self, fn: Callable[[Executor], T]) -> T:
        assert self.executor is not None
        return fn(self.executor)

    async def run_job(self, fn: Callable[[Connection], T]) -> T:
        assert self.conn is not None
        return _in_transaction(fn, self.conn)

    def read(self, stmt: Statement, params: Row) -> list[tuple[Any, ...]]:
        assert self.executor is not None
        return self.executor.fetch(stmt, params)

    async def checkpoint(self, mode: str) -> None:
        assert self.db.url.database is not None
        await asyncio.to_thread(_checkpoint, Path(self.db.url.database), mode)

    async def stop(self) -> None:
        assert self.conn is not None and self.engine is not None
        self.conn.close()
        self.engine.dispose()
        await self.checkpoint("TRUNCATE")


class AsyncBackend(Backend):
    """PostgreSQL: one asyncpg connection, the sync batch code through `run_sync`."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.conn: Any = None

    async def start(self) -> None:
        self.conn = await self.db.engine.connect()
        self.sane_rowcount = self.conn.dialect.supports_sane_multi_rowcount

    async def run(self, fn: Callable[[Executor], T]) -> T:
        result: T = await self.conn.run_sync(lambda c: fn(SAExecutor(c)))
        return result

    async def run_job(self, fn: Callable[[Connection], T]) -> T:
        result: T = await self.conn.run_sync(functools.partial(_in_transaction, fn))
        return result

    async def stop(self) -> None:
        await self.conn.close()


def _writer_connection(dbapi: Any, _record: Any) -> None:
    sqlite_pragmas(dbapi, _record)
    dbapi.isolation_level = None  # autocommit: transactions are explicit (BEGIN IMMEDIATE)
    cursor = dbapi.cursor()
    cursor.execute("PRAGMA busy_timeout=0")  # never block the event loop on another writer
    cursor.execute("PRAGMA wal_autocheckpoint=0")  # checkpoints run on a thread instead
    cursor.close()


def _begin_immediate(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _checkpoint(path: Path, mode: str) -> None:
    conn = sqlite3.connect(path, timeout=5.0)
    try:
        conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchall()
    finally:
        conn.close()


def _in_transaction(fn: Callable[[Connection], T], conn: Connection) -> T:
    with conn.begin():
        return fn(conn)


def backend_for(db: Database) -> Backend:
    return SQLiteInline(db) if db.is_sqlite else AsyncBackend(db)
