"""The aiogram side of the fake: a session whose requests go to a `FakeBotAPI`."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from engine.telegram.botapi.server import FakeBotAPI


class LocalAiohttpSession(AiohttpSession):
    """aiogram's own session, minus its 250 ms wait for SSL connections on close.

    The fake speaks plain HTTP on 127.0.0.1, so there is nothing to wait for, and the wait
    would otherwise dominate a suite that closes a bot per test.
    """

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def fake_bot(server: FakeBotAPI, **kwargs: Any) -> Bot:
    """A real aiogram `Bot` talking to `server` over HTTP (close it with `bot.session.close()`)."""
    session = LocalAiohttpSession(api=TelegramAPIServer.from_base(server.url))
    return Bot(server.token, session=session, **kwargs)
