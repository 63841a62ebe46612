"""Helpers for the fake Bot API tests, imported by name (pytest puts this dir on sys.path)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, F, Router
from aiogram.types import LabeledPrice, Message, PreCheckoutQuery, Update
from aiohttp import web

from engine.telegram.botapi import STARS, SUBSCRIPTION_PERIOD, FakeBotAPI, fake_bot

MONTH = SUBSCRIPTION_PERIOD


def make_bot(server: FakeBotAPI, **kwargs: Any) -> Bot:
    """A real aiogram Bot whose HTTP session talks to the fake server."""
    return fake_bot(server, **kwargs)


class WebhookReceiver:
    """A webhook endpoint on 127.0.0.1 that records every POST and answers with `statuses`
    in turn (then 200), or with `reply` as the JSON body of a 2xx answer."""

    def __init__(self, statuses: list[int] | None = None, reply: dict[str, Any] | None = None):
        self.statuses = list(statuses or [])
        self.reply = reply or {}
        self.received: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.arrived = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def _receive(self, request: web.Request) -> web.Response:
        self.received.append((dict(request.headers), await request.json()))
        self.arrived.set()
        status = self.statuses.pop(0) if self.statuses else 200
        if 200 <= status < 300:
            return web.json_response(self.reply, status=status)
        return web.Response(status=status)

    async def start(self, path: str = "/hook") -> str:
        app = web.Application()
        app.router.add_post(path, self._receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}{path}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_for(self, count: int, timeout: float = 5.0) -> None:
        async def enough() -> None:
            while len(self.received) < count:
                self.arrived.clear()
                await self.arrived.wait()

        await asyncio.wait_for(enough(), timeout)

    @property
    def updates(self) -> list[dict[str, Any]]:
        return [body for _, body in self.received]


def kinds(updates: list[Any]) -> list[str]:
    """The kind of each update, raw dicts or aiogram Updates alike."""
    out = []
    for update in updates:
        data = update if isinstance(update, dict) else update.model_dump(exclude_none=True)
        out.append(next(k for k in data if k != "update_id"))
    return out


@dataclass
class Shop:
    """A tiny real bot: answers pre-checkout queries by `decision`, records payments."""

    decision: str | None = None  # None: ok; a string: decline with that message
    answer: bool = True  # False: never answer (a bot that is too slow)
    paid: list[Message] = field(default_factory=list)
    refunds: list[Message] = field(default_factory=list)

    async def settle(self, *, paid: int = 0, refunds: int = 0, timeout: float = 5.0) -> None:
        """Wait until the handlers recorded at least this many messages. aiogram runs them in
        tasks of its own, so on a loaded machine they may still be running when the fake
        already looks idle (seen once in CI)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.paid) < paid or len(self.refunds) < refunds:
            if loop.time() > deadline:
                raise TimeoutError(
                    f"shop saw {len(self.paid)} payments and {len(self.refunds)} refunds; "
                    f"expected {paid} and {refunds}"
                )
            await asyncio.sleep(0.01)

    def router(self) -> Router:
        router = Router()

        @router.pre_checkout_query()
        async def checkout(query: PreCheckoutQuery) -> None:
            if not self.answer:
                return
            if self.decision is None:
                await query.answer(ok=True)
            else:
                await query.answer(ok=False, error_message=self.decision)

        @router.message(F.successful_payment)
        async def paid(message: Message) -> None:
            self.paid.append(message)

        @router.message(F.refunded_payment)
        async def refunded(message: Message) -> None:
            self.refunds.append(message)

        return router


def stars(amount: int) -> list[LabeledPrice]:
    return [LabeledPrice(label="VIP", amount=amount)]


async def vip_link(bot: Bot, *, period: int | None = MONTH, payload: str = "vip:1") -> str:
    return await bot.create_invoice_link(
        title="VIP",
        description="A month of VIP",
        payload=payload,
        currency=STARS,
        prices=stars(250),
        subscription_period=period,
    )


async def fetch(bot: Bot, allowed: list[str] | None = None) -> list[Update]:
    """Everything pending for the bot (confirmed, so the next fetch starts after it)."""
    updates = await bot.get_updates(allowed_updates=allowed, timeout=0)
    if updates:
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    return updates


def dumped(update: Update) -> dict[str, Any]:
    """An aiogram Update as the JSON Telegram sent."""
    return update.model_dump(exclude_none=True, by_alias=True)
