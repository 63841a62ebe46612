"""Webhook answers: aiogram's own webhook server (in background and in-response modes) and
a method call returned in the webhook's answer, which Telegram runs."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.filters import Command
from aiogram.methods import SendMessage
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from botapi_helpers import WebhookReceiver

from engine.telegram.botapi import FakeBotAPI


def _echo_router() -> Router:
    router = Router()

    @router.message(Command("inline"))
    async def inline(message: Message) -> SendMessage:
        # Answered in the webhook response itself: Telegram runs the method it names.
        return message.answer("answered in the response")

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(f"echo: {message.text}")

    return router


@pytest.mark.parametrize("background", [True, False])
async def test_a_real_aiogram_webhook_server_end_to_end(
    server: FakeBotAPI, bot: Bot, background: bool
) -> None:
    dispatcher = Dispatcher()
    dispatcher.include_router(_echo_router())
    app = web.Application()
    SimpleRequestHandler(
        dispatcher, bot, secret_token="tok", handle_in_background=background
    ).register(app, path="/telegram")
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    server.route_webhook("https://diana.example", f"http://127.0.0.1:{port}")
    try:
        await bot.set_webhook("https://diana.example/telegram", secret_token="tok")
        ana = server.user(1001, "Ana")
        await ana.send("hola")
        await ana.send("/inline")
        await server.wait_idle()
        for _ in range(50):  # background handling answers after the webhook returned
            if len(ana.messages) == 2:
                break
            await asyncio.sleep(0.02)
        texts = sorted(m.text or "" for m in ana.messages)
        assert texts == ["answered in the response", "echo: hola"]
        assert all(a.ok for a in server.webhook_attempts)
    finally:
        await runner.cleanup()


async def test_a_json_reply_with_a_method_is_run(
    server: FakeBotAPI, bot: Bot, receiver: WebhookReceiver
) -> None:
    receiver.reply = {"method": "sendMessage", "chat_id": 1001, "text": "from the reply"}
    await bot.set_webhook(receiver.url)
    ana = server.user(1001)
    await ana.send("hi")
    await receiver.wait_for(1)
    await server.wait_idle()
    assert ana.last_message().text == "from the reply"
    assert [c.status for c in server.calls_to("sendMessage")] == [200]
