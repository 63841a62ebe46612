"""End to end: reactions and comments in the managed channel earn besitos, once, and the
number Diana names in private is the number the ledger records; elsewhere nothing."""

from __future__ import annotations

from pathlib import Path

from bot_harness import ADMIN, Harness
from test_bot_vip import world

from engine.persistence.ledger import history, ledger_sum
from engine.telegram.botapi import BotApiSpec


async def earned(h: Harness, player: int, reason: str) -> list[int]:
    rows = await history(h.diana.db, player, limit=100)
    return [e.amount for e in rows if e.reason == reason]


async def test_reactions_and_comments_in_the_managed_chat_pay_once(
    bot_api_spec: BotApiSpec, tmp_path: Path
) -> None:
    async with world(bot_api_spec, tmp_path) as w:
        h = w.h
        ana = h.server.user(1001, "Ana")
        await h.send(ana, "/start")
        post = await w.kinkys.post("Esta noche, jazz en el Salón Rojo.")
        await h.settle()
        copy = w.kinkys.forwarded_copy(post)
        assert copy is not None
        await ana.react(copy, "❤")
        await h.settle()
        assert await earned(h, 1001, "reaction") == [2]  # economy.yaml: ❤ pays 2
        told = ana.last_message().text or ""
        assert "+2 besitos" in " ".join(m.text or "" for m in ana.messages[-3:]), told
        # Taking it off and putting it back, or changing it, pays nothing more.
        await ana.unreact(copy)
        await ana.react(copy, "❤")
        await ana.react(copy, "🔥")
        await h.settle()
        assert await earned(h, 1001, "reaction") == [2]
        # A comment on the post (in the discussion group) pays the comment rate.
        await ana.comment(post, "¡Allí estaré!")
        await h.settle()
        assert await earned(h, 1001, "comment") == [2]
        state = await h.diana.store.state(1001)
        assert await ledger_sum(h.diana.db, 1001) == state.points


async def test_elsewhere_and_admins_earn_nothing(bot_api_spec: BotApiSpec, tmp_path: Path) -> None:
    async with world(bot_api_spec, tmp_path) as w:
        h = w.h
        ana = h.server.user(1001, "Ana")
        admin = h.server.user(ADMIN, "Root")
        await h.send(ana, "/start")
        await h.send(admin, "/start")
        # A channel the story does not manage: reacting and commenting there earn nothing.
        other = h.server.channel("Otro canal", username="otro", discussion="Otra charla")
        elsewhere = await other.post("hola")
        await h.settle()
        other_copy = other.forwarded_copy(elsewhere)
        assert other_copy is not None
        await ana.react(other_copy, "❤")
        await ana.comment(elsewhere, "x")
        await h.settle()
        assert await earned(h, 1001, "reaction") == []
        assert await earned(h, 1001, "comment") == []
        # Admins' own engagement never counts, even in the managed chat.
        post = await w.kinkys.post("Foto del jardín")
        await h.settle()
        copy = w.kinkys.forwarded_copy(post)
        assert copy is not None
        await admin.react(copy, "🔥")
        await admin.comment(post, "Gracias a todos")
        await h.settle()
        assert await earned(h, ADMIN, "reaction") == []
        assert await earned(h, ADMIN, "comment") == []
