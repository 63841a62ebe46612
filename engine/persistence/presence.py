"""Who can be reached and what is going on: the bot's reachability marks and operator stats.

A user who blocks the bot makes every send fail with 403; the bot marks them inactive (so
broadcasts and reminders skip them) and clears the mark when they come back (Telegram sends a
`my_chat_member` update, or they press /start). Both are single-row updates through the
store's writer, so they queue behind, never beside, the player's own actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select, update

from engine.persistence.releases import active_hash
from engine.persistence.store import Store
from engine.persistence.tables import player_state, players, processed_updates, vip_grants


async def set_reachable(store: Store, player_id: int, reachable: bool, when: datetime) -> bool:
    """Mark the player reachable or not; True when that changed anything."""
    stmt = update(players).where(players.c.id == player_id)
    if reachable:
        stmt = stmt.where(players.c.inactive_since.is_not(None)).values(inactive_since=None)
    else:
        stmt = stmt.where(players.c.inactive_since.is_(None)).values(inactive_since=when)

    def job(conn: Connection) -> int:
        return int(conn.execute(stmt).rowcount)

    return await store.writer.run(job) > 0


async def inactive_since(store: Store, player_id: int) -> datetime | None:
    stmt = select(players.c.inactive_since).where(players.c.id == player_id)
    async with store.db.engine.connect() as conn:
        return (await conn.execute(stmt)).scalar_one_or_none()


@dataclass(frozen=True, slots=True)
class Stats:
    players: int
    active: int
    """Players whose state changed in the last 24 hours."""
    unreachable: int
    vip: int
    actions: int
    """Actions processed in the last 24 hours."""
    release: str | None


async def stats(store: Store, now: datetime) -> Stats:
    since = now - timedelta(days=1)
    async with store.db.engine.connect() as conn:

        async def count(stmt: object) -> int:
            return int((await conn.execute(stmt)).scalar_one())  # type: ignore[call-overload]

        total = await count(select(func.count()).select_from(players))
        active = await count(
            select(func.count()).select_from(player_state).where(player_state.c.updated_at >= since)
        )
        unreachable = await count(
            select(func.count()).select_from(players).where(players.c.inactive_since.is_not(None))
        )
        vip = await count(
            select(func.count(func.distinct(vip_grants.c.player_id))).where(
                vip_grants.c.ended_at.is_(None),
                (vip_grants.c.expires_at.is_(None)) | (vip_grants.c.expires_at > now),
            )
        )
        actions = await count(
            select(func.count())
            .select_from(processed_updates)
            .where(processed_updates.c.created_at >= since)
        )
    return Stats(total, active, unreachable, vip, actions, await active_hash(store.db))
