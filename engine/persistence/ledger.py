"""The append-only points ledger: rows written from the runtime's points events, and the
queries that prove it (every player's ledger sums to the balance stored with their state).

Each user action writes its points events as rows keyed by (idempotency key, position in the
action), a unique pair: a retried update can never add its rows twice, even if every in-memory
guard were bypassed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from engine.persistence.db import Database
from engine.persistence.tables import ledger, player_state
from engine.runtime.events import Event, PointsAwarded, PointsCharged


def ledger_rows(
    player_id: int, events: Iterable[Event], key: str, source: str, now: datetime
) -> list[dict[str, Any]]:
    """One row per PointsAwarded (+) / PointsCharged (-) event, in the order they happened."""
    rows: list[dict[str, Any]] = []
    for event in events:
        kind = type(event)
        if kind is PointsAwarded or kind is PointsCharged:
            assert isinstance(event, PointsAwarded | PointsCharged)
            rows.append(
                {
                    "player_id": player_id,
                    "amount": event.amount if kind is PointsAwarded else -event.amount,
                    "balance_after": event.balance_after,
                    "reason": event.reason,
                    "source": source,
                    "idempotency_key": key,
                    "seq": len(rows),
                    "created_at": now,
                }
            )
    return rows


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    id: int
    amount: int
    balance_after: int
    reason: str
    source: str
    idempotency_key: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Mismatch:
    player_id: int
    ledger_sum: int
    balance: int


async def history(db: Database, player_id: int, limit: int = 20) -> list[LedgerEntry]:
    """The player's latest ledger entries, newest first."""
    stmt = (
        select(
            ledger.c.id,
            ledger.c.amount,
            ledger.c.balance_after,
            ledger.c.reason,
            ledger.c.source,
            ledger.c.idempotency_key,
            ledger.c.created_at,
        )
        .where(ledger.c.player_id == player_id)
        .order_by(ledger.c.id.desc())
        .limit(limit)
    )
    async with db.engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    return [LedgerEntry(*row) for row in rows]


async def ledger_sum(db: Database, player_id: int) -> int:
    stmt = select(func.coalesce(func.sum(ledger.c.amount), 0)).where(
        ledger.c.player_id == player_id
    )
    async with db.engine.connect() as conn:
        return int((await conn.execute(stmt)).scalar_one())


async def mismatches(db: Database) -> list[Mismatch]:
    """Players whose ledger does not sum to their stored balance (always empty, or a bug)."""
    sums = (
        select(ledger.c.player_id, func.sum(ledger.c.amount).label("total"))
        .group_by(ledger.c.player_id)
        .subquery()
    )
    total = func.coalesce(sums.c.total, 0)
    stmt = (
        select(player_state.c.player_id, total, player_state.c.points)
        .select_from(player_state.outerjoin(sums, sums.c.player_id == player_state.c.player_id))
        .where(total != player_state.c.points)
    )
    async with db.engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    return [Mismatch(int(r[0]), int(r[1]), int(r[2])) for r in rows]
