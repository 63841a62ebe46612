"""Admin commands in the chat: configured admins only, every action audited by AdminService.

A non-admin gets exactly what an unknown command gets, so the commands cannot even be probed.
Replies are in the admin's own language, from bot.yaml.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from engine.content import load_story
from engine.content.compiled import Story
from engine.persistence import AdminService, UnknownPlayer
from engine.persistence.presence import stats
from engine.persistence.releases import plan_release, publish
from engine.runtime import Html, PlayerState
from engine.telegram.bot.present import Outgoing
from engine.telegram.bot.service import BotService, Person
from engine.telegram.bot.vip import VipSales

USAGE = {
    "grant": "/grant ID AMOUNT [note]",
    "vip_grant": "/vip_grant ID [DAYS]",
    "player": "/player ID",
    "reset": "/reset ID",
    "publish": "/publish",
    "stats": "/stats",
    "invite": "/invite [DAYS] [USES]",
    "refund": "/refund ID CHARGE_ID",
}
"""The admin commands and their arguments (command names are the same in every language)."""


class _Usage(Exception):
    pass


class AdminCommands:
    def __init__(
        self,
        service: BotService,
        admin_ids: frozenset[int],
        content_dir: Path,
        on_story: Callable[[Story], None],
        vip: VipSales,
        notify: Callable[[int, list[Outgoing]], None],
    ) -> None:
        self.service = service
        self.admin_ids = admin_ids
        self.content_dir = content_dir
        self.on_story = on_story
        self.vip = vip
        self.notify = notify
        """Send messages to another player (a refunded one)."""
        self.admin = AdminService(service.store)
        self.bot_username = ""

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admin_ids

    async def run(self, person: Person, command: str, args: str, key: str) -> list[Outgoing]:
        service = self.service
        if command not in USAGE or not self.is_admin(person.id):
            return await service.say(person, "unknown_command")
        state = await service.player(person)
        p = service.presenter
        try:
            parts = args.split()
            if command == "publish":
                return [Outgoing(await self._publish(state))]
            if command == "stats":
                return [Outgoing(await self._stats(state))]
            if command == "invite":
                return [Outgoing(await self._invite(state, person.id, parts))]
            if not parts or not parts[0].lstrip("-").isdigit():
                raise _Usage
            target = int(parts[0])
            if command == "grant":
                if len(parts) < 2 or not parts[1].isdigit() or int(parts[1]) <= 0:
                    raise _Usage
                amount = int(parts[1])
                note = " ".join(parts[2:])
                step = await self.admin.grant_points(person.id, target, amount, note=note, key=key)
                text = p.text(
                    state, "admin_points", player=target, amount=amount, balance=step.state.points
                )
            elif command == "vip_grant":
                if len(parts) > 2 or (len(parts) == 2 and not parts[1].isdigit()):
                    raise _Usage
                days = int(parts[1]) if len(parts) == 2 else None
                step = await self.admin.grant_vip(person.id, target, days=days, key=key)
                after = step.state
                until = after.vip_until.strftime("%d/%m/%Y %H:%M UTC") if after.vip_until else "∞"
                text = p.text(
                    state, "admin_vip", player=target, tier=after.vip_tier or "", until=until
                )
            elif command == "refund":
                if len(parts) != 2:
                    raise _Usage
                text = await self._refund(state, person.id, target, parts[1], key)
            elif command == "reset":
                await self.admin.reset_progress(person.id, target, key=key)
                text = p.text(state, "admin_reset", player=target)
            else:
                text = await self._lookup(state, person.id, target)
        except _Usage:
            text = p.text(state, "admin_usage", usage=USAGE[command])
        except UnknownPlayer:
            text = p.text(state, "admin_no_player", player=args.split(maxsplit=1)[0])
        return [Outgoing(text)]

    async def _lookup(self, state: PlayerState, admin_id: int, target: int) -> str:
        report = await self.admin.lookup(admin_id, target)
        p = self.service.presenter
        lines = [
            f"{e.created_at:%d/%m %H:%M} {e.amount:+d} {e.reason} → {e.balance_after}"
            for e in report.ledger[:8]
        ]
        vip = report.state.vip_tier or "—"
        if report.state.vip_until is not None:
            vip += f" ({report.state.vip_until:%d/%m/%Y})"
        return p.text(
            state,
            "admin_player",
            player=target,
            player_name=report.name,
            language=report.language,
            fragment=report.state.fragment or "—",
            balance=report.state.points,
            vip=vip,
            blocked=report.blocked,
            checkins=report.checkins,
            recent="\n".join(lines),
        )

    async def _publish(self, state: PlayerState) -> str:
        store = self.service.store
        p = self.service.presenter
        result = await asyncio.to_thread(load_story, self.content_dir)
        if not result.ok or result.story is None:
            errors = result.diagnostics.errors
            first = str(errors[0]) if errors else "?"
            return p.text(state, "admin_invalid", count=len(errors), first=first)
        story = result.story
        now = store.clock.now()
        plan = await plan_release(store.db, story, now)
        release, created = await publish(store.db, story, now)
        if not created:
            return p.text(state, "admin_unchanged")
        self.on_story(story)
        return p.text(
            state, "admin_published", release=release.content_hash[:12], moved=plan.players_moved
        )

    async def _invite(self, state: PlayerState, admin_id: int, parts: list[str]) -> str:
        if len(parts) > 2 or not all(p.isdigit() and int(p) > 0 for p in parts):
            raise _Usage
        vip = self.service.store.engine.story.vip
        days = int(parts[0]) if parts else vip.invite_days
        uses = int(parts[1]) if len(parts) > 1 else 1
        token = await self.admin.create_invite(admin_id, days=days, max_uses=uses)
        if not self.bot_username:
            self.bot_username = (await self.vip.bot.me()).username or ""
        link = f"https://t.me/{self.bot_username}?start={token}"
        return self.service.presenter.text(state, "admin_invite", link=link, days=days, uses=uses)

    async def _refund(
        self, state: PlayerState, admin_id: int, player: int, charge: str, key: str
    ) -> str:
        p = self.service.presenter
        before = await self.service.store.state(player)
        ok, error, after = await self.vip.refund(self.admin, admin_id, player, charge, key)
        if not ok or after is None:
            return p.text(state, "admin_refund_failed", error=error)
        tier = self.vip.tier_name(before, before.vip_tier)
        self.notify(player, [Outgoing(p.text(after, "vip_refunded", tier=tier))])
        return p.text(state, "admin_refunded", player=player, charge=charge)

    async def _stats(self, state: PlayerState) -> str:
        s = await stats(self.service.store, self.service.store.clock.now())
        return self.service.presenter.text(
            state,
            "admin_stats",
            players=s.players,
            active=s.active,
            vip=s.vip,
            actions=s.actions,
            release=Html((s.release or "—")[:12]),
        )
