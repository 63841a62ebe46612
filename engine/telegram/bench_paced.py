"""`diana bench bot --rate N`: taps arriving at random moments, with and without the GC pacer.

Why: the closed-loop benchmark feeds the next tap the instant the last one is done, so the bot
is never idle and a collection always lands inside some tap. Real updates arrive at random
moments (Poisson arrivals at `rate` per second here), which leaves idle time between them for
the pacer (gcpace.py) to collect in. A tap's latency counts from its arrival, so a collection
that delays a tap still counts against it.
"""

from __future__ import annotations

import asyncio
import logging
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

from engine.benchrows import percentile
from engine.telegram.bench import (
    LocalSession,
    _no_prepare,
    _open_diana,
    _Player,
    _players,
    _timed,
)
from engine.telegram.bot.app import DianaBot


@dataclass(frozen=True, slots=True)
class PacedRow:
    collector: str
    taps: int
    rate: float
    p50_ms: float
    p99_ms: float
    p999_ms: float
    max_ms: float
    forced: int
    """Passes the pacer had to run while busy (young objects past its hard limit)."""


async def run_paced(content: Path, players: int, taps: int, rate: float) -> list[PacedRow]:
    logging.getLogger("diana.bot.channels").setLevel(logging.ERROR)
    rows = []
    for paced in (False, True):
        with tempfile.TemporaryDirectory(prefix="diana-bench-paced-") as tmp:
            diana = await _open_diana(content, Path(tmp) / "paced.sqlite3", LocalSession(), None)
            try:
                rows.append(await _arrivals(diana, players, taps, rate, paced))
            finally:
                await diana.close()  # the pacer hands the collector back here
    return rows


async def _arrivals(diana: DianaBot, players: int, taps: int, rate: float, paced: bool) -> PacedRow:
    sims = await _players(diana, players, _no_prepare)
    pacer = diana.pace_gc() if paced else None
    loop = asyncio.get_running_loop()
    rng = random.Random(7)
    latencies: list[float] = []
    running: list[asyncio.Task[None]] = []

    async def tap(sim: _Player, at: float) -> None:
        update = await sim.next_tap()
        await _timed(diana.feed, update)
        latencies.append(loop.time() - at)

    due = loop.time()
    for i in range(players * taps):  # round-robin: a player's taps are players/rate s apart
        due += rng.expovariate(rate)
        wait = due - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        running.append(asyncio.create_task(tap(sims[i % players], due)))
    await asyncio.gather(*running)
    ms = sorted(x * 1000 for x in latencies)
    return PacedRow(
        "paced: between updates" if paced else "CPython's automatic GC",
        len(ms),
        rate,
        percentile(ms, 0.5),
        percentile(ms, 0.99),
        percentile(ms, 0.999),
        ms[-1],
        pacer.forced if pacer is not None else 0,
    )
