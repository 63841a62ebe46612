"""What the VIP sweeper needs from the database: whose VIP ends soon or has ended, and a
once-only claim for each notice it sends (so a restart or a second worker never repeats one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite

from engine.persistence.store import Store
from engine.persistence.tables import UTCDateTime, sent_notices, vip_grants


@dataclass(frozen=True, slots=True)
class VipDue:
    player_id: int
    until: datetime


async def vip_ending_before(store: Store, horizon: datetime) -> list[VipDue]:
    """Players with running VIP (open grants, all with an expiry) ending before `horizon`."""
    latest = func.max(vip_grants.c.expires_at, type_=UTCDateTime())
    stmt = (
        select(vip_grants.c.player_id, latest)
        .where(vip_grants.c.ended_at.is_(None))
        .group_by(vip_grants.c.player_id)
        .having(func.count() == func.count(vip_grants.c.expires_at), latest <= horizon)
        .order_by(vip_grants.c.player_id)
    )
    async with store.db.engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    return [VipDue(int(p), until) for p, until in rows]


async def latest_vip_source(store: Store, player_id: int) -> str | None:
    stmt = (
        select(vip_grants.c.source)
        .where(vip_grants.c.player_id == player_id, vip_grants.c.ended_at.is_(None))
        .order_by(vip_grants.c.id.desc())
        .limit(1)
    )
    async with store.db.engine.connect() as conn:
        return (await conn.execute(stmt)).scalar_one_or_none()


async def claim_notice(store: Store, key: str, player_id: int, when: datetime) -> bool:
    """True the first time `key` is claimed, False ever after."""
    values = {"key": key, "player_id": player_id, "created_at": when}
    dialect = postgresql if store.db.dialect == "postgresql" else sqlite
    stmt = dialect.insert(sent_notices).values(values).on_conflict_do_nothing()

    def job(conn: Connection) -> int:
        return int(conn.execute(stmt).rowcount)

    return await store.writer.run(job) == 1


async def latest_stars_charge(store: Store, player_id: int) -> str | None:
    """The charge id of the player's newest Stars payment still granting VIP."""
    stmt = (
        select(vip_grants.c.charge_id)
        .where(
            vip_grants.c.player_id == player_id,
            vip_grants.c.source == "stars",
            vip_grants.c.ended_at.is_(None),
            vip_grants.c.charge_id.is_not(None),
        )
        .order_by(vip_grants.c.id.desc())
        .limit(1)
    )
    async with store.db.engine.connect() as conn:
        return (await conn.execute(stmt)).scalar_one_or_none()
