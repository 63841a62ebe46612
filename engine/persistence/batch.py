"""What the writer executes: one batch of prepared writes in one transaction, or the same writes
one transaction each when the batch cannot commit as a whole.

Synchronous code over an `Executor` (executors.py), so the very same statements run inline on
SQLite's pysqlite connection and, through `AsyncConnection.run_sync`, on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import enum
import sqlite3
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError, OperationalError

from engine.persistence import statements as st
from engine.persistence.errors import InviteRejected, PlayerExists
from engine.persistence.executors import Executor, Row, Statement

INTEGRITY_ERRORS = (IntegrityError, sqlite3.IntegrityError)


def is_busy(exc: BaseException) -> bool:
    """SQLite's write lock is held by another connection (we never wait for it blocking)."""
    if isinstance(exc, OperationalError):
        exc = exc.orig if isinstance(exc.orig, BaseException) else exc
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


class WriteResult(enum.Enum):
    OK = "ok"
    DUPLICATE = "duplicate"
    """The idempotency key (or payment charge id) was already processed: nothing written."""
    CONFLICT = "conflict"
    """The state's version moved on (another worker): nothing written; reload and retry."""


@dataclass(slots=True, eq=False)
class Write:
    """Everything one action writes, prepared (as plain dicts) before it reaches the writer."""

    player_id: int
    processed: Row
    action_id: str = ""
    """Shared by the action's outbox rows and its `EventContext`."""
    state: Row | None = None
    """UPDATE player_state params (with the version seen), or None when unchanged."""
    new_player: Row | None = None
    new_state: Row | None = None
    profile: Row | None = None
    claim: Row | None = None
    ledger: list[Row] = field(default_factory=list)
    outbox: list[Row] = field(default_factory=list)
    checkins: list[Row] = field(default_factory=list)
    vip_grants: list[Row] = field(default_factory=list)
    vip_end: Row | None = None
    audit: Row | None = None
    future: asyncio.Future[WriteResult] | None = None


class Conflict(Exception):
    """A guarded UPDATE matched no row."""


class Duplicate(Exception):
    """The idempotency key is already in processed_updates."""


def commit_batch(x: Executor, batch: list[Write], marks: list[Row], sane: bool) -> None:
    """All of `batch` (and the delivery marks) in one transaction; raises if any part fails.

    `sane`: the driver reports an executemany's total rowcount (SQLite yes, asyncpg no).
    """
    with x.transaction():
        x.execute(st.INSERT_PROCESSED, [w.processed for w in batch])
        new_players = [w.new_player for w in batch if w.new_player is not None]
        if new_players:
            x.execute(st.INSERT_PLAYER, new_players)
            x.execute(st.INSERT_STATE, [w.new_state for w in batch if w.new_state is not None])
        states = [w.state for w in batch if w.state is not None]
        if not sane and len(states) > 1:  # PostgreSQL: one statement for the whole batch
            columns = {name: [row[key] for row in states] for name, key in st.UNNEST_KEYS}
            if x.execute(st.UPDATE_STATES_UNNEST, [columns]) != len(states):
                raise Conflict
        else:
            _guarded(x, st.UPDATE_STATE, states, sane)
        _guarded(x, st.CLAIM_INVITE, [w.claim for w in batch if w.claim is not None], sane)
        _rows(x, batch)
        if marks:
            x.execute(st.MARK_DELIVERED, marks)


def one_by_one(x: Executor, batch: list[Write]) -> list[WriteResult | Exception]:
    """Each write in its own transaction; the precise answer for each, in order.

    Stops early (a shorter list) when SQLite's write lock is busy: the caller waits, without
    blocking, and goes on with the rest.
    """
    results: list[WriteResult | Exception] = []
    for write in batch:
        try:
            with x.transaction():
                _write_one(x, write)
        except Duplicate:
            results.append(WriteResult.DUPLICATE)
        except Conflict:
            results.append(WriteResult.CONFLICT)
        except Exception as exc:
            if is_busy(exc):
                return results
            results.append(exc)
        else:
            results.append(WriteResult.OK)
    return results


def mark_delivered(x: Executor, marks: list[Row]) -> None:
    with x.transaction():
        x.execute(st.MARK_DELIVERED, marks)


def _guarded(x: Executor, stmt: Statement, rows: list[Row], sane: bool) -> None:
    """A guarded UPDATE per row; a row that matched nothing fails the whole batch."""
    if not rows:
        return
    if sane:
        if x.execute(stmt, rows) != len(rows):
            raise Conflict
        return
    for row in rows:
        if x.execute(stmt, [row]) != 1:
            raise Conflict


def _write_one(x: Executor, w: Write) -> None:
    try:
        x.execute(st.INSERT_PROCESSED, [w.processed])
    except INTEGRITY_ERRORS:
        raise Duplicate from None
    if w.new_player is not None and w.new_state is not None:
        try:
            x.execute(st.INSERT_PLAYER, [w.new_player])
        except INTEGRITY_ERRORS:
            raise PlayerExists(w.player_id) from None
        x.execute(st.INSERT_STATE, [w.new_state])
    if w.state is not None and x.execute(st.UPDATE_STATE, [w.state]) != 1:
        raise Conflict
    if w.claim is not None and x.execute(st.CLAIM_INVITE, [w.claim]) != 1:
        raise InviteRejected(str(w.claim["b_token"]))
    try:
        _rows(x, [w])
    except INTEGRITY_ERRORS as exc:
        if w.vip_grants and "charge_id" in str(exc):
            raise Duplicate from None  # the same Stars charge under another idempotency key
        raise


def _rows(x: Executor, batch: list[Write]) -> None:
    """The append-only rows of a batch: one executemany per table that has any."""
    for stmt, rows in (
        (st.UPDATE_PROFILE, [w.profile for w in batch if w.profile is not None]),
        (st.INSERT_LEDGER, [r for w in batch for r in w.ledger]),
        (st.INSERT_OUTBOX, [r for w in batch for r in w.outbox]),
        (st.INSERT_CHECKIN, [r for w in batch for r in w.checkins]),
        (st.END_VIP, [w.vip_end for w in batch if w.vip_end is not None]),
        (st.INSERT_VIP, [r for w in batch for r in w.vip_grants]),
        (st.INSERT_AUDIT, [w.audit for w in batch if w.audit is not None]),
    ):
        if rows:
            x.execute(stmt, rows)
