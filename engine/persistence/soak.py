"""The soak: a million actions from ten thousand players through the real Store on a SQLite
file, watching the process's memory, then proving every ledger consistent.

- RSS comes from /proc/self/statm (where there is no /proc, from ru_maxrss: a peak, so it can
  only show growth), read after a full collection so that garbage waiting for the collector
  does not count as growth. Growth is counted from the end of the warm-up, the first fifth of
  the actions (at full size the store's bounded memory of 100,000 recent keys fills in it).
- The store keeps players' states in memory, and a state grows with what its player has seen,
  so RSS grows with play even when nothing leaks; SQLite's page caches grow with the file up
  to their size. Each sample also records an estimate of the bytes the cached states hold
  (runtime/footprint.py) and SQLite's own count: the growth they do not explain is what a
  leak would look like, and is reported on its own.
- Latencies go into fixed histograms: a list of a million floats would itself be 30 MB of the
  growth being watched.
- Players act back to back, `concurrency` at a time, each worker on its own players; one in
  25 actions is a check-in, and the clock moves ten minutes with each.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import os
import random
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from engine.benchrows import Histogram
from engine.bus import EventBus
from engine.content.compiled import Story
from engine.persistence.actions import Action, Choose, Start
from engine.persistence.bench import EPOCH
from engine.persistence.clock import FixedClock
from engine.persistence.consistency import Report, Tally, check
from engine.persistence.db import Database
from engine.persistence.migrations import upgrade
from engine.persistence.store import Store
from engine.runtime import CheckIn, Output, PlayerState
from engine.runtime.footprint import state_footprint

WARMUP = 0.2


def rss_mb() -> float:
    """The process's resident memory now, in MB."""
    try:
        with Path("/proc/self/statm").open(encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:  # no /proc: the peak is all there is
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def _sqlite_counter() -> Callable[[], int] | None:
    """libsqlite3's own count of the bytes it holds (page caches), process-wide, if loadable."""
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("sqlite3") or "libsqlite3.so.0")
        used: Callable[[], int] = lib.sqlite3_memory_used
        used.restype = ctypes.c_int64  # type: ignore[attr-defined]
    except (OSError, AttributeError):
        return None
    return used


_SQLITE_USED = _sqlite_counter()


def sqlite_mb() -> float:
    """Memory SQLite holds now (its page caches grow to cache_size with the file), in MB."""
    return _SQLITE_USED() / 1e6 if _SQLITE_USED else 0.0


@dataclass(frozen=True, slots=True)
class Sample:
    actions: int
    rss_mb: float
    states_mb: float
    """Estimated bytes held by the cached player states."""
    sqlite_mb: float
    rate: float
    """Actions per second since the previous sample."""
    p50_ms: float
    p99_ms: float


@dataclass(slots=True)
class SoakResult:
    players: int
    actions: int
    warmup: int
    seconds: float
    samples: list[Sample]
    latency: Histogram
    """Every action after the warm-up."""
    remembered: int
    """How many recent keys (and states) the store keeps in memory."""
    concurrency: int
    report: Report = field(default_factory=Report)

    @property
    def warm(self) -> Sample:
        """The first sample at or after the end of the warm-up."""
        return next(s for s in self.samples if s.actions >= self.warmup)

    @property
    def growth_mb(self) -> float:
        return self.samples[-1].rss_mb - self.warm.rss_mb

    @property
    def explained_mb(self) -> float:
        """Growth after the warm-up held by the cached player states and by SQLite's caches."""
        last, warm = self.samples[-1], self.warm
        return last.states_mb - warm.states_mb + last.sqlite_mb - warm.sqlite_mb


def _next(rng: random.Random, screen: Output) -> Action:
    if rng.random() < 0.04:
        return CheckIn()
    if screen.ended or not screen.buttons:
        return Start()
    pressable = [b for b in screen.buttons if b.available] or list(screen.buttons)
    return Choose(rng.choice(pressable).ref)


class _Players:
    """The simulated players: what each last saw, and the answers tallied for the check."""

    def __init__(self, store: Store, clock: FixedClock, players: int, concurrency: int) -> None:
        self.store, self.clock = store, clock
        self.ids = range(1, players + 1)
        self.tally = Tally()
        self.states: dict[int, PlayerState] = {}
        self.screens: dict[int, Output] = {}
        self.workers = [
            (random.Random(w), list(self.ids[w::concurrency])) for w in range(concurrency)
        ]
        self.counters = [0] * concurrency
        self.interval = Histogram()

    async def join(self) -> None:
        """Register everyone and press /start, all at once (the writer batches them)."""
        steps = await asyncio.gather(*map(self.store.register, self.ids))
        for pid, step in zip(self.ids, steps, strict=True):
            self.tally.registered(pid, step)
        steps = await asyncio.gather(*(self.store.act(p, Start(), f"go:{p}") for p in self.ids))
        for pid, step in zip(self.ids, steps, strict=True):
            self.tally.record(pid, [step])
            self.states[pid], self.screens[pid] = step.state, step.output

    async def play(self, actions: int) -> None:
        """`actions` actions, spread over the workers, each acting back to back."""
        share, extra = divmod(actions, len(self.workers))
        await asyncio.gather(
            *(self._work(w, share + (w < extra)) for w in range(len(self.workers)))
        )

    async def _work(self, w: int, count: int) -> None:
        rng, mine = self.workers[w]
        for _ in range(count):
            pid = mine[self.counters[w] % len(mine)]
            self.counters[w] += 1
            action = _next(rng, self.screens[pid])
            if isinstance(action, CheckIn):
                self.clock.advance(minutes=10)
            t0 = time.perf_counter()
            step = await self.store.act(pid, action, f"s{w}:{self.counters[w]}", self.clock.now())
            self.interval.add(time.perf_counter() - t0)
            self.tally.record(pid, [step])
            self.states[pid] = step.state
            if step.output.parts or step.output.buttons:
                self.screens[pid] = step.output

    def sample(self, done: int, seconds: float) -> Sample:
        """Memory now (after a full collection) and the interval's latencies; starts a new one."""
        gc.collect()
        held = sum(map(state_footprint, self.states.values())) / 1e6
        interval, self.interval = self.interval, Histogram()
        rate = interval.total / seconds if seconds else 0.0
        p50, p99 = interval.quantile(0.5) * 1000, interval.quantile(0.99) * 1000
        return Sample(done, rss_mb(), held, sqlite_mb(), rate, p50, p99)


async def soak(
    url: str,
    story: Story,
    *,
    actions: int,
    players: int,
    every: int,
    concurrency: int = 16,
    on_sample: Callable[[Sample], None] | None = None,
) -> SoakResult:
    """Run the soak on the (empty) database at `url`; see the module docstring."""
    db = Database(url)
    try:
        await upgrade(db)
        clock = FixedClock(EPOCH)
        store = Store(db, story, bus=EventBus(), clock=clock)
        crowd = _Players(store, clock, players, concurrency)
        after = Histogram()
        done, warmup = 0, int(actions * WARMUP)
        await store.open()
        try:
            await crowd.join()
            samples = [crowd.sample(0, 0.0)]
            start = time.perf_counter()
            while done < actions:
                chunk = min(every, actions - done)
                t0 = time.perf_counter()
                await crowd.play(chunk)
                if done >= warmup:
                    after.merge(crowd.interval)
                done += chunk
                samples.append(crowd.sample(done, time.perf_counter() - t0))
                if on_sample:
                    on_sample(samples[-1])
            seconds = time.perf_counter() - start
        finally:
            await store.close()
        result = SoakResult(
            players, actions, warmup, seconds, samples, after, store.cache_size, concurrency
        )
        result.report = await check(db, crowd.tally)
    finally:
        await db.dispose()
    return result
