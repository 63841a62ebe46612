"""The persistence layer's rows of `diana bench`'s audit table: one user action end to end,
the database under the stated load, the event bus, and the memory soak; each beside a floor
measured in the same run (raw sqlite3, raw asyncpg, bare awaits).

The building blocks are bench.py's (the `diana bench storage` table), floors.py's and
soak.py's; this module sizes them per scale and says which audit line each one answers.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from engine.benchrows import Audit, BenchContext, Figure, Row, skipped
from engine.content.compiled import Story
from engine.content.generated import load_generated
from engine.persistence import bench
from engine.persistence.benchdb import Backend, Unreachable, scratch
from engine.persistence.floors import asyncpg_floor, bus_floor
from engine.persistence.soak import SoakResult, soak
from engine.runtime import dumps_state

PG_NOTE = "the audit's own figure: no stricter target is set for PostgreSQL"
BUS_TARGET = 300_000


@dataclass(frozen=True, slots=True)
class _Sizes:
    players: int
    open_actions: int
    single: int
    floor: int
    bus: int


STORAGE = {
    "smoke": _Sizes(12, 40, 20, 200, 2_000),
    "quick": _Sizes(300, 1_500, 300, 2_000, 100_000),
    "full": _Sizes(1_000, 8_000, 2_000, 8_000, 400_000),
}
SOAK = {
    "smoke": (2_000, 100, 500),
    "quick": (20_000, 1_000, 2_500),
    "full": (1_000_000, 10_000, 50_000),
}
"""Scale -> (actions, players, sample every)."""
GROWTH_TARGET_MB = 5.0


def _row(
    audit: Audit, scenario: str, target: str, r: bench.Row, floor: bench.Row, what: str, met: bool
) -> Row:
    """A latency row from the storage bench's figures (ms), beside its floor's median."""
    return Row(
        audit,
        scenario,
        target,
        median=Figure(r.p50_ms, "ms"),
        p99=Figure(r.p99_ms, "ms"),
        floor=Figure(floor.p50_ms, "ms"),
        floor_what=what,
        ratio=r.p50_ms / floor.p50_ms if floor.p50_ms else None,
        met=met,
        measured=f"{r.per_second:,.0f} actions/s; {r.count:,} actions; {r.note}",
        note="" if r.backend == "sqlite" else PG_NOTE,
    )


def storage_rows(context: BenchContext) -> list[Row]:
    """Store.act one at a time and at 500 actions/s offered (SQLite, PostgreSQL); the bus."""
    try:
        return asyncio.run(_storage(context))
    finally:
        gc.unfreeze()


async def _storage(context: BenchContext) -> list[Row]:
    size = STORAGE[context.scale]
    story = load_generated(200)
    gc.collect()
    gc.freeze()  # the story lives through the run: keep it out of every collection
    rows: list[Row] = []
    for backend in ("sqlite", "postgresql"):
        rows += await _store_rows(backend, context, size, story)
    rows += await _bus_rows(size.bus)
    return rows


async def _store_rows(
    backend: Backend, context: BenchContext, size: _Sizes, story: Story
) -> list[Row]:
    blob = dumps_state(bench.sample_state(story))
    single = (
        "one user action end to end (Store.act: runtime step, write, commit, bus), "
        f"one user at a time, {backend}"
    )
    loaded = (
        f"Store.act at {bench.OPEN_RATE:,.0f} actions/s offered (Poisson arrivals), "
        f"{size.players:,} players, {backend}"
    )
    sqlite = backend == "sqlite"
    limits = (5.0, 5.0) if sqlite else (20.0, 50.0)
    targets = (
        f"p99 <= {limits[0]:.0f} ms" if sqlite else f"p99 < {limits[0]:.0f} ms",
        f"all {bench.OPEN_RATE:,.0f}/s served (>= 95%), p99 <= {limits[1]:.0f} ms"
        if sqlite
        else f"all {bench.OPEN_RATE:,.0f}/s served (>= 95%), p99 < {limits[1]:.0f} ms",
    )
    try:
        async with scratch(backend, context.postgres_url) as url:
            if sqlite:
                path = Path(url.removeprefix("sqlite:///") + ".floor")
                floor = bench.sqlite_floor(path, size.floor, blob)
            else:
                floor = await asyncpg_floor(url, max(size.floor // 4, 50), blob)
            opened, one = await bench.bench_store(
                url, backend, story, [(1, size.single)], size.open_actions, players=size.players
            )
    except Unreachable as exc:
        return [
            skipped(Audit.ORCHESTRATION, single, targets[0], str(exc)),
            skipped(Audit.DATABASE, loaded, targets[1], str(exc)),
        ]
    what = f"raw {'sqlite3' if sqlite else 'asyncpg'} read-modify-write"
    served = opened.per_second >= bench.OPEN_RATE * 0.95
    return [
        _row(Audit.ORCHESTRATION, single, targets[0], one, floor, what, one.p99_ms <= limits[0]),
        _row(
            Audit.DATABASE,
            loaded,
            targets[1],
            opened,
            floor,
            what,
            served and opened.p99_ms <= limits[1],
        ),
    ]


async def _bus_rows(events: int) -> list[Row]:
    floor = await bus_floor(events)
    rows = []
    for failing in (False, True):
        r = await bench.bench_bus(events, failing=failing)
        rows.append(
            Row(
                Audit.EVENT_BUS,
                "EventBus.publish to 5 async subscribers"
                + (", one raising every 1,000th (isolated, logged)" if failing else ""),
                f">= {BUS_TARGET:,} events/s",
                median=Figure(r.p50_ms * 1000, "µs"),
                p99=Figure(r.p99_ms * 1000, "µs"),
                floor=Figure(floor.per_second, "/s"),
                floor_what="the 5 subscribers awaited in a bare loop",
                ratio=floor.per_second / r.per_second,
                met=r.per_second >= BUS_TARGET,
                measured=f"{r.per_second:,.0f} events/s; {r.count:,} events"
                + (f"; {r.note}" if r.note else ""),
            )
        )
    return rows


def soak_rows(context: BenchContext) -> list[Row]:
    """The audit's "memory stability" line, measured in a fresh interpreter: memory that the
    sections before freed would be reused here and hide growth."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_soak_here, context).result()


def _soak_here(context: BenchContext) -> list[Row]:
    actions, players, every = SOAK[context.scale]
    story = load_generated(200)
    gc.collect()
    gc.freeze()  # the story lives as long as the process: keep it out of every collection
    with tempfile.TemporaryDirectory(prefix="diana-soak-") as tmp:
        blob = dumps_state(bench.sample_state(story))
        floor = bench.sqlite_floor(Path(tmp) / "floor.sqlite3", min(actions, 5_000), blob)
        url = f"sqlite:///{tmp}/soak.sqlite3"
        result = asyncio.run(soak(url, story, actions=actions, players=players, every=every))
    return memory_rows(result, floor.p50_ms)


def memory_rows(result: SoakResult, floor_ms: float) -> list[Row]:
    """The two memory rows: RSS growth as measured, and the part nothing known explains."""
    warm, last = result.warm, result.samples[-1]
    median = result.latency.quantile(0.5) * 1000
    residual = result.growth_mb - result.explained_mb
    short = warm.actions < result.remembered
    return [
        Row(
            Audit.MEMORY,
            f"soak: {result.actions:,} actions from {result.players:,} players through one "
            f"Store, SQLite file, {result.concurrency} acting at a time",
            f"RSS growth after warm-up <= {GROWTH_TARGET_MB:.0f} MB; every ledger consistent",
            median=Figure(median, "ms"),
            p99=Figure(result.latency.quantile(0.99) * 1000, "ms"),
            floor=Figure(floor_ms, "ms"),
            floor_what="raw sqlite3 read-modify-write",
            ratio=median / floor_ms if floor_ms else None,
            met=result.growth_mb <= GROWTH_TARGET_MB and result.report.ok,
            measured=(
                f"RSS {warm.rss_mb:,.0f} MB after {warm.actions:,} actions of warm-up, "
                f"{last.rss_mb:,.0f} MB after {last.actions:,} ({result.growth_mb:+.1f} MB); "
                f"cached player states {warm.states_mb:,.0f} -> {last.states_mb:,.0f} MB, "
                f"SQLite {warm.sqlite_mb:,.0f} -> {last.sqlite_mb:,.0f} MB; "
                f"{result.samples[1].rate:,.0f} -> {last.rate:,.0f} actions/s; "
                f"{result.report.summary()}"
            ),
            note="latency: the actions after the warm-up, each queueing behind up to "
            f"{result.concurrency - 1} others",
        ),
        Row(
            Audit.MEMORY,
            "soak: RSS growth after warm-up that neither the cached player states nor SQLite's "
            "caches explain (a leak would show here)",
            f"<= {GROWTH_TARGET_MB:.0f} MB",
            met=residual <= GROWTH_TARGET_MB,
            measured=f"{residual:+.1f} MB = {result.growth_mb:+.1f} MB RSS - "
            f"{result.explained_mb:+.1f} MB in player states and SQLite",
            note=(
                f"warm-up ({warm.actions:,} actions) shorter than the store's memory of "
                f"{result.remembered:,} recent keys: their growth counts here"
                if short
                else ""
            ),
        ),
    ]
