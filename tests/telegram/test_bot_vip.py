"""End to end: VIP with Telegram Stars, refunds, invite links, the VIP channel, reminders.

The fake Bot API plays Telegram's side of each flow (invoice links, pre-checkout queries,
successful payments and their redelivery, refunds, join requests, chat_member updates), every
request checked against the official spec."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from bot_harness import ADMIN, TOKEN, Harness, running_bot
from sqlalchemy import func, select

from engine.persistence.tables import vip_grants
from engine.telegram.botapi import BotApiSpec, FakeBotAPI, ScriptedUser
from engine.telegram.botapi.channels import ScriptedChat


@dataclass
class World:
    h: Harness
    vip_channel: ScriptedChat
    kinkys: ScriptedChat


@asynccontextmanager
async def world(spec: BotApiSpec, tmp_path: Path) -> AsyncIterator[World]:
    """The shipped story's chats exist: the VIP channel and Los Kinkys with its discussion."""
    server = await FakeBotAPI(TOKEN, spec=spec).start()
    try:
        vip = server.channel("El Diván", username="eldivan_vip")
        kinkys = server.channel(
            "Los Kinkys", username="loskinkys", discussion="Los Kinkys · charla"
        )
        async with running_bot(spec, tmp_path / "d.sqlite3", server=server) as h:
            yield World(h, vip, kinkys)
    finally:
        await server.stop()


@asynccontextmanager
async def vip_world(spec: BotApiSpec, tmp_path: Path) -> AsyncIterator[Harness]:
    async with world(spec, tmp_path) as w:
        yield w.h


def link_of(user: ScriptedUser) -> str:
    for message in reversed(user.messages):
        for button in message.buttons():
            if "url" in button:
                return str(button["url"])
    raise AssertionError("no invoice link shown")


async def vip_until(h: Harness, player: int) -> object:
    state = await h.diana.store.state(player)
    return state.vip_until if state.vip_active(h.clock.now()) else None


async def grants(h: Harness, player: int) -> int:
    async with h.diana.db.engine.connect() as conn:
        stmt = select(func.count()).select_from(vip_grants).where(vip_grants.c.player_id == player)
        return int((await conn.execute(stmt)).scalar_one())


async def test_buy_vip_with_stars_then_read_a_gated_chapter(
    bot_api_spec: BotApiSpec, tmp_path: Path
) -> None:
    async with vip_world(bot_api_spec, tmp_path) as h:
        ana = h.server.user(1001, "Ana")
        await h.send(ana, "/start divan")
        locked = await h.diana.store.state(1001)
        assert not locked.vip_active(h.clock.now())
        assert locked.fragment is None or not locked.fragment.startswith("divan")
        await h.send(ana, "/vip")
        assert "250 ⭐" in (ana.last_message().text or "")
        payment = await ana.pay(link_of(ana))
        await h.settle()
        assert payment.charge is not None
        until = await vip_until(h, 1001)
        assert until is not None
        assert "bienvenida" in " ".join(m.text or "" for m in ana.messages[-3:])
        await h.send(ana, "/start divan")
        assert (await h.diana.store.state(1001)).fragment == "divan_umbral"
        # The same payment delivered again grants nothing more.
        await ana.redeliver(payment)
        await h.settle()
        assert await vip_until(h, 1001) == until
        assert await grants(h, 1001) == 1
        # A renewal (a new charge) extends by one period.
        await ana.renew(payment)
        await h.settle()
        renewed = await vip_until(h, 1001)
        assert renewed is not None and renewed - until == timedelta(days=30)  # type: ignore[operator]
        # Cancelling stops renewals; the VIP already paid for runs to its end.
        await h.send(ana, "/vip cancel")
        assert "Renovación cancelada" in (ana.last_message().text or "")
        with pytest.raises(ValueError, match="canceled"):
            await ana.renew(payment)
        assert await vip_until(h, 1001) == renewed


async def test_a_checkout_for_a_changed_offer_is_refused(
    bot_api_spec: BotApiSpec, tmp_path: Path
) -> None:
    async with vip_world(bot_api_spec, tmp_path) as h:
        ana = h.server.user(1001, "Ana")
        await h.send(ana, "/vip")
        link = link_of(ana)
        invoice = h.server.payments.find_invoice(link)
        invoice.payload = "vip:divan_mensual:1"  # as if the price had changed since
        payment = await ana.pay(link)
        await h.settle()
        assert payment.charge is None
        assert await vip_until(h, 1001) is None


async def test_a_refund_revokes_vip(bot_api_spec: BotApiSpec, tmp_path: Path) -> None:
    async with vip_world(bot_api_spec, tmp_path) as h:
        ana = h.server.user(1001, "Ana")
        admin = h.server.user(ADMIN, "Root")
        await h.send(ana, "/vip")
        payment = await ana.pay(link_of(ana))
        await h.settle()
        assert payment.charge is not None and await vip_until(h, 1001) is not None
        await h.send(admin, f"/refund 1001 {payment.charge.id}")
        assert "Reembolsado" in (admin.last_message().text or "")
        assert await vip_until(h, 1001) is None
        assert "reembolsado" in (ana.last_message().text or "")
        await h.send(admin, f"/refund 1001 {payment.charge.id}")  # twice: Telegram refuses
        assert "rechazó" in (admin.last_message().text or "")


async def test_an_invite_link_works_once(bot_api_spec: BotApiSpec, tmp_path: Path) -> None:
    async with vip_world(bot_api_spec, tmp_path) as h:
        admin = h.server.user(ADMIN, "Root")
        await h.send(admin, "/invite 7 1")
        text = admin.last_message().text or ""
        token = text.split("start=")[1].split()[0]
        ana = h.server.user(1001, "Ana")
        eve = h.server.user(1002, "Eve")
        await h.send(ana, f"/start {token}")
        assert await vip_until(h, 1001) is not None
        await h.send(eve, f"/start {token}")
        assert await vip_until(h, 1002) is None
        assert any("no sirve" in (m.text or "") for m in eve.messages)
        await h.send(eve, "/start inv-unknown-token")
        assert await vip_until(h, 1002) is None


async def test_vip_channel_membership_and_join_requests(
    bot_api_spec: BotApiSpec, tmp_path: Path
) -> None:
    async with world(bot_api_spec, tmp_path) as w:
        h, channel = w.h, w.vip_channel
        ana = h.server.user(1001, "Ana")
        eve = h.server.user(1002, "Eve")
        await h.send(ana, "/start")
        await h.send(eve, "/start")
        # A non-VIP asking to join is declined and told why; a VIP is approved.
        await eve.request_join(channel.id)
        await h.settle()
        assert channel.status(1002) != "member"
        assert "canal privado" in (eve.last_message().text or "")
        admin = h.server.user(ADMIN, "Root")
        await h.send(admin, "/vip_grant 1001 30")
        await ana.request_join(channel.id)
        await h.settle()
        assert channel.status(1001) == "member"
        # Someone already in the channel counts as VIP (vip.yaml says so) and stops on leaving.
        bob = h.server.user(1003, "Bob")
        channel.add_member(bob)
        await h.send(bob, "/vip")
        assert await vip_until(h, 1003) is not None or (await h.diana.store.state(1003)).vip_tier
        await bob.leave(channel.id)
        await h.settle()
        assert (await h.diana.store.state(1003)).vip_tier is None


async def test_expiry_reminders_go_out_on_the_right_days(
    bot_api_spec: BotApiSpec, tmp_path: Path
) -> None:
    async with world(bot_api_spec, tmp_path) as w:
        h = w.h
        admin = h.server.user(ADMIN, "Root")
        ana = h.server.user(1001, "Ana")
        await h.send(ana, "/start")
        await h.send(admin, "/vip_grant 1001 5")
        await ana.request_join(w.vip_channel.id)
        await h.settle()
        assert w.vip_channel.status(1001) == "member"
        sweeper = h.diana.sweeper
        assert await sweeper.run_once() == (0, 0)
        h.clock.advance(timedelta(days=2, hours=1))  # 2 days 23 hours left
        assert await sweeper.run_once() == (1, 0)
        assert await sweeper.run_once() == (0, 0)  # once per day listed
        assert "días restantes: 3" in (ana.last_message().text or "")
        h.clock.advance(timedelta(days=2))  # 23 hours left
        assert await sweeper.run_once() == (1, 0)
        assert "días restantes: 1" in (ana.last_message().text or "")
        h.clock.advance(timedelta(days=1))
        assert await sweeper.run_once() == (0, 1)
        assert "ha terminado" in (ana.last_message().text or "")
        state = await h.diana.store.state(1001)
        assert state.vip_tier is None and state.fragment is not None  # the place is kept
        assert w.vip_channel.status(1001) in {"left", "kicked"}  # removed, free to rejoin later
        assert await sweeper.run_once() == (0, 0)
