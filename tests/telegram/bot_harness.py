"""The real bot (DianaBot: aiogram, the store on a real SQLite file, the shipped content)
polling a FakeBotAPI, with an injected clock. Imported by name (pytest puts this dir on
sys.path)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from engine.persistence import FixedClock
from engine.telegram.bot import BotSettings, DianaBot, RateLimits
from engine.telegram.botapi import BotApiSpec, FakeBotAPI, Message, ScriptedUser

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
ADMIN = 9001
CONTENT = Path(__file__).resolve().parents[2] / "content"
START = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
FAST = RateLimits(overall_per_second=10_000, chat_per_second=10_000, chat_burst=1000)


@dataclass
class Harness:
    server: FakeBotAPI
    diana: DianaBot
    clock: FixedClock
    stop: asyncio.Event
    task: asyncio.Task[None]

    async def settle(self) -> None:
        """Wait until the bot fetched and handled everything and its deliveries are done."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while True:
            await self.server.wait_idle(timeout=10)
            await self.diana.tracker.drain(timeout=10)
            if not self.diana.busy and self.server.state.all_delivered:
                await self.server.wait_idle(timeout=10)
                if not self.diana.busy:
                    return
            if loop.time() > deadline:
                raise TimeoutError("the bot did not settle")
            await asyncio.sleep(0.01)

    async def send(self, user: ScriptedUser, text: str) -> None:
        await user.send(text)
        await self.settle()

    async def tap(self, user: ScriptedUser, button: str, message: Message | None = None) -> str:
        query = await user.tap(button, message)
        await self.settle()
        return query


def settings(db: Path, **extra: object) -> BotSettings:
    values: dict[str, object] = {
        "token": TOKEN,
        "database_url": f"sqlite+aiosqlite:///{db}",
        "content": CONTENT,
        "admin_ids": frozenset({ADMIN}),
        "pause_scale": 0.0,
    }
    values.update(extra)
    return BotSettings(**values)  # type: ignore[arg-type]


@asynccontextmanager
async def running_bot(
    spec: BotApiSpec,
    db: Path,
    *,
    clock: FixedClock | None = None,
    server: FakeBotAPI | None = None,
    throttle: bool = False,
    limits: RateLimits | None = FAST,
) -> AsyncIterator[Harness]:
    own_server = server is None
    if server is None:
        server = await FakeBotAPI(TOKEN, spec=spec).start()
    clock = clock or FixedClock(START)
    diana = DianaBot(
        settings(db, api_url=server.url),
        clock=clock,
        limits=limits,
        throttle=throttle,
        poll_timeout=1,
        watch_releases=None,
        sweep_interval=None,
    )
    try:
        await diana.open()
        await diana.register_commands()
        stop = asyncio.Event()
        task = asyncio.create_task(diana.poll(stop))
        try:
            yield Harness(server, diana, clock, stop, task)
        finally:
            stop.set()
            try:
                await task
            finally:
                await diana.close()
    finally:
        if own_server:
            await server.stop()
