"""Group commit: one writer, one long-lived connection, many actions per transaction.

Why: SQLAlchemy's async layer costs far more than the database (shared/perf-floor.md: a
read-modify-write is ~0.09 ms in raw sqlite3, ~2.1 ms through SQLAlchemy Core over aiosqlite,
~3 ms through the ORM), and SQLite has one write lock that pooled writers fight over (p99 up
to a second at 16 users). So every write goes through this one writer: callers queue a `Write`
(rows prepared in advance as plain dicts) and await a future; the writer task drains the queue,
writes the whole batch with one executemany per table and one commit (batch.py), and answers
each future only after that commit. The statement count per batch is fixed, so throughput
grows with concurrency while a lone action still costs one short transaction.

Where the batch runs, and the measurements that decided it (this machine, 2 cores; a batch
of one action is 4-6 statements and a commit):

- through an aiosqlite `AsyncConnection`: ~1.4-3 ms per batch. Every statement is three or
  four hops to aiosqlite's thread (cursor, execute, fetch, close).
- on a writer thread with its own pysqlite connection (one hop per batch): ~0.4 ms of work,
  but the thread must win the GIL back after every SQLite call while the event loop computes
  steps, so at 500 actions/s batches of one took 5-20 ms at p99 (GIL convoy).
- inline on the event loop, pysqlite in WAL mode with synchronous=NORMAL: a commit appends
  to the WAL without fsync, so a batch is ~0.1-0.4 ms of CPU and nothing waits on a hop.
  This is what SQLite uses. Nothing here may block the loop on I/O: the writer's connection
  has busy_timeout=0 and a busy lock (another process writing, e.g. `diana load`) is retried
  with `asyncio.sleep` backoff; WAL checkpoints (which fsync) run on a thread, on their own
  connection, when the queue is idle or every `FORCE_CHECKPOINT` commits.

PostgreSQL runs the same synchronous batch code through `AsyncConnection.run_sync` on one
asyncpg connection (each statement is a network round trip there anyway); the batch's guarded
state updates go as one `UPDATE ... FROM unnest(...)`, since asyncpg reports no rowcount for an
executemany and a round trip per row made a batch cost grow with its size (c=128: ~850 ->
~1,600 actions/s).

If a batch cannot commit as a whole (an optimistic version check lost to another worker, an
idempotency key already processed, an invite used up meanwhile), it is rolled back and its
writes are retried one transaction each, so every caller gets its own answer.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection

from engine.persistence import batch as b
from engine.persistence.backends import Backend, backend_for
from engine.persistence.batch import Write, WriteResult
from engine.persistence.db import Database
from engine.persistence.errors import InviteRejected, StoreClosed
from engine.persistence.executors import Executor, Row, Statement

T = TypeVar("T")
log = logging.getLogger("diana.writer")

MAX_BATCH = 512
IDLE_FLUSH_SECONDS = 0.05
CHECKPOINT_AFTER = 200
FORCE_CHECKPOINT = 1_000
BUSY_GIVE_UP_SECONDS = 10.0

__all__ = ["Row", "Write", "WriteResult", "Writer"]


@dataclass(slots=True, eq=False)
class _Job:
    fn: Callable[[Connection], Any]
    future: asyncio.Future[Any]


class Writer:
    """The single writer; see the module docstring."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._backend: Backend = backend_for(db)
        self._queue: list[Write | _Job] = []
        self._wake = asyncio.Event()
        self._delivered: list[Row] = []
        self._task: asyncio.Task[None] | None = None
        self._checkpointing: asyncio.Task[None] | None = None
        self._closing = False
        self._since_checkpoint = 0
        self.batches = 0
        self.writes = 0
        self.busy_waits = 0
        self.observer: Callable[[float, float], None] | None = None
        """Called with (start, end) perf_counter times of every batch's write and commit:
        for `diana bench bot --trace`, which attributes slow updates to what overlapped them."""

    @property
    def inline_reads(self) -> bool:
        """Whether `read` is available (SQLite: a read on the writer's connection, ~20 µs)."""
        return self._backend.inline_reads

    async def start(self) -> None:
        await self._backend.start()
        self._closing = False
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="diana-writer")

    async def stop(self) -> None:
        """Finish what is queued, flush delivery marks, close the connection, checkpoint."""
        if self._task is None:
            return
        self._closing = True
        self._wake.set()
        await self._task
        self._task = None
        await self._flush_marks()
        if self._checkpointing is not None:
            await self._checkpointing
        await self._backend.stop()

    async def write(self, write: Write) -> WriteResult:
        """Queue `write`; returns once it is committed (or known to be a duplicate/conflict)."""
        self._check_open()
        future: asyncio.Future[WriteResult] = asyncio.get_running_loop().create_future()
        write.future = future
        self._queue.append(write)
        self._wake.set()
        return await future

    async def run(self, fn: Callable[[Connection], T]) -> T:
        """Run `fn` alone in its own transaction on the writer's connection (rare writes)."""
        self._check_open()
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append(_Job(fn, future))
        self._wake.set()
        return await future

    def read(self, stmt: Statement, params: Row) -> list[tuple[Any, ...]]:
        """A read on the writer's own connection, between batches (only if `inline_reads`)."""
        self._check_open()
        return self._backend.read(stmt, params)

    def delivered(self, action_id: str, at: datetime) -> None:
        """Mark an action's outbox rows delivered, with a later batch (no commit of its own)."""
        self._delivered.append({"b_action": action_id, "b_at": at})

    def _check_open(self) -> None:
        if self._task is None or self._closing:
            raise StoreClosed("the store is not open (use `async with store:` or `open()`)")

    # -- the loop ----------------------------------------------------------------------------

    async def _loop(self) -> None:
        while True:
            if not self._queue:
                if self._closing:
                    return
                await self._idle()
                continue
            jobs = self._queue[:MAX_BATCH]
            del self._queue[:MAX_BATCH]
            try:
                await self._process(jobs)
            except Exception as exc:  # a bug here must not leave callers waiting forever
                log.exception("the writer failed on a batch; its callers get the error")
                for job in jobs:
                    _settle(job.future, exc=exc)
            if self._since_checkpoint >= FORCE_CHECKPOINT:
                self._start_checkpoint()

    async def _idle(self) -> None:
        """Wait for work; after IDLE_FLUSH_SECONDS without any, do the bookkeeping.

        A timer sets the same event a write sets, so waking up for a write costs one loop
        iteration (`asyncio.wait_for` would cost a task and two more iterations per wake-up).
        """
        self._wake.clear()
        chores = bool(self._delivered) or self._since_checkpoint >= CHECKPOINT_AFTER
        timer = (
            asyncio.get_running_loop().call_later(IDLE_FLUSH_SECONDS, self._wake.set)
            if chores
            else None
        )
        await self._wake.wait()
        if timer is None:
            return
        timer.cancel()
        if self._queue or self._closing:
            return
        await self._flush_marks()
        if self._since_checkpoint >= CHECKPOINT_AFTER:
            self._start_checkpoint()

    async def _process(self, jobs: list[Write | _Job]) -> None:
        pending: list[Write] = []
        for job in jobs:
            if isinstance(job, Write):
                pending.append(job)
                continue
            if pending:
                await self._flush(pending)
                pending = []
            await self._run_job(job)
        if pending:
            await self._flush(pending)

    async def _retry_busy(self, fn: Callable[[Executor], T]) -> T:
        """Run `fn`; while SQLite's write lock is taken elsewhere, wait (not block) and retry."""
        delay, deadline = 0.001, time.monotonic() + BUSY_GIVE_UP_SECONDS
        while True:
            try:
                return await self._backend.run(fn)
            except Exception as exc:
                if not b.is_busy(exc) or time.monotonic() > deadline:
                    raise
            self.busy_waits += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)

    async def _flush(self, batch: list[Write]) -> None:
        # Delivery marks ride along only when plenty are waiting: they are bookkeeping, and a
        # lone action should not pay an extra statement for the previous one's.
        marks: list[Row] = []
        if len(self._delivered) >= 256:
            marks, self._delivered = self._delivered, []
        self.batches += 1
        self.writes += len(batch)
        self._since_checkpoint += 1
        sane = self._backend.sane_rowcount
        started = time.perf_counter()
        try:
            await self._retry_busy(functools.partial(_commit, batch, marks, sane))
        except Exception as exc:
            self._delivered[:0] = marks
            if not isinstance(exc, (b.Conflict, InviteRejected, *b.INTEGRITY_ERRORS)):
                log.warning("batch of %d writes failed (%s); retrying one by one", len(batch), exc)
            await self._one_by_one(batch)
        else:
            if self.observer is not None:
                self.observer(started, time.perf_counter())
            for write in batch:
                _settle(write.future, WriteResult.OK)

    async def _one_by_one(self, batch: list[Write]) -> None:
        todo = batch
        while todo:
            try:
                results = await self._retry_busy(functools.partial(_one_by_one, todo))
            except Exception as exc:  # the connection itself failed
                results = [exc] * len(todo)
            if not results:  # busy before the first write: wait and go on
                await asyncio.sleep(0.005)
                continue
            for write, result in zip(todo, results, strict=False):
                if isinstance(result, Exception):
                    _settle(write.future, exc=result)
                else:
                    _settle(write.future, result)
            todo = todo[len(results) :]

    async def _run_job(self, job: _Job) -> None:
        self._since_checkpoint += 1
        delay, deadline = 0.001, time.monotonic() + BUSY_GIVE_UP_SECONDS
        while True:
            try:
                result = await self._backend.run_job(job.fn)
            except Exception as exc:
                if b.is_busy(exc) and time.monotonic() < deadline:
                    self.busy_waits += 1
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 0.05)
                    continue
                _settle(job.future, exc=exc)
            else:
                _settle(job.future, result)
            return

    async def _flush_marks(self) -> None:
        marks, self._delivered = self._delivered, []
        if not marks:
            return
        try:
            await self._retry_busy(functools.partial(_mark, marks))
        except Exception:
            log.exception(
                "marking %d actions delivered failed; a relay may repeat them", len(marks)
            )

    def _start_checkpoint(self) -> None:
        self._since_checkpoint = 0
        if self._checkpointing is None or self._checkpointing.done():
            self._checkpointing = asyncio.get_running_loop().create_task(self._checkpoint())

    async def _checkpoint(self) -> None:
        try:
            await self._backend.checkpoint("PASSIVE")
        except Exception:
            log.exception("WAL checkpoint failed; the next one will retry")


def _commit(batch: list[Write], marks: list[Row], sane: bool, x: Executor) -> None:
    b.commit_batch(x, batch, marks, sane)


def _one_by_one(batch: list[Write], x: Executor) -> list[WriteResult | Exception]:
    return b.one_by_one(x, batch)


def _mark(marks: list[Row], x: Executor) -> None:
    b.mark_delivered(x, marks)


def _settle(
    future: asyncio.Future[Any] | None, result: Any = None, *, exc: Exception | None = None
) -> None:
    if future is None or future.done():
        return  # the caller gave up (cancelled); the write stands or fails on its own
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)
