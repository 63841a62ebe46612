"""The concurrency run: many players acting at the same moment through one Store, and proof
that no update was lost or doubled.

Each round every player acts at once (a task each, all through one Store, as the bot's
handlers do). Every tenth player's update is delivered twice at once (a double tap, or
Telegram redelivering while the first is in flight), and the next player's previous update
is delivered again afterwards; neither may have a second effect. Every fourth round is a
new day's check-in, so points move too. A `Tally` of the answers and `consistency.check`
then compare the database with what the store said. Latency is per delivery, from the call to
the answer, queueing included (a thousand actions arrive together).
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from pathlib import Path

from engine.benchrows import Audit, BenchContext, Figure, Row, percentile, skipped
from engine.bus import EventBus
from engine.content.compiled import Story
from engine.content.generated import load_generated
from engine.persistence.actions import Action, Choose, Start
from engine.persistence.bench import EPOCH, sample_state, sqlite_floor
from engine.persistence.bench import Row as FloorRow
from engine.persistence.benchdb import Backend, Unreachable, scratch
from engine.persistence.clock import FixedClock
from engine.persistence.consistency import Report, Tally, check
from engine.persistence.db import Database
from engine.persistence.floors import asyncpg_floor
from engine.persistence.migrations import upgrade
from engine.persistence.store import Store
from engine.runtime import CheckIn, Output, Step, dumps_state

SIZES = {"smoke": (40, 2), "quick": (1_000, 3), "full": (1_000, 20)}
"""Scale -> (players, rounds)."""
TARGET_RATE = 500.0
EVERY = 10
"""Every EVERY-th player's update is delivered twice at once; the next player's again later."""


@dataclass(frozen=True, slots=True)
class CrowdResult:
    players: int
    rounds: int
    deliveries: int
    seconds: float
    latencies: list[float]
    report: Report
    tally: Tally
    """What the store answered: `check(db, tally)` again after tampering finds the damage."""

    @property
    def rate(self) -> float:
        """Distinct actions (keys) per second; duplicate deliveries are extra work on top."""
        return self.players * self.rounds / self.seconds if self.seconds else 0.0


def _action(rng: random.Random, screen: Output, round_: int) -> Action:
    if round_ == 0 or screen.ended or not screen.buttons:
        return Start()
    if round_ % 4 == 3:
        return CheckIn()
    pressable = [b for b in screen.buttons if b.available] or list(screen.buttons)
    return Choose(rng.choice(pressable).ref)


async def crowd(
    url: str, story: Story, *, players: int, rounds: int, every: int = EVERY
) -> CrowdResult:
    """Run `rounds` rounds of `players` players acting at once on the database at `url`."""
    db = Database(url)
    try:
        await upgrade(db)
        clock = FixedClock(EPOCH)
        store = Store(db, story, bus=EventBus(), clock=clock)
        await store.open()
        tally = Tally()
        try:
            ids = range(1, players + 1)
            for pid, step in zip(
                ids, await asyncio.gather(*(store.register(p) for p in ids)), strict=True
            ):
                tally.registered(pid, step)
            screens = {pid: Output() for pid in ids}
            last: dict[int, tuple[Action, str]] = {}
            rng = random.Random(0)
            latencies: list[float] = []

            async def deliver(pid: int, action: Action, key: str) -> Step:
                t0 = time.perf_counter()
                step = await store.act(pid, action, key, clock.now())
                latencies.append(time.perf_counter() - t0)
                return step

            async def one(pid: int, round_: int) -> None:
                action, key = _action(rng, screens[pid], round_), f"crowd:{round_}:{pid}"
                times = 2 if pid % every == 0 else 1
                answers = await asyncio.gather(*(deliver(pid, action, key) for _ in range(times)))
                tally.record(pid, answers)
                shown = [a.output for a in answers if a.output.parts or a.output.buttons]
                screens[pid] = shown[-1] if shown else screens[pid]
                if pid % every == 1 and pid in last:
                    tally.redelivered(pid, await deliver(pid, *last[pid]))
                last[pid] = (action, key)

            start = time.perf_counter()
            for round_ in range(rounds):
                if round_ % 4 == 3:
                    clock.advance(days=1)
                await asyncio.gather(*(one(pid, round_) for pid in ids))
            seconds = time.perf_counter() - start
        finally:
            await store.close()
        report = await check(db, tally)
    finally:
        await db.dispose()
    return CrowdResult(players, rounds, len(latencies), seconds, latencies, report, tally)


async def measure(
    backend: Backend,
    story: Story,
    *,
    players: int,
    rounds: int,
    floor_actions: int,
    postgres: str | None = None,
) -> tuple[CrowdResult, FloorRow]:
    """The run on a fresh database of `backend`, and its floor measured just before on the
    same server (raw sqlite3 or raw asyncpg, one action at a time). Raises Unreachable."""
    blob = dumps_state(sample_state(story))
    async with scratch(backend, postgres) as url:
        if backend == "sqlite":
            path = Path(url.removeprefix("sqlite:///") + ".floor")
            floor = sqlite_floor(path, floor_actions, blob)
        else:
            floor = await asyncpg_floor(url, floor_actions, blob)
        return await crowd(url, story, players=players, rounds=rounds), floor


def audit_rows(context: BenchContext) -> list[Row]:
    """The audit's "concurrent users" line, on SQLite and (when it answers) PostgreSQL."""
    return asyncio.run(_rows(context))


async def _rows(context: BenchContext) -> list[Row]:
    players, rounds = SIZES[context.scale]
    story = load_generated(200)
    floor_actions = 200 if context.scale == "smoke" else 2_000
    rows: list[Row] = []
    for backend in ("sqlite", "postgresql"):
        scenario = (
            f"{players:,} players acting at once through one Store, {backend}, {rounds} rounds "
            f"(every {EVERY}th update delivered twice at once, the next one's again later)"
        )
        target = (
            f">= {TARGET_RATE:,.0f} actions/s; none lost or doubled"
            if backend == "sqlite"
            else "none lost or doubled (no throughput target set)"
        )
        try:
            result, floor = await measure(
                backend,
                story,
                players=players,
                rounds=rounds,
                floor_actions=floor_actions,
                postgres=context.postgres_url,
            )
        except Unreachable as exc:
            rows.append(skipped(Audit.CONCURRENCY, scenario, target, str(exc)))
            continue
        ordered = sorted(result.latencies)
        rows.append(
            Row(
                Audit.CONCURRENCY,
                scenario,
                target,
                median=Figure(percentile(ordered, 0.5) * 1000, "ms"),
                p99=Figure(percentile(ordered, 0.99) * 1000, "ms"),
                floor=Figure(floor.per_second, "/s"),
                floor_what=f"{floor.scenario.removeprefix('floor: ')}, one at a time",
                ratio=floor.per_second / result.rate if result.rate else None,
                met=result.report.ok and (backend != "sqlite" or result.rate >= TARGET_RATE),
                measured=(
                    f"{result.rate:,.0f} actions/s ({result.deliveries:,} deliveries in "
                    f"{result.seconds:.1f} s); {result.report.summary()}"
                ),
            )
        )
    return rows
