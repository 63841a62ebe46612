"""VIP reminders before expiry, and the end of VIP when it runs out.

Run every few minutes (and by tests after moving the clock). For each player whose VIP ends
within the largest of vip.yaml's `reminder_days`, one reminder per listed day ("3 days
left", "1 day left") is sent on the right calendar day, each claimed once in `sent_notices`
so restarts and several workers never repeat it. VIP that has run out is expired in the
store (the player keeps their place; gated content locks again), the player is told how to
come back, and a member of the VIP channel is removed from it (ban then unban: a kick that
lets them rejoin later).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from engine.persistence.vipdue import claim_notice, vip_ending_before
from engine.runtime import ExpireVip, Html, Outcome, PlayerState
from engine.telegram.bot.channels import Channels
from engine.telegram.bot.delivery import Delivery
from engine.telegram.bot.present import Outgoing
from engine.telegram.bot.service import BotService

log = logging.getLogger("diana.bot.sweeper")


class VipSweeper:
    def __init__(
        self, service: BotService, bot: Bot, delivery: Delivery, channels: Channels
    ) -> None:
        self.service = service
        self.bot = bot
        self.delivery = delivery
        self.channels = channels

    async def run_once(self) -> tuple[int, int]:
        """(reminders sent, VIPs expired) at the store clock's now."""
        store = self.service.store
        now = store.clock.now()
        story = store.engine.story
        days = story.vip.reminder_days
        horizon = now + timedelta(days=max(days, default=0) + 1)
        reminded = expired = 0
        for due in await vip_ending_before(store, horizon):
            if due.until <= now:
                expired += await self._expire(due.player_id, due.until)
                continue
            left = (due.until - now).total_seconds() / 86_400
            for d in sorted(days):
                if left <= d:
                    key = f"vip-reminder:{due.player_id}:{due.until:%Y%m%d%H%M}:{d}"
                    if await claim_notice(store, key, due.player_id, now):
                        await self._remind(due.player_id, due.until, d)
                        reminded += 1
                    break  # the nearest day only: no "3 days" and "1 day" together
        return reminded, expired

    async def _remind(self, player_id: int, until: datetime, days: int) -> None:
        state = await self.service.store.state(player_id)
        p = self.service.presenter
        tier = self._tier(state.vip_tier, state)
        text = p.text(state, "vip_reminder", tier=tier, until=f"{until:%d/%m/%Y}", days=days)
        await self.delivery.show(player_id, [Outgoing(text)])

    async def _expire(self, player_id: int, until: datetime) -> int:
        store = self.service.store
        before = await store.state(player_id)
        step = await store.act(player_id, ExpireVip(), f"vip-expire:{player_id}:{until:%Y%m%d%H%M}")
        if step.outcome is not Outcome.VIP_EXPIRED:
            return 0
        tier = self._tier(before.vip_tier, step.state)
        chat = self.channels.vip_chat
        if chat is not None and await self.channels.is_member(player_id):
            try:
                await self.bot.ban_chat_member(chat_id=chat, user_id=player_id)
                await self.bot.unban_chat_member(
                    chat_id=chat, user_id=player_id, only_if_banned=True
                )
            except TelegramAPIError as error:
                log.warning("could not remove %s from the VIP channel: %s", player_id, error)
        text = self.service.presenter.text(step.state, "vip_expired", tier=tier)
        await self.delivery.show(player_id, [Outgoing(text)])
        return 1

    def _tier(self, tier: str | None, state: PlayerState) -> Html:
        return self.service.presenter.tier_name(state, tier)
