"""End-to-end scenarios from the bot issue: streaks, double taps, forged and stale buttons,
admin commands, flood control and blocked users, restarts. Real aiogram, real SQLite, the
shipped content, the fake Bot API checking every request against the official spec."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot_harness import ADMIN, TOKEN, Harness, running_bot

from engine.persistence.ledger import history, ledger_sum
from engine.persistence.presence import inactive_since
from engine.telegram.botapi import BotApiSpec, FakeBotAPI, ScriptedUser
from engine.telegram.botapi.state import CallbackQuery


async def balance(h: Harness, player: int) -> int:
    state = await h.diana.store.state(player)
    assert await ledger_sum(h.diana.db, player) == state.points  # the ledger always agrees
    return state.points


async def reasons(h: Harness, player: int) -> list[str]:
    return [e.reason for e in await history(h.diana.db, player, limit=100)]


async def forge_tap(h: Harness, user: ScriptedUser, data: str) -> None:
    """A callback query with data no button of ours carried (a modified client)."""
    target = user.last_message()
    query_id = f"forged-{data}"
    payload = {
        "id": query_id,
        "from": user.person.to_dict(),
        "chat_instance": "x",
        "message": target.to_dict(),
        "data": data,
    }
    h.server.state.callbacks[query_id] = CallbackQuery(query_id, user.person, target, data)
    h.server.state.enqueue("callback_query", payload)
    await h.settle()


async def test_seven_day_streak_pays_its_bonus_once(
    bot_api_spec: BotApiSpec, tmp_path: Path
) -> None:
    async with running_bot(bot_api_spec, tmp_path / "d.sqlite3") as h:
        ana = h.server.user(1001, "Ana")
        await h.send(ana, "/start")
        for day in range(1, 9):
            await h.send(ana, "/daily")
            if day == 1:
                await h.send(ana, "/daily")  # same day again: told, not paid
                assert "Ya recogiste" in (ana.last_message().text or "")
            h.clock.advance(timedelta(days=1))
        paid = await reasons(h, 1001)
        assert paid.count("daily") == 8
        assert paid.count("streak_bonus") == 1
        state = await h.diana.store.state(1001)
        assert state.streak == 8
        await h.send(ana, "/points")
        assert "premio de racha" in (ana.last_message().text or "")


async def test_double_tap_on_a_paid_choice_charges_once(
    bot_api_spec: BotApiSpec, tmp_path: Path
) -> None:
    async with running_bot(bot_api_spec, tmp_path / "d.sqlite3") as h:
        ana = h.server.user(1001, "Ana")
        admin = h.server.user(ADMIN, "Root")
        await h.send(ana, "/start salones")
        await h.send(admin, "/grant 1001 50 welcome")
        assert "+50" in (admin.last_message().text or "")
        assert await balance(h, 1001) == 60
        await h.tap(ana, "La barra del Salón Rojo")
        paid = next(b["text"] for b in ana.last_message().buttons() if "15" in b["text"])
        message = ana.last_message()
        await ana.tap(paid, message)
        await ana.tap(paid, message)  # the second tap of a double tap, same message
        await h.settle()
        assert await balance(h, 1001) == 45
        charges = [r for r in await reasons(h, 1001) if r.startswith("choice:")]
        assert charges == ["choice:barra_roja.copa_diana"]
        assert len(ana.answers) == 3  # every tap answered, the extra one with a notice
        assert any("pasó" in (a.get("text") or "") for a in ana.answers)


async def test_forged_and_stale_buttons_change_nothing(
    bot_api_spec: BotApiSpec, tmp_path: Path
) -> None:
    async with running_bot(bot_api_spec, tmp_path / "d.sqlite3") as h:
        ana = h.server.user(1001, "Ana")
        await h.send(ana, "/start")
        first = ana.last_message()
        before = await h.diana.store.state(1001)
        await forge_tap(h, ana, "c0.0.1.AAAAAAAA")
        await forge_tap(h, ana, "give me 1000 points")
        assert [a.get("text") for a in ana.answers] == ["No reconozco ese botón."] * 2
        assert await h.diana.store.state(1001) == before
        await h.tap(ana, "Tocar la campana")
        moved = await h.diana.store.state(1001)
        assert moved.fragment != before.fragment
        await h.tap(ana, "Releer la invitación", first)  # a button of the old screen
        assert ana.answers[-1].get("text") == "Ese botón es de un momento que ya pasó."
        assert await h.diana.store.state(1001) == moved


async def test_admin_commands_are_for_admins_only(bot_api_spec: BotApiSpec, tmp_path: Path) -> None:
    async with running_bot(bot_api_spec, tmp_path / "d.sqlite3") as h:
        ana = h.server.user(1001, "Ana")
        eve = h.server.user(1002, "Eve")
        admin = h.server.user(ADMIN, "Root")
        await h.send(ana, "/start")
        await h.send(eve, "/start")
        for command in ("/grant 1002 500", "/vip_grant 1002 30", "/reset 1001", "/stats"):
            await h.send(eve, command)
            assert "No conozco esa orden" in (eve.last_message().text or "")
        assert await balance(h, 1002) == 10
        await h.send(admin, "/grant 1001 25 sorry")
        await h.send(admin, "/grant nobody")
        assert "Uso: /grant" in (admin.last_message().text or "")
        await h.send(admin, "/grant 424242 5")
        assert "No hay ningún jugador 424242" in (admin.last_message().text or "")
        await h.send(admin, "/player 1001")
        assert "Ana" in (admin.last_message().text or "")
        await h.send(admin, "/stats")
        assert "Jugadores: 3" in (admin.last_message().text or "")
        assert await balance(h, 1001) == 35
        assert "admin" in await reasons(h, 1001)
        # Admins' menus carry the admin commands; the default menu does not.
        scopes = [c.params.get("scope") for c in h.server.calls_to("setMyCommands")]
        assert any(f'"chat_id":{ADMIN}' in str(s).replace(" ", "") for s in scopes)


async def test_flood_control_is_waited_out_and_blocked_users_marked(
    bot_api_spec: BotApiSpec, tmp_path: Path
) -> None:
    async with running_bot(bot_api_spec, tmp_path / "d.sqlite3") as h:
        ana = h.server.user(1001, "Ana")
        h.server.fail_next("sendMessage", 429, retry_after=1)
        await h.send(ana, "/start")
        assert "invitación" in (ana.last_message().text or "")
        assert h.diana.limiter is not None and h.diana.limiter.retries == 1
        h.server.fail_next("sendMessage", 403, description="Forbidden: bot was blocked by the user")
        await h.send(ana, "/help")
        assert await inactive_since(h.diana.store, 1001) is not None
        await h.send(ana, "/start")  # they came back
        assert await inactive_since(h.diana.store, 1001) is None


async def test_a_restart_resumes_where_the_player_was(
    bot_api_spec: BotApiSpec, tmp_path: Path
) -> None:
    db = tmp_path / "d.sqlite3"
    server = await FakeBotAPI(TOKEN, spec=bot_api_spec).start()
    try:
        ana = server.user(1001, "Ana")
        async with running_bot(bot_api_spec, db, server=server) as h:
            await h.send(ana, "/start")
            await h.tap(ana, "Tocar la campana")
            where = (await h.diana.store.state(1001)).fragment
        # The first process stopped; the same Telegram and database meet a new one.
        async with running_bot(bot_api_spec, db, server=server) as h2:
            assert (await h2.diana.store.state(1001)).fragment == where
            await h2.tap(ana, ana.last_message().buttons()[0]["text"])
            assert (await h2.diana.store.state(1001)).fragment != where
            assert len(ana.answers) == 2
        server.assert_no_violations()
    finally:
        await server.stop()
