"""Where the bot's slowest taps go: `diana bench bot --trace`.

Why: a tap's p99 is several times its median, and the slow taps make the same calls as the
fast ones, so the cause sits outside the handler's own work. This runs the in-process bot
benchmark with two probes, `gc.callbacks` timing every cyclic-GC pass and the store writer's
observer timing every batch's write and commit, then attributes each tap at or above the p99
to the passes and commits that overlapped it. Only what takes longer than `NOTABLE_MS` counts,
so a 20 µs gen-0 pass inside a 10 ms tap does not take the blame.
"""

from __future__ import annotations

import gc
import logging
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.benchrows import percentile
from engine.telegram.bench import LocalSession, _diana_run, _no_prepare, _open_diana

NOTABLE_MS = 0.5
Span = tuple[float, float]


@dataclass
class Probes:
    taps: list[Span] = field(default_factory=list)
    commits: list[Span] = field(default_factory=list)
    passes: list[tuple[float, float, int]] = field(default_factory=list)
    _started: float = 0.0

    def on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.passes.append((self._started, time.perf_counter(), int(info["generation"])))


@dataclass(frozen=True, slots=True)
class TraceRow:
    what: str
    count: int
    detail: str


async def run_trace(content: Path, players: int, taps: int) -> list[TraceRow]:
    logging.getLogger("diana.bot.channels").setLevel(logging.ERROR)
    probes = Probes()
    with tempfile.TemporaryDirectory(prefix="diana-bench-trace-") as tmp:
        diana = await _open_diana(content, Path(tmp) / "trace.sqlite3", LocalSession(), None)
        diana.store.writer.observer = lambda a, b: probes.commits.append((a, b))
        gc.callbacks.append(probes.on_gc)
        try:
            await _diana_run(
                diana, players, taps, 1, _no_prepare, lambda a, b: probes.taps.append((a, b))
            )
        finally:
            gc.callbacks.remove(probes.on_gc)
            diana.store.writer.observer = None
            await diana.close()
    return attribute(probes)


def _ms(span: Span) -> float:
    return (span[1] - span[0]) * 1000


def _hit(span: Span, start: float, end: float) -> bool:
    """`span` overlaps the tap [start, end] and is long enough to matter."""
    return span[0] < end and span[1] > start and _ms(span) > NOTABLE_MS


def attribute(probes: Probes) -> list[TraceRow]:
    """Rows: the tail's taps by what overlapped them, then the probes' own distributions."""
    first = min((a for a, _ in probes.taps), default=0.0)
    taps = sorted(probes.taps, key=_ms)
    p99 = percentile([_ms(t) for t in taps], 0.99) if taps else 0.0
    tail = [t for t in taps if _ms(t) >= p99]
    passes = [(a, b, g) for a, b, g in probes.passes if a >= first]
    commits = [c for c in probes.commits if c[0] >= first]
    causes: Counter[str] = Counter()
    for start, end in tail:
        found = {f"gc gen-{g}" for a, b, g in passes if _hit((a, b), start, end)}
        if any(_hit(c, start, end) for c in commits):
            found.add("commit")
        causes[" + ".join(sorted(found)) or "neither"] += 1
    rows = [
        TraceRow(
            "taps",
            len(taps),
            f"p50 {percentile([_ms(t) for t in taps], 0.5):.2f} ms, p99 {p99:.2f} ms"
            if taps
            else "",
        )
    ]
    rows += [
        TraceRow(f"tail taps (>= p99) overlapping: {cause}", n, f"over {NOTABLE_MS} ms each")
        for cause, n in causes.most_common()
    ]
    for generation in (0, 1, 2):
        times = sorted(_ms((a, b)) for a, b, g in passes if g == generation)
        if times:
            rows.append(
                TraceRow(
                    f"gc gen-{generation} passes",
                    len(times),
                    f"p50 {percentile(times, 0.5):.2f} ms, max {times[-1]:.2f} ms",
                )
            )
    times = sorted(_ms(c) for c in commits)
    if times:
        slow = sum(1 for t in times if t > 3)
        rows.append(
            TraceRow(
                "writes + commits",
                len(times),
                f"p50 {percentile(times, 0.5):.3f} ms, p99 {percentile(times, 0.99):.3f} ms, "
                f"max {times[-1]:.2f} ms, {slow} over 3 ms",
            )
        )
    return rows
