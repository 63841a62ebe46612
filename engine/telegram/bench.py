"""`diana bench bot`: updates per second and p50/p99 per update through the whole bot.

Two transports, each beside a floor measured in the same run on the same transport:

- in-process: updates go to the dispatcher directly (`feed_update`), and the bot's requests
  are answered by `LocalSession`, which skips HTTP but still parses and validates every
  response the way aiogram's own session does;
- loopback HTTP: the bot polls-free talks HTTP to the local FakeBotAPI (in this same process,
  so its spec validation is paid for here too, by the bot and by the floor alike).

The workload: N players each /start and then tap through the shipped story (an update's
latency includes answering the callback and the edits or sends that follow). Players are
given besitos first, so paid choices are taken too. The floor is aiogram with one handler
that answers the callback and edits the message through the same session, plus the same
read-modify-write in raw aiosqlite (SELECT, UPDATE, COMMIT on a player's row).
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import json
import logging
import statistics
import tempfile
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import CallbackQuery, Update

from engine.benchrows import Audit, BenchContext, Figure, Row, skipped
from engine.persistence import FixedClock
from engine.telegram.bot.app import DianaBot
from engine.telegram.bot.delivery import Tracker
from engine.telegram.bot.settings import BotSettings
from engine.telegram.botapi import BotApiSpec, FakeBotAPI
from engine.telegram.botapi.client import LocalAiohttpSession

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"  # noqa: S105 - a fake bot's token
_spawned: contextvars.ContextVar[list[asyncio.Task[None]] | None] = contextvars.ContextVar(
    "spawned", default=None
)


class LocalSession(BaseSession):
    """Answers Bot API calls in-process with Telegram-shaped JSON, parsed like a real reply."""

    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1)

    async def close(self) -> None:
        return None

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        name = method.__api_method__
        result: Any = True
        if name.startswith(("send", "edit")) and name != "sendChatAction":
            chat_id = getattr(method, "chat_id", 0)
            result = {
                "message_id": getattr(method, "message_id", None) or next(self._ids),
                "date": 0,
                "chat": {"id": chat_id, "type": "private"},
                "text": getattr(method, "text", None) or "",
            }
            if name == "sendPhoto":
                result["photo"] = [
                    {"file_id": "p1", "file_unique_id": "u1", "width": 1, "height": 1}
                ]
        elif name in {"getChat", "getChatMember"}:  # the benchmark configures no channels
            raw = json.dumps(
                {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
            )
            self.check_response(bot=bot, method=method, status_code=400, content=raw)
        elif name == "getMe":
            result = {"id": bot.id, "is_bot": True, "first_name": "Diana"}
        raw = json.dumps({"ok": True, "result": result})
        response = self.check_response(bot=bot, method=method, status_code=200, content=raw)
        return response.result  # type: ignore[return-value]

    async def stream_content(  # never called: the benchmark downloads nothing
        self, *args: Any, **kwargs: Any
    ) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError("the in-process benchmark downloads nothing")
        yield b""


class _CapturingTracker(Tracker):
    """Remembers the deliveries each update started, so its latency can include them."""

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = super().spawn(coro)
        bucket = _spawned.get()
        if bucket is not None:
            bucket.append(task)
        return task


@dataclass(frozen=True, slots=True)
class BotRow:
    scenario: str
    transport: str
    updates: int
    per_second: float
    p50_ms: float
    p99_ms: float
    floor_p50_ms: float | None = None
    target: str = ""
    verdict: str = ""


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _update(
    update_id: int,
    user: int,
    *,
    text: str | None = None,
    data: str | None = None,
    message_id: int = 1,
) -> Update:
    person = {"id": user, "is_bot": False, "first_name": f"P{user}", "language_code": "es"}
    chat = {"id": user, "type": "private", "first_name": f"P{user}"}
    if text is not None:
        entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        message = {
            "message_id": update_id,
            "date": 0,
            "chat": chat,
            "from": person,
            "text": text,
            "entities": entities,
        }
        return Update.model_validate({"update_id": update_id, "message": message})
    source = {
        "message_id": message_id,
        "date": 0,
        "chat": chat,
        "from": {"id": 1, "is_bot": True, "first_name": "Diana"},
        "text": "...",
    }
    query = {
        "id": f"q{update_id}",
        "from": person,
        "chat_instance": "c",
        "message": source,
        "data": data,
    }
    return Update.model_validate({"update_id": update_id, "callback_query": query})


async def _timed(feed: Callable[[Update], Awaitable[None]], update: Update) -> float:
    bucket: list[asyncio.Task[None]] = []
    token = _spawned.set(bucket)
    start = time.perf_counter()
    try:
        await feed(update)
        if bucket:
            await asyncio.gather(*bucket)
    finally:
        _spawned.reset(token)
    return time.perf_counter() - start


async def _run_workers(
    jobs: list[list[Update]], feed: Callable[[Update], Awaitable[None]], concurrency: int
) -> tuple[list[float], float]:
    """Each job is one player's updates in order; `concurrency` players at a time."""
    latencies: list[float] = []
    queue = list(reversed(jobs))

    async def worker() -> None:
        while queue:
            for update in queue.pop():
                latencies.append(await _timed(feed, update))

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - start


Prepare = Callable[[int, int], int]
"""(user, update id) -> the id of the message the tap is on (registered in the fake)."""


def _no_prepare(user: int, update_id: int) -> int:
    return 1


def _fake_prepare(server: FakeBotAPI) -> Prepare:
    """Over HTTP the fake must know the tapped message and the callback query, as Telegram
    would: a bot message in the chat and an unanswered query."""
    from engine.telegram.botapi.state import CallbackQuery

    def prepare(user: int, update_id: int) -> int:
        state = server.state
        chat = state.chats[user]
        message = state.add_message(chat, state.bot, text="...", raw_text="...")
        person = state.users[user]
        state.callbacks[f"q{update_id}"] = CallbackQuery(f"q{update_id}", person, message, "x")
        return message.message_id

    return prepare


class _Player:
    """One simulated player: /start, grant, then taps through the story."""

    def __init__(
        self, diana: DianaBot, user: int, ids: itertools.count[int], prepare: Prepare
    ) -> None:
        self.diana = diana
        self.user = user
        self.ids = ids
        self.prepare = prepare

    async def next_tap(self) -> Update:
        service = self.diana.service
        state = await service.store.state(self.user)
        view = service.store.engine.view(state, service.clock_now)
        if view.ended or not view.buttons:
            return _update(next(self.ids), self.user, text="/start")
        buttons = [b for b in view.buttons if b.available] or list(view.buttons)
        paid = [b for b in buttons if b.cost]
        button = (paid or buttons)[(state.step + self.user) % len(paid or buttons)]
        keyboard = service.presenter.keyboard(state, (button,))
        update_id = next(self.ids)
        message_id = self.prepare(self.user, update_id)
        return _update(update_id, self.user, data=keyboard[0][0][1], message_id=message_id)


async def _open_diana(
    content: Path, db: Path, session: BaseSession | None, api_url: str | None
) -> DianaBot:
    settings = BotSettings(
        token=TOKEN,
        database_url=f"sqlite+aiosqlite:///{db}",
        content=content,
        api_url=api_url,
        pause_scale=0.0,
    )
    diana = DianaBot(
        settings,
        clock=FixedClock(datetime_now()),
        limits=None,  # Telegram's 30 messages/s would be all this measured
        throttle=False,
        watch_releases=None,
        session=session,
        sweep_interval=None,
    )
    diana.tracker = _CapturingTracker()
    await diana.open()
    diana.freeze_heap()  # as `diana bot run` does
    return diana


def datetime_now() -> Any:
    from datetime import UTC, datetime

    return datetime(2026, 11, 30, 12, tzinfo=UTC)


async def _players(diana: DianaBot, players: int, prepare: Prepare) -> list[_Player]:
    """Registered, started players with besitos to spend; aiogram warmed up. Not measured."""
    ids = itertools.count(1)
    sims = [_Player(diana, 10_000 + i, ids, prepare) for i in range(players)]
    for sim in sims:
        await diana.feed(_update(next(ids), sim.user, text="/start"))
        await diana.admin.admin.grant_points(None, sim.user, 500, key=f"bench:{sim.user}")
    await diana.tracker.drain()
    for sim in sims[: min(len(sims), 20)]:  # warm-up: aiogram builds its response types once
        await _timed(diana.feed, await sim.next_tap())
    return sims


async def _diana_run(
    diana: DianaBot,
    players: int,
    taps: int,
    concurrency: int,
    prepare: Prepare,
    on_tap: Callable[[float, float], None] | None = None,
) -> tuple[list[float], float, int]:
    sims = await _players(diana, players, prepare)
    latencies: list[float] = []
    queue = list(reversed(sims))
    moved = 0

    async def worker() -> None:
        nonlocal moved
        while queue:
            sim = queue.pop()
            for _ in range(taps):
                update = await sim.next_tap()
                started = time.perf_counter()
                latencies.append(await _timed(diana.feed, update))
                if on_tap is not None:
                    on_tap(started, time.perf_counter())
                moved += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - start, moved


async def _floor_run(
    bot: Bot, players: int, taps: int, concurrency: int, db_path: Path, prepare: Prepare
) -> tuple[list[float], float]:
    async with aiosqlite.connect(db_path) as db:
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=NORMAL")
        await db.execute("CREATE TABLE IF NOT EXISTS s (id INTEGER PRIMARY KEY, state TEXT)")
        await db.executemany(
            "INSERT OR REPLACE INTO s VALUES (?, ?)",
            [(10_000 + i, '{"points": 500}') for i in range(players)],
        )
        await db.commit()
        dispatcher = Dispatcher()

        @dispatcher.callback_query(F.data)
        async def handler(query: CallbackQuery) -> None:
            async with db.execute("SELECT state FROM s WHERE id = ?", (query.from_user.id,)) as c:
                row = await c.fetchone()
            await db.execute(
                "UPDATE s SET state = ? WHERE id = ?", (row[0] if row else "{}", query.from_user.id)
            )
            await db.commit()
            await query.answer()
            message_id = query.message.message_id if query.message else 1
            await bot.edit_message_text(
                text=f"floor {query.id}", chat_id=query.from_user.id, message_id=message_id
            )

        async def feed(update: Update) -> None:
            await dispatcher.feed_update(bot, update)

        ids = itertools.count(1)
        jobs = []
        for i in range(players):
            job = []
            for _ in range(taps):
                update_id = next(ids)
                message_id = prepare(10_000 + i, update_id)
                job.append(_update(update_id, 10_000 + i, data="x", message_id=message_id))
            jobs.append(job)
        return await _run_workers(jobs, feed, concurrency)


def _rows(
    transport: str, diana: tuple[list[float], float, int], floor: tuple[list[float], float]
) -> list[BotRow]:
    lat, wall, count = diana
    flat, fwall = floor
    p50 = statistics.median(lat) * 1000
    fp50 = statistics.median(flat) * 1000
    p99 = _percentile(lat, 0.99) * 1000
    rows = [
        BotRow(
            "floor: aiogram answer + edit, raw aiosqlite read-modify-write",
            transport,
            len(flat),
            len(flat) / fwall,
            fp50,
            _percentile(flat, 0.99) * 1000,
        )
    ]
    if transport == "in-process":
        target = "p99 <= 5 ms; p50 <= 2x floor"
        ok = p99 <= 5.0 and p50 <= 2 * fp50
    else:
        target = "p50 <= 2x floor"
        ok = p50 <= 2 * fp50
    rows.append(
        BotRow(
            "bot: tap through the story (answer, charge, edit or send)",
            transport,
            count,
            count / wall,
            p50,
            p99,
            fp50,
            target,
            "met" if ok else "MISSED",
        )
    )
    return rows


async def run_bot_bench(
    content: Path,
    *,
    players: int = 1000,
    taps: int = 5,
    concurrency: int = 1,
    http: bool = True,
    spec: BotApiSpec | None = None,
) -> list[BotRow]:
    """Both transports (HTTP only when the Bot API spec is available), in that order."""
    rows: list[BotRow] = []
    # The benchmark configures no channels: getChat's "not found" is expected, not news.
    logging.getLogger("diana.bot.channels").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="diana-bench-bot-") as tmp:
        base = Path(tmp)
        diana = await _open_diana(content, base / "inproc.sqlite3", LocalSession(), None)
        try:
            measured = await _diana_run(diana, players, taps, concurrency, _no_prepare)
        finally:
            await diana.close()
        floor_bot = Bot(TOKEN, session=LocalSession())
        floor = await _floor_run(
            floor_bot, players, taps, concurrency, base / "floor.sqlite3", _no_prepare
        )
        rows += _rows("in-process", measured, floor)
        if http and spec is not None:
            async with FakeBotAPI(TOKEN, spec=spec) as server:
                for sim in range(players):
                    server.user(10_000 + sim, f"P{sim}")
                prepare = _fake_prepare(server)
                diana = await _open_diana(content, base / "http.sqlite3", None, server.url)
                try:
                    measured = await _diana_run(diana, players, taps, concurrency, prepare)
                finally:
                    await diana.close()
                floor_bot = Bot(TOKEN, session=LocalAiohttpSession(api=_api(server.url)))
                try:
                    floor = await _floor_run(
                        floor_bot, players, taps, concurrency, base / "floor2.sqlite3", prepare
                    )
                finally:
                    await floor_bot.session.close()
                rows += _rows("loopback HTTP", measured, floor)
    return rows


def _api(url: str) -> Any:
    from aiogram.client.telegram import TelegramAPIServer

    return TelegramAPIServer.from_base(url)


_SIZES = {"smoke": (4, 2), "quick": (100, 3), "full": (1000, 5)}
"""Players and taps per player at each `diana bench` scale."""


def audit_rows(context: BenchContext) -> list[Row]:
    """`diana bench`'s rows for the bot: one user action through the whole stack (audit line:
    orchestration of one user action < 20 ms), in-process and over loopback HTTP."""
    import asyncio as _asyncio

    from engine.telegram.botapi import default_spec_path

    players, taps = _SIZES[context.scale]
    content = Path(__file__).resolve().parents[2] / "content"
    path = default_spec_path()
    spec = BotApiSpec.load(path) if path.is_file() else None
    rows = _asyncio.run(run_bot_bench(content, players=players, taps=taps, spec=spec))
    out: list[Row] = []
    floors = {r.transport: r for r in rows if r.floor_p50_ms is None}
    for r in rows:
        if r.floor_p50_ms is None:
            continue
        floor = floors[r.transport]
        in_process = r.transport == "in-process"
        target = "p99 <= 5 ms, median <= 2x floor" if in_process else "median <= 2x floor"
        met = r.p50_ms <= 2 * r.floor_p50_ms and (r.p99_ms <= 5.0 or not in_process)
        out.append(
            Row(
                Audit.ORCHESTRATION,
                f"bot: a tap through the story ({r.transport})",
                target,
                median=Figure(r.p50_ms, "ms"),
                p99=Figure(r.p99_ms, "ms"),
                floor=Figure(floor.p50_ms, "ms"),
                floor_what="aiogram answer + edit, raw aiosqlite read-modify-write",
                ratio=r.p50_ms / r.floor_p50_ms,
                met=met,
                measured=f"{r.updates:,} updates, {r.per_second:,.0f}/s one at a time",
            )
        )
    if spec is None:
        out.append(
            skipped(
                Audit.ORCHESTRATION,
                "bot: a tap through the story (loopback HTTP)",
                "median <= 2x floor",
                f"no Bot API spec at {path}",
            )
        )
    return out
