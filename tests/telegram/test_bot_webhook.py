"""Webhook mode: the real bot behind `webhook_app`, served on loopback, talking to the fake
Bot API. Updates are POSTed as Telegram does; the secret token is checked, bad bodies are
refused, and a redelivered update has its effect once."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import test_utils
from bot_harness import ADMIN, FAST, START, TOKEN, settings

from engine.persistence import FixedClock
from engine.persistence.ledger import history, ledger_sum
from engine.telegram.bot import DianaBot, serve_webhook, webhook_app
from engine.telegram.bot.webhook import SECRET_HEADER
from engine.telegram.botapi import BotApiSpec, FakeBotAPI, ScriptedUser

SECRET = "s3cret_Token-42"
PATH = "/telegram"


@dataclass
class Hook:
    server: FakeBotAPI
    diana: DianaBot
    client: test_utils.TestClient[Any, Any]

    async def post(self, body: object, secret: str | None = SECRET) -> int:
        """POST an update (a dict as JSON, or raw text) as Telegram would; the status."""
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        response = await self.client.post(PATH, data=data, headers=headers)
        await response.read()
        await self.diana.tracker.drain(timeout=10)  # deliveries run after the answer
        return response.status

    def last_update(self) -> dict[str, Any]:
        """The update the fake Telegram queued for the last thing a user did."""
        return self.server.state.updates[-1]


@asynccontextmanager
async def webhook_bot(spec: BotApiSpec, tmp_path: Path) -> AsyncIterator[Hook]:
    server = await FakeBotAPI(TOKEN, spec=spec).start()
    diana = DianaBot(
        settings(tmp_path / "d.sqlite3", api_url=server.url, webhook_secret=SECRET),
        clock=FixedClock(START),
        limits=FAST,
        throttle=False,
        watch_releases=None,
    )
    await diana.open()
    client: test_utils.TestClient[Any, Any] = test_utils.TestClient(
        test_utils.TestServer(webhook_app(diana, PATH, SECRET))
    )
    await client.start_server()
    try:
        yield Hook(server, diana, client)
        server.assert_no_violations()
    finally:
        await client.close()
        await diana.close()
        await server.stop()


async def test_a_wrong_or_missing_secret_is_refused_and_changes_nothing(
    bot_api_spec: BotApiSpec, tmp_path: Path
) -> None:
    async with webhook_bot(bot_api_spec, tmp_path) as h:
        ana = h.server.user(1001, "Ana")
        await ana.send("/start")
        update = h.last_update()
        assert await h.post(update, secret="not-the-secret") == 401
        assert await h.post(update, secret=None) == 401
        assert await h.post(update, secret=SECRET + "x") == 401
        assert not await h.diana.service.known(1001)
        assert h.server.calls_to("sendMessage") == []
        assert ana.messages == []
        assert h.diana.handled == 0


async def test_the_right_secret_starts_the_story(bot_api_spec: BotApiSpec, tmp_path: Path) -> None:
    async with webhook_bot(bot_api_spec, tmp_path) as h:
        ana = h.server.user(1001, "Ana")
        await ana.send("/start")
        assert await h.post(h.last_update()) == 200
        assert await h.diana.service.known(1001)
        state = await h.diana.store.state(1001)
        assert state.fragment is not None
        assert "invitación" in (ana.last_message().text or "")
        assert ana.last_message().buttons()[0]["text"] == "Tocar la campana"
        # A tap on the button goes through the webhook as well.
        await ana.tap("Tocar la campana")
        assert await h.post(h.last_update()) == 200
        assert (await h.diana.store.state(1001)).fragment != state.fragment
        assert len(ana.answers) == 1


async def test_bodies_that_are_not_updates_get_400(
    bot_api_spec: BotApiSpec, tmp_path: Path
) -> None:
    async with webhook_bot(bot_api_spec, tmp_path) as h:
        for body in ('{"update_id": 1, "message": ', "not json at all", "[1, 2]", '{"foo": 1}'):
            assert await h.post(body) == 400
        assert await h.post(b"\xff\xfe\x00") == 400
        assert h.diana.handled == 0
        assert h.server.calls_to("sendMessage") == []


async def test_a_redelivered_update_has_its_effect_once(
    bot_api_spec: BotApiSpec, tmp_path: Path
) -> None:
    async with webhook_bot(bot_api_spec, tmp_path) as h:
        ana = h.server.user(1001, "Ana")
        admin = h.server.user(ADMIN, "Root")
        await ana.send("/start")
        start = h.last_update()
        assert await h.post(start) == 200
        assert await h.post(start) == 200  # Telegram did not see the first answer
        assert [e.reason for e in await history(h.diana.db, 1001)] == ["starting"]

        await admin.send("/grant 1001 25 sorry")
        grant = h.last_update()
        assert await h.post(grant) == 200
        granted = await h.diana.store.state(1001)
        assert await h.post(grant) == 200
        assert await h.diana.store.state(1001) == granted
        assert granted.points == 35
        assert await ledger_sum(h.diana.db, 1001) == 35
        reasons = [e.reason for e in await history(h.diana.db, 1001)]
        assert reasons.count("admin") == 1

        await ana.tap("Tocar la campana")
        tap = h.last_update()
        assert await h.post(tap) == 200
        moved = await h.diana.store.state(1001)
        shown = ana.last_message().text
        assert await h.post(tap) == 200
        assert await h.diana.store.state(1001) == moved
        assert ana.last_message().text == shown
        assert len(ana.answers) == 1


async def test_a_redelivered_tap_shows_the_screen_a_lost_delivery_did_not(
    bot_api_spec: BotApiSpec, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The tap was stored and answered, but its messages never arrived (here Telegram
    refused both the edit and the fallback send). Telegram sends the update again: the
    effect is not repeated, the callback cannot be answered twice, and the screen shows."""
    async with webhook_bot(bot_api_spec, tmp_path) as h:
        ana = h.server.user(1001, "Ana")
        await ana.send("/start")
        assert await h.post(h.last_update()) == 200
        first = ana.last_message().text
        await ana.tap("Tocar la campana")
        tap = h.last_update()
        h.server.fail_next(
            "editMessageText", 400, description="Bad Request: message can't be edited"
        )
        h.server.fail_next("sendMessage", 400, description="Bad Request: chat not found")
        assert await h.post(tap) == 200
        moved = await h.diana.store.state(1001)
        assert ana.last_message().text == first  # the delivery was lost
        caplog.clear()
        assert await h.post(tap) == 200
        assert await h.diana.store.state(1001) == moved
        assert ana.last_message().text != first
        assert "Tocar la campana" not in [b["text"] for b in ana.last_message().buttons()]
        assert len(ana.answers) == 1
        assert not [r for r in caplog.records if r.levelname == "ERROR"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.01)


async def test_serve_webhook_receives_what_telegram_pushes(
    bot_api_spec: BotApiSpec, tmp_path: Path
) -> None:
    """`serve_webhook` registers itself with setWebhook; the fake then POSTs each update to
    it (a public URL routed to loopback), with the secret, until it is acknowledged."""
    server = await FakeBotAPI(TOKEN, spec=bot_api_spec).start()
    port = free_port()
    public = "https://bot.example.com/telegram"
    diana = DianaBot(
        settings(
            tmp_path / "d.sqlite3",
            api_url=server.url,
            webhook_url=public,
            webhook_secret=SECRET,
            webhook_port=port,
            webhook_path=PATH,
        ),
        clock=FixedClock(START),
        limits=FAST,
        throttle=False,
        watch_releases=None,
    )
    await diana.open()
    stop = asyncio.Event()
    task = asyncio.create_task(serve_webhook(diana, stop))
    try:
        server.route_webhook(public, f"http://127.0.0.1:{port}/telegram")
        await eventually(lambda: server.state.webhook is not None)
        hook = server.state.webhook
        assert hook is not None
        assert (hook.url, hook.secret_token) == (public, SECRET)
        ana: ScriptedUser = server.user(1001, "Ana")
        await ana.send("/start")
        await eventually(lambda: bool(ana.messages and ana.last_message().buttons()))
        assert "invitación" in (ana.last_message().text or "")
        await ana.tap("Tocar la campana")
        await eventually(lambda: len(ana.answers) == 1 and not diana.busy)
        await eventually(lambda: server.state.all_delivered and not server.state.updates)
        assert all(a.ok for a in server.webhook_attempts)
        assert len(server.webhook_attempts) == 2
        server.assert_no_violations()
    finally:
        stop.set()
        await task
        await diana.close()
        await server.stop()
    assert task.exception() is None


async def test_serve_webhook_needs_a_url(tmp_path: Path) -> None:
    diana = DianaBot(settings(tmp_path / "d.sqlite3"), watch_releases=None)  # never opened
    with pytest.raises(ValueError, match="DIANA_WEBHOOK_URL"):
        await serve_webhook(diana, asyncio.Event())
