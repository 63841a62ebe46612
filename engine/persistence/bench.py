"""Storage benchmark (not a test): full user actions per second and their latency, on SQLite and
PostgreSQL, beside floors measured in the same run.

`run_storage_bench()` returns rows; `diana bench storage [--quick] [--json]` prints them.

- floor: the same read-modify-write (read the state, write it back with a version check, add a
  ledger row, commit) in raw sqlite3, one action at a time: what SQLite itself costs here.
- naive: what a straightforward design does: a SQLAlchemy Core transaction per action on a
  pooled connection, no cache, no group commit.
- store: `Store.act` end to end (runtime step, group-committed write of state, ledger, outbox,
  processed key, publication to a bus with a subscriber) for 1,000 simulated players walking a
  generated story, with C of them acting at once; latency is per action, queueing included.
- bus: events/s through `EventBus` with 5 async subscribers (failure isolation always on), and
  with one of them raising now and then.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import logging
import random
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from engine.bus import EventBus, EventContext
from engine.content.compiled import Story
from engine.content.generated import load_generated
from engine.persistence.actions import Action, Choose, Start
from engine.persistence.benchdb import Unreachable, scratch
from engine.persistence.clock import FixedClock
from engine.persistence.db import Database
from engine.persistence.migrations import upgrade
from engine.persistence.statements import INSERT_LEDGER
from engine.persistence.store import Store
from engine.persistence.tables import player_state, players
from engine.runtime import CheckIn, Engine, Event, Output, PlayerState, PointsAwarded, dumps_state

PLAYERS = 1_000
EPOCH = datetime(2025, 3, 1, 10, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Row:
    scenario: str
    backend: str
    concurrency: int
    count: int
    per_second: float
    p50_ms: float
    p99_ms: float
    target: str = ""
    verdict: str = ""
    note: str = ""


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * q))]


def latency_row(
    scenario: str, backend: str, concurrency: int, latencies: list[float], seconds: float, **kw: str
) -> Row:
    ordered = sorted(latencies)
    return Row(
        scenario,
        backend,
        concurrency,
        len(latencies),
        len(latencies) / seconds if seconds else 0.0,
        _percentile(ordered, 0.5) * 1000,
        _percentile(ordered, 0.99) * 1000,
        **kw,
    )


# -- floor: raw sqlite3 ----------------------------------------------------------------------


def sqlite_floor(path: Path, actions: int, blob: bytes) -> Row:
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("CREATE TABLE s (id INTEGER PRIMARY KEY, version INTEGER, state TEXT)")
    conn.execute("CREATE TABLE l (id INTEGER PRIMARY KEY, player INTEGER, amount INTEGER)")
    text_state = blob.decode()
    conn.executemany("INSERT INTO s VALUES (?, 0, ?)", [(i, text_state) for i in range(PLAYERS)])
    latencies: list[float] = []
    clock = time.perf_counter
    start = clock()
    for i in range(actions):
        player = i % PLAYERS
        t0 = clock()
        conn.execute("BEGIN IMMEDIATE")
        state, version = conn.execute(
            "SELECT state, version FROM s WHERE id = ?", (player,)
        ).fetchone()
        conn.execute(
            "UPDATE s SET state = ?, version = ? WHERE id = ? AND version = ?",
            (state, version + 1, player, version),
        )
        conn.execute("INSERT INTO l (player, amount) VALUES (?, 1)", (player,))
        conn.execute("COMMIT")
        latencies.append(clock() - t0)
    seconds = clock() - start
    conn.close()
    return latency_row(
        "floor: raw sqlite3 read-modify-write", "sqlite", 1, latencies, seconds, note="same run"
    )


# -- simulated players -----------------------------------------------------------------------


async def _players(store: Store, clock: FixedClock, players: int) -> dict[int, Output]:
    screens: dict[int, Output] = {}
    for pid in range(1, players + 1):
        await store.register(pid, name=f"p{pid}")
        screens[pid] = (await store.act(pid, Start(), f"warm:{pid}", clock.now())).output
    return screens


def next_action(rng: random.Random, screen: Output, n: int) -> Action:
    """A simulated player's `n`th move: a check-in every 25th, a restart at an ending, else a
    random button among those on screen (an available one when there is any)."""
    if n % 25 == 0:
        return CheckIn()
    if screen.ended or not screen.buttons:
        return Start()
    pressable = [b for b in screen.buttons if b.available] or list(screen.buttons)
    return Choose(rng.choice(pressable).ref)


async def drive(
    act: Callable[[int, Action, str], Awaitable[Output]],
    screens: dict[int, Output],
    concurrency: int,
    actions: int,
) -> tuple[list[float], float]:
    """`concurrency` users acting back to back over disjoint sets of players."""
    latencies: list[float] = []
    clock = time.perf_counter
    per_user = actions // concurrency
    players = len(screens)

    async def user(u: int) -> None:
        rng = random.Random(u)
        mine = list(range(1 + u, players + 1, concurrency))
        for n in range(per_user):
            pid = mine[n % len(mine)]
            action = next_action(rng, screens[pid], n)
            t0 = clock()
            output = await act(pid, action, uuid.uuid4().hex)
            latencies.append(clock() - t0)
            if output.parts or output.buttons:
                screens[pid] = output

    start = clock()
    await asyncio.gather(*(user(u) for u in range(concurrency)))
    return latencies, clock() - start


async def drive_open(
    act: Callable[[int, Action, str], Awaitable[Output]],
    screens: dict[int, Output],
    rate: float,
    actions: int,
) -> tuple[list[float], float]:
    """Open loop: actions arrive at `rate` per second (Poisson), each for an idle player, as
    Telegram updates do, whatever the store's speed; latency from arrival to answer."""
    rng = random.Random(rate)
    loop = asyncio.get_running_loop()
    clock = time.perf_counter
    latencies: list[float] = []
    busy: set[int] = set()
    tasks: set[asyncio.Task[None]] = set()
    players = len(screens)

    async def one(pid: int, action: Action, arrived: float) -> None:
        try:
            output = await act(pid, action, uuid.uuid4().hex)
        finally:
            busy.discard(pid)
        latencies.append(clock() - arrived)
        if output.parts or output.buttons:
            screens[pid] = output

    start = due = clock()
    for n in range(actions):
        due += rng.expovariate(rate)
        delay = due - clock()
        if delay > 0:
            await asyncio.sleep(delay)
        pid = rng.randint(1, players)
        while pid in busy:  # behind schedule with every player busy: let their actions run
            await asyncio.sleep(0)
            pid = rng.randint(1, players)
        busy.add(pid)
        task = loop.create_task(one(pid, next_action(rng, screens[pid], n), clock()))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)
    return latencies, clock() - start


OPEN_RATE = 500.0
"""The offered load the SQLite target is stated at: >= 500 actions/s with p99 <= 5 ms."""


async def bench_store(
    url: str,
    backend: str,
    story: Story,
    levels: list[tuple[int, int]],
    open_actions: int,
    players: int = PLAYERS,
) -> list[Row]:
    """Closed-loop rows (C users acting back to back) and one open-loop row at OPEN_RATE."""
    db = Database(url)
    rows: list[Row] = []
    try:
        await upgrade(db)
        clock = FixedClock(EPOCH)
        bus = EventBus()
        seen = [0]

        async def subscriber(event: Event, context: EventContext) -> None:
            seen[0] += 1

        bus.subscribe(Event, subscriber)
        store = Store(db, story, bus=bus, clock=clock)
        await store.open()
        try:
            screens = await _players(store, clock, players)

            async def act(pid: int, action: Action, key: str) -> Output:
                if isinstance(action, CheckIn):
                    clock.advance(timedelta(hours=3))
                return (await store.act(pid, action, key, clock.now())).output

            runs: list[tuple[str, int, int]] = [("open", 0, open_actions)]
            runs += [("closed", c, n) for c, n in levels]
            for mode, concurrency, actions in runs:
                gc.collect()
                before = store.writer.batches, store.writer.writes
                if mode == "open":
                    latencies, seconds = await drive_open(act, screens, OPEN_RATE, actions)
                    name = f"store: Store.act, open loop at {OPEN_RATE:,.0f} actions/s offered"
                else:
                    latencies, seconds = await drive(act, screens, concurrency, actions)
                    name = "store: Store.act, C users back to back"
                batches = store.writer.batches - before[0]
                writes = store.writer.writes - before[1]
                row = latency_row(name, backend, concurrency, latencies, seconds)
                target = verdict = ""
                if backend == "sqlite" and mode == "open":
                    target = ">= 500/s, p99 <= 5 ms"
                    ok = row.per_second >= OPEN_RATE * 0.95 and row.p99_ms <= 5
                    verdict = "ok" if ok else "MISSED"
                note = f"{writes / max(batches, 1):.1f} actions/commit"
                rows.append(dataclasses.replace(row, target=target, verdict=verdict, note=note))
        finally:
            await store.close()
    finally:
        await db.dispose()
    return rows


async def bench_naive(url: str, backend: str, blob: bytes, concurrency: int, actions: int) -> Row:
    """A transaction per action through SQLAlchemy Core on a pool, no cache, no group commit."""
    db = Database(url)
    try:
        await upgrade(db)
        now = EPOCH
        state = blob.decode()
        async with db.engine.begin() as conn:
            await conn.execute(
                players.insert(),
                [
                    {
                        "id": i,
                        "language": "es",
                        "timezone": "UTC",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(1, PLAYERS + 1)
                ],
            )
            await conn.execute(
                player_state.insert(),
                [
                    {
                        "player_id": i,
                        "version": 1,
                        "state": state,
                        "content_version": "x",
                        "points": 100_000,
                        "updated_at": now,
                    }
                    for i in range(1, PLAYERS + 1)
                ],
            )
        latencies: list[float] = []
        clock = time.perf_counter

        async def user(u: int) -> None:
            for n in range(actions // concurrency):
                pid = 1 + (u + n * concurrency) % PLAYERS
                t0 = clock()
                async with db.engine.begin() as conn:
                    row = (
                        await conn.execute(
                            select(player_state.c.state, player_state.c.version).where(
                                player_state.c.player_id == pid
                            )
                        )
                    ).one()
                    await conn.execute(
                        update(player_state)
                        .where(player_state.c.player_id == pid, player_state.c.version == row[1])
                        .values(state=row[0], version=row[1] + 1, points=100_000 - 1)
                    )
                    await conn.execute(
                        INSERT_LEDGER,
                        {
                            "player_id": pid,
                            "amount": -1,
                            "balance_after": 99_999,
                            "reason": "bench",
                            "source": "bench",
                            "idempotency_key": uuid.uuid4().hex,
                            "seq": 0,
                            "created_at": now,
                        },
                    )
                latencies.append(clock() - t0)

        start = clock()
        await asyncio.gather(*(user(u) for u in range(concurrency)))
        seconds = clock() - start
    finally:
        await db.dispose()
    return latency_row(
        "naive: Core transaction per action, pool",
        backend,
        concurrency,
        latencies,
        seconds,
        note="no cache, no group commit",
    )


# -- event bus -------------------------------------------------------------------------------


async def bench_bus(events: int, *, failing: bool) -> Row:
    bus = EventBus()
    counter = [0]

    async def ok(event: Event, context: EventContext) -> None:
        counter[0] += 1

    calls = [0]

    async def flaky(event: Event, context: EventContext) -> None:
        calls[0] += 1
        if calls[0] % 1_000 == 0:
            raise RuntimeError("subscriber failure (benchmark)")

    for i in range(5):
        bus.subscribe(Event, flaky if failing and i == 2 else ok)
    context = EventContext(1, EPOCH, "bench")
    sample = [PointsAwarded(1, "bench", n) for n in range(64)]
    latencies: list[float] = []
    clock = time.perf_counter
    quiet = logging.getLogger("diana.bus")
    was = quiet.disabled
    quiet.disabled = True  # the failures are the point; their tracebacks are not
    try:
        start = clock()
        for n in range(events):
            t0 = clock()
            await bus.publish(sample[n & 63], context)
            latencies.append(clock() - t0)
        seconds = clock() - start
    finally:
        quiet.disabled = was
    name = "bus: 5 async subscribers" + (", one raising every 1,000th" if failing else "")
    per_second = events / seconds
    return latency_row(
        name,
        "memory",
        1,
        latencies,
        seconds,
        target=">= 300,000 events/s",
        verdict="ok" if per_second >= 300_000 else "MISSED",
        note=f"{bus.failures} failures isolated" if failing else "",
    )


# -- all together ----------------------------------------------------------------------------


async def _run(quick: bool, postgres_url: str | None) -> list[Row]:
    story = load_generated(200)
    gc.collect()
    gc.freeze()
    blob = dumps_state(sample_state(story))
    scale = 1 if quick else 4
    levels = [(1, 500 * scale), (16, 2_000 * scale), (128, 2_000 * scale)]
    open_actions = 2_000 * scale
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(sqlite_floor(Path(tmp) / "floor.sqlite3", 2_000 * scale, blob))
        rows.append(
            await bench_naive(f"sqlite:///{tmp}/naive.sqlite3", "sqlite", blob, 16, 500 * scale)
        )
        rows += await bench_store(
            f"sqlite:///{tmp}/store.sqlite3", "sqlite", story, levels, open_actions
        )
    try:
        async with scratch("postgresql", postgres_url) as pg:
            rows += await bench_store(pg, "postgresql", story, levels, open_actions)
    except Unreachable as exc:
        rows.append(Row("store", "postgresql", 0, 0, 0, 0, 0, note=f"skipped: {exc}"))
    bus_events = 100_000 if quick else 400_000
    rows.append(await bench_bus(bus_events, failing=False))
    rows.append(await bench_bus(bus_events, failing=True))
    return rows


def sample_state(story: Story) -> PlayerState:
    engine = Engine(story)
    state = engine.new_player(seed=1).state
    return engine.start(state, EPOCH).state


def run_storage_bench(*, quick: bool = False, postgres_url: str | None = None) -> list[Row]:
    """Rows of figures (see the module docstring); PostgreSQL rows say so when skipped."""
    with contextlib.suppress(AttributeError):
        gc.unfreeze()
    return asyncio.run(_run(quick, postgres_url))
