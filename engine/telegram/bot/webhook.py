"""Webhook mode: an aiohttp server that Telegram POSTs updates to.

The secret token set with setWebhook is checked on every request (constant-time); a request
without it gets 401 and changes nothing. The answer is sent once the update's effect is
stored: a 500 (the handler failed) makes Telegram deliver it again, and the store's
idempotency keys make that harmless.
"""

from __future__ import annotations

import asyncio
import hmac
import logging

from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from engine.telegram.bot.app import ALLOWED_UPDATES, DianaBot

log = logging.getLogger("diana.bot.webhook")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


def webhook_app(diana: DianaBot, path: str, secret: str | None) -> web.Application:
    async def receive(request: web.Request) -> web.Response:
        if secret is not None:
            given = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), secret.encode()):
                return web.Response(status=401, text="bad secret token")
        try:
            data = await request.json()
            update = Update.model_validate(data, context={"bot": diana.bot})
        except (ValueError, ValidationError):
            return web.Response(status=400, text="not a Telegram update")
        await diana.feed(update)
        return web.Response(status=200)

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post(path, receive)
    return app


async def serve_webhook(diana: DianaBot, stop: asyncio.Event) -> None:
    """Register the webhook, serve until `stop`, then stop taking requests."""
    s = diana.settings
    if not s.webhook_url:
        raise ValueError("DIANA_WEBHOOK_URL is not set (the public HTTPS URL Telegram calls)")
    runner = web.AppRunner(webhook_app(diana, s.webhook_path, s.webhook_secret), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, s.webhook_host, s.webhook_port)
    await site.start()
    try:
        await diana.bot.set_webhook(
            url=s.webhook_url,
            secret_token=s.webhook_secret,
            allowed_updates=list(ALLOWED_UPDATES),
        )
        log.info("webhook at %s, listening on %s:%s", s.webhook_url, s.webhook_host, s.webhook_port)
        await stop.wait()
    finally:
        await runner.cleanup()
