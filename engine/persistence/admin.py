"""Operators' services: grant or revoke points, grant or extend VIP, reset progress, block,
create invite tokens, look a player up. Every one writes an `admin_audit` row in the same
transaction as its change (a lookup too: reading a player's data is worth a trace).

Admin actions are not the player's engagement: they go through the same store path as a
player's action (ledger rows, optimistic version, outbox) but keep the player's `last_seen`,
touch no engagement counters and record no check-in. Whether the caller may do this (the
`admin` role) is the adapter's check, helped by `is_admin`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, func, select, update

from engine.persistence.errors import UnknownPlayer
from engine.persistence.ledger import LedgerEntry, history
from engine.persistence.rows import Extras
from engine.persistence.statements import INSERT_AUDIT
from engine.persistence.store import Store
from engine.persistence.tables import (
    admin_audit,
    checkins,
    invite_tokens,
    player_state,
    players,
    vip_grants,
)
from engine.runtime import (
    AdminGrant,
    ExpireVip,
    InvalidArgument,
    Outcome,
    Output,
    PlayerState,
    loads_state,
)
from engine.runtime import Step as RuntimeStep


@dataclass(frozen=True, slots=True)
class VipGrant:
    tier: str
    source: str
    starts_at: datetime
    expires_at: datetime | None
    ended_at: datetime | None
    charge_id: str | None
    granted_by: int | None


@dataclass(frozen=True, slots=True)
class PlayerReport:
    """What an operator sees when looking a player up."""

    player_id: int
    name: str
    language: str
    timezone: str
    role: str
    blocked: bool
    created_at: datetime
    state: PlayerState
    version: int
    checkins: int
    ledger: list[LedgerEntry]
    vip: list[VipGrant]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    admin_id: int | None
    action: str
    player_id: int | None
    details: dict[str, Any]
    created_at: datetime


class AdminService:
    """Audited operator actions on top of a running `Store` (same writer, same cache)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def grant_points(
        self,
        admin_id: int | None,
        player_id: int,
        amount: int,
        *,
        note: str = "",
        key: str | None = None,
    ) -> RuntimeStep:
        if amount <= 0:
            raise InvalidArgument("grant a positive amount (revoke_points takes points away)")
        return await self._grant(
            admin_id,
            player_id,
            AdminGrant(points=amount),
            "grant_points",
            {"amount": amount, "note": note},
            key,
        )

    async def revoke_points(
        self,
        admin_id: int | None,
        player_id: int,
        amount: int,
        *,
        note: str = "",
        key: str | None = None,
    ) -> RuntimeStep:
        """Take up to `amount` points; the balance never goes below zero."""
        if amount <= 0:
            raise InvalidArgument("revoke a positive amount")
        return await self._grant(
            admin_id,
            player_id,
            AdminGrant(points=-amount),
            "revoke_points",
            {"amount": amount, "note": note},
            key,
        )

    async def grant_vip(
        self,
        admin_id: int | None,
        player_id: int,
        *,
        days: int | None = None,
        tier: str | None = None,
        note: str = "",
        key: str | None = None,
    ) -> RuntimeStep:
        """Grant VIP, or extend VIP that is still running, by `days` (vip.yaml's default)."""
        days = self.store.engine.story.vip.admin_grant_days if days is None else days
        if days <= 0:
            raise InvalidArgument("grant at least one day of VIP")
        trigger = AdminGrant(vip_days=days, tier=tier)
        details = {"days": days, "tier": tier, "note": note}
        return await self._grant(admin_id, player_id, trigger, "grant_vip", details, key)

    async def revoke_vip(
        self, admin_id: int | None, player_id: int, *, note: str = "", key: str | None = None
    ) -> RuntimeStep:
        store = self.store
        extras = self._extras(admin_id, "revoke_vip", {"note": note})
        return await store.perform(
            player_id, lambda s, t: store.engine.trigger(s, ExpireVip(), t), key, None, extras
        )

    async def reset_progress(
        self, admin_id: int | None, player_id: int, *, note: str = "", key: str | None = None
    ) -> PlayerState:
        """Back to the story's beginning (not started). Points, VIP, streak and achievements
        stay: they were earned or paid for, and the ledger keeps matching the balance."""
        store = self.store

        def compute(state: PlayerState, now: datetime) -> RuntimeStep:
            fresh = store.engine.new_player(
                seed=state.seed, language=state.language, timezone=state.timezone, name=state.name
            ).state
            reset = fresh._replace(
                points=state.points,
                lifetime_points=state.lifetime_points,
                vip_tier=state.vip_tier,
                vip_until=state.vip_until,
                streak=state.streak,
                last_checkin=state.last_checkin,
                engagement=state.engagement,
                achievements=state.achievements,
                step=state.step + 1,
                last_seen=state.last_seen,
            )
            return RuntimeStep(reset, Output(), (), Outcome.UNCHANGED)

        extras = self._extras(admin_id, "reset_progress", {"note": note})
        return (await store.perform(player_id, compute, key, None, extras)).state

    async def block(
        self, admin_id: int | None, player_id: int, blocked: bool = True, *, note: str = ""
    ) -> None:
        """Block (or unblock) a player: their actions raise PlayerBlocked until unblocked."""
        await self._update_player(
            admin_id, player_id, {"blocked": blocked}, "block" if blocked else "unblock", note
        )

    async def set_role(
        self, admin_id: int | None, player_id: int, role: str, *, note: str = ""
    ) -> None:
        if role not in {"player", "admin"}:
            raise InvalidArgument(f"role must be player or admin, not {role!r}")
        await self._update_player(admin_id, player_id, {"role": role}, "set_role", note)

    async def is_admin(self, player_id: int) -> bool:
        stmt = select(players.c.role).where(players.c.id == player_id)
        async with self.store.db.engine.connect() as conn:
            return (await conn.execute(stmt)).scalar_one_or_none() == "admin"

    async def create_invite(
        self,
        admin_id: int | None,
        *,
        tier: str | None = None,
        days: int | None = None,
        max_uses: int = 1,
        expires_at: datetime | None = None,
        note: str = "",
    ) -> str:
        """A new invite token (for a `t.me/<bot>?start=<token>` link)."""
        vip = self.store.engine.story.vip
        if tier is not None and all(t.id != tier for t in vip.tiers):
            raise InvalidArgument(f"unknown VIP tier {tier!r}")
        if max_uses < 1:
            raise InvalidArgument("an invite needs at least one use")
        # The dash marks a token apart from chapter ids in /start links (t.me/bot?start=...).
        token = f"inv-{secrets.token_urlsafe(12)}"
        now = self.store.clock.now()
        row = {
            "token": token,
            "tier": tier,
            "days": days,
            "max_uses": max_uses,
            "uses": 0,
            "created_by": admin_id,
            "created_at": now,
            "expires_at": expires_at,
            "revoked": False,
        }
        details = {"token": token, "tier": tier, "days": days, "max_uses": max_uses, "note": note}

        def job(conn: Connection) -> None:
            conn.execute(invite_tokens.insert(), row)
            conn.execute(INSERT_AUDIT, _audit(admin_id, "create_invite", None, details, now))

        await self.store.writer.run(job)
        return token

    async def lookup(self, admin_id: int | None, player_id: int) -> PlayerReport:
        """Everything about one player (audited)."""
        db = self.store.db
        async with db.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(players, player_state.c.state, player_state.c.version)
                    .join(player_state, player_state.c.player_id == players.c.id)
                    .where(players.c.id == player_id)
                )
            ).first()
            if row is None:
                raise UnknownPlayer(player_id)
            count = (
                await conn.execute(
                    select(func.count())
                    .select_from(checkins)
                    .where(checkins.c.player_id == player_id)
                )
            ).scalar_one()
            grants = (
                await conn.execute(
                    select(
                        vip_grants.c.tier,
                        vip_grants.c.source,
                        vip_grants.c.starts_at,
                        vip_grants.c.expires_at,
                        vip_grants.c.ended_at,
                        vip_grants.c.charge_id,
                        vip_grants.c.granted_by,
                    )
                    .where(vip_grants.c.player_id == player_id)
                    .order_by(vip_grants.c.id)
                )
            ).all()
        m = row._mapping
        report = PlayerReport(
            player_id=player_id,
            name=m["name"],
            language=m["language"],
            timezone=m["timezone"],
            role=m["role"],
            blocked=bool(m["blocked"]),
            created_at=m["created_at"],
            state=loads_state(m["state"]),
            version=int(m["version"]),
            checkins=int(count),
            ledger=await history(db, player_id, limit=20),
            vip=[VipGrant(*g) for g in grants],
        )
        now = self.store.clock.now()

        def job(conn: Connection) -> None:
            conn.execute(INSERT_AUDIT, _audit(admin_id, "lookup", player_id, {}, now))

        await self.store.writer.run(job)
        return report

    async def audit_log(self, *, player_id: int | None = None, limit: int = 50) -> list[AuditEntry]:
        """The latest audit entries (for one player, or all), newest first."""
        stmt = select(admin_audit).order_by(admin_audit.c.id.desc()).limit(limit)
        if player_id is not None:
            stmt = stmt.where(admin_audit.c.player_id == player_id)
        async with self.store.db.engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        return [
            AuditEntry(
                r.id, r.admin_id, r.action, r.player_id, orjson.loads(r.details), r.created_at
            )
            for r in rows
        ]

    # -- internals ---------------------------------------------------------------------------

    async def _grant(
        self,
        admin_id: int | None,
        player_id: int,
        trigger: AdminGrant,
        action: str,
        details: dict[str, Any],
        key: str | None,
    ) -> RuntimeStep:
        store = self.store
        extras = self._extras(admin_id, action, details)
        return await store.perform(
            player_id, lambda s, t: store.engine.trigger(s, trigger, t), key, None, extras
        )

    def _extras(self, admin_id: int | None, action: str, details: dict[str, Any]) -> Extras:
        return Extras(
            "admin",
            granted_by=admin_id,
            audit=(admin_id, action, orjson.dumps(details).decode()),
            keep_last_seen=True,
            admin=True,
        )

    async def _update_player(
        self,
        admin_id: int | None,
        player_id: int,
        values: dict[str, Any],
        action: str,
        note: str,
    ) -> None:
        now = self.store.clock.now()
        details = {**values, "note": note}

        def job(conn: Connection) -> None:
            result = conn.execute(
                update(players).where(players.c.id == player_id).values(**values, updated_at=now)
            )
            if result.rowcount != 1:
                raise UnknownPlayer(player_id)
            conn.execute(INSERT_AUDIT, _audit(admin_id, action, player_id, details, now))

        await self.store.writer.run(job)
        self.store.forget(player_id)


def _audit(
    admin_id: int | None, action: str, player_id: int | None, details: dict[str, Any], now: datetime
) -> dict[str, Any]:
    return {
        "admin_id": admin_id,
        "action": action,
        "player_id": player_id,
        "details": orjson.dumps(details).decode(),
        "created_at": now,
    }
