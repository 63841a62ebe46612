"""Webhook mode: the fake POSTs updates to the bot, as Telegram does, and getUpdates is refused."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from botapi_helpers import WebhookReceiver, kinds

from engine.telegram.botapi import SECRET_HEADER, FakeBotAPI


async def test_set_webhook_is_reported_by_get_webhook_info(
    server: FakeBotAPI, bot: Bot, receiver: WebhookReceiver
) -> None:
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("", 0)
    assert await bot.set_webhook(
        receiver.url,
        secret_token="s3cret_-token",
        allowed_updates=["message", "callback_query"],
        max_connections=5,
    )
    info = await bot.get_webhook_info()
    assert info.url == receiver.url
    assert info.allowed_updates == ["message", "callback_query"]
    assert info.max_connections == 5 and info.has_custom_certificate is False
    assert info.last_error_message is None


async def test_updates_are_posted_with_the_secret_token(
    server: FakeBotAPI, bot: Bot, receiver: WebhookReceiver
) -> None:
    await bot.set_webhook(receiver.url, secret_token="s3cret")
    ana = server.user(1001, "Ana")
    await ana.send("/start")
    await ana.send("hola")
    await receiver.wait_for(2)
    await server.wait_idle()
    (headers, first), (_, second) = receiver.received
    assert headers[SECRET_HEADER] == "s3cret"
    assert headers["Content-Type"] == "application/json"
    assert first["message"]["text"] == "/start" and second["message"]["text"] == "hola"
    assert second["update_id"] == first["update_id"] + 1
    assert (await bot.get_webhook_info()).pending_update_count == 0


async def test_no_secret_header_without_a_secret(
    server: FakeBotAPI, bot: Bot, receiver: WebhookReceiver
) -> None:
    await bot.set_webhook(receiver.url)
    await server.user(1).send("hi")
    await receiver.wait_for(1)
    assert SECRET_HEADER not in receiver.received[0][0]


async def test_failed_deliveries_are_retried_in_order(
    server: FakeBotAPI, bot: Bot, receiver: WebhookReceiver
) -> None:
    receiver.statuses = [500, 502]
    await bot.set_webhook(receiver.url)
    ana = server.user(1001)
    await ana.send("one")
    await ana.send("two")
    await receiver.wait_for(4)
    await server.wait_idle()
    texts = [u["message"]["text"] for u in receiver.updates]
    assert texts == ["one", "one", "one", "two"]  # nothing overtakes an unacknowledged update
    statuses = [a.status for a in server.webhook_attempts]
    assert statuses == [500, 502, 200, 200]
    info = await bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 502 Bad Gateway"
    assert info.last_error_date is not None and info.pending_update_count == 0


async def test_pending_updates_wait_while_the_receiver_is_down(
    server: FakeBotAPI, bot: Bot
) -> None:
    down = WebhookReceiver()
    url = await down.start()
    await down.stop()  # nobody listens there any more
    server.webhooks.max_backoff = 0.05
    await bot.set_webhook(url)
    await server.user(1).send("anyone?")
    while len(server.webhook_attempts) < 2:
        await asyncio.sleep(0.02)
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message == "Connection refused"
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).pending_update_count == 0


async def test_get_updates_while_a_webhook_is_set_is_a_conflict(
    server: FakeBotAPI, bot: Bot, receiver: WebhookReceiver
) -> None:
    await bot.set_webhook(receiver.url)
    with pytest.raises(TelegramConflictError, match="can't use getUpdates method while webhook"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == []


async def test_set_webhook_ends_a_running_long_poll(
    server: FakeBotAPI, bot: Bot, receiver: WebhookReceiver
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    other = Bot(bot.token, session=type(bot.session)(api=bot.session.api))
    try:
        await other.set_webhook(receiver.url)
    finally:
        await other.session.close()
    with pytest.raises(TelegramConflictError, match="terminated by setWebhook request"):
        await poll


async def test_drop_pending_updates(
    server: FakeBotAPI, bot: Bot, receiver: WebhookReceiver
) -> None:
    ana = server.user(1001)
    await ana.send("old")
    await bot.set_webhook(receiver.url, drop_pending_updates=True)
    await ana.send("new")
    await receiver.wait_for(1)
    await server.wait_idle()
    assert [u["message"]["text"] for u in receiver.updates] == ["new"]


async def test_delete_webhook_goes_back_to_polling(
    server: FakeBotAPI, bot: Bot, receiver: WebhookReceiver
) -> None:
    await bot.set_webhook(receiver.url)
    assert await bot.delete_webhook()
    await server.user(1001).send("polled")
    [update] = await bot.get_updates(timeout=1)
    assert update.message is not None and update.message.text == "polled"
    assert receiver.received == []
    assert (await bot.get_webhook_info()).url == ""


async def test_allowed_updates_filter_webhook_deliveries(
    server: FakeBotAPI, bot: Bot, receiver: WebhookReceiver
) -> None:
    await bot.set_webhook(receiver.url, allowed_updates=["callback_query"])
    ana = server.user(1001)
    await bot.send_message(ana.id, "menu", reply_markup=_keyboard())
    await ana.send("typed")  # a message: not asked for
    await ana.tap("Go")
    await receiver.wait_for(1)
    await server.wait_idle()
    assert kinds(receiver.updates) == ["callback_query"]
    assert kinds(server.state.dropped) == ["message"]


async def test_public_url_is_routed_to_loopback(
    server: FakeBotAPI, bot: Bot, receiver: WebhookReceiver
) -> None:
    public = "https://diana.example/telegram/hook"
    server.route_webhook("https://diana.example/telegram", receiver.url.removesuffix("/hook"))
    await bot.set_webhook(public)
    await server.user(1).send("routed")
    await receiver.wait_for(1)
    assert receiver.updates[0]["message"]["text"] == "routed"
    assert server.webhook_attempts[0].url == public


async def test_an_unrouted_public_url_is_never_contacted(server: FakeBotAPI, bot: Bot) -> None:
    server.webhooks.max_backoff = 0.05
    await bot.set_webhook("https://diana.example/telegram")
    await server.user(1).send("lost")
    while not server.webhook_attempts:
        await asyncio.sleep(0.02)
    attempt = server.webhook_attempts[0]
    assert attempt.status is None and "no route" in (attempt.error or "")
    with pytest.raises(ValueError, match="loopback"):
        server.route_webhook("https://diana.example", "https://elsewhere.example")
    await bot.delete_webhook(drop_pending_updates=True)


@pytest.mark.parametrize(
    ("url", "secret", "error"),
    [
        ("http://diana.example/hook", None, "An HTTPS URL must be provided for webhook"),
        ("https://diana.example:8080/hook", None, "only on ports 80, 88, 443 or 8443"),
        ("https://diana.example:8443/hook", "bad secret!", "secret token contains unallowed"),
    ],
)
async def test_webhook_urls_and_secrets_are_checked(
    server: FakeBotAPI, bot: Bot, url: str, secret: str | None, error: str
) -> None:
    with pytest.raises(TelegramBadRequest, match=error):
        await bot.set_webhook(url, secret_token=secret)
    assert (await bot.get_webhook_info()).url == ""


async def test_set_webhook_with_empty_url_removes_it(
    server: FakeBotAPI, bot: Bot, receiver: WebhookReceiver
) -> None:
    await bot.set_webhook(receiver.url)
    # aiogram leaves an empty string out of its form, so post the JSON body Telegram takes.
    url = f"{server.url}/bot{server.token}/setWebhook"
    async with aiohttp.ClientSession() as session, session.post(url, json={"url": ""}) as resp:
        assert (resp.status, (await resp.json())["result"]) == (200, True)
    assert (await bot.get_webhook_info()).url == ""


def _keyboard() -> InlineKeyboardMarkup:
    button = InlineKeyboardButton(text="Go", callback_data="go")
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


async def test_wrong_secret_makes_telegram_retry(
    server: FakeBotAPI, bot: Bot, receiver: WebhookReceiver
) -> None:
    receiver.statuses = [401]
    await bot.set_webhook(receiver.url, secret_token="abc")
    await server.user(1).send("knock")
    await receiver.wait_for(2)
    await server.wait_idle()
    assert [a.status for a in server.webhook_attempts] == [401, 200]
    info = await bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 401 Unauthorized"


async def test_a_bad_update_is_reported_once_however_often_it_is_retried(
    server: FakeBotAPI, bot: Bot, receiver: WebhookReceiver
) -> None:
    receiver.statuses = [500, 500]
    await bot.set_webhook(receiver.url)
    server.state.enqueue("message", {"message_id": 1})
    await receiver.wait_for(3)
    await server.wait_idle()
    [violation] = server.take_violations()
    assert "FakeBotAPI sent a bad message update" in str(violation)
