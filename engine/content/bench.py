"""Content loading benchmark: stage times beside PyYAML's C loader (the floor), cache reloads,
incremental re-checks and the memory a compiled story keeps.

Everything is measured in the same run on the same generated files, so the ratios hold on any
machine even when the absolute figures drift.
"""

from __future__ import annotations

import gc
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from engine import benchrows
from engine.content.loader import ContentCache, discover, load_story
from engine.content.synth import write_story


@dataclass(frozen=True, slots=True)
class Row:
    scenario: str
    fragments: int
    ms: float
    target: str = ""
    ratio: str = ""
    note: str = ""


def _best(fn: Callable[[], object], runs: int) -> float:
    """Median wall time in ms over `runs` (GC collected before each run)."""
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _floor(root: Path) -> None:
    for path in discover(root):
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)


@dataclass(frozen=True, slots=True)
class Measured:
    """Median wall times in ms over the runs, all on the same generated files."""

    fragments: int
    floor: float
    cold: float
    stages: dict[str, float]
    reload: float
    """Files unchanged, through the content cache."""
    edited: float
    """Re-check after saving one chapter file."""


def measure(root: Path, fragments: int, runs: int) -> Measured:
    floor = _best(lambda: _floor(root), runs)
    stages: dict[str, list[float]] = {}

    def cold() -> None:
        result = load_story(root)
        assert result.ok, result.diagnostics.sorted()[:3]
        for stage, secs in result.timings.items():
            stages.setdefault(stage, []).append(secs * 1000)

    total = _best(cold, runs)
    cache = ContentCache()
    load_story(root, cache=cache)
    warm = _best(lambda: load_story(root, cache=cache), runs)
    chapters = sorted((root / "chapters").glob("*.yaml"))
    one = chapters[len(chapters) // 3]
    original = one.read_text(encoding="utf-8")

    def edit_and_reload() -> None:
        one.write_text(original.replace("Opción 0", "Opción cero", 1), encoding="utf-8")
        load_story(root, cache=cache)
        one.write_text(original, encoding="utf-8")
        load_story(root, cache=cache)

    edited = _best(edit_and_reload, runs) / 2
    medians = {stage: statistics.median(values) for stage, values in stages.items()}
    return Measured(fragments, floor, total, medians, warm, edited)


def bench_size(fragments: int, runs: int) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        root = write_story(Path(tmp) / "content", fragments)
        m = measure(root, fragments, runs)
        resident, peak = _memory(root)
    rows = [Row("floor: PyYAML CSafeLoader alone", fragments, m.floor)]
    rows += [Row(f"  stage: {stage}", fragments, ms) for stage, ms in m.stages.items()]
    return [
        *rows,
        Row(
            "cold load: read+parse+validate+compile+check",
            fragments,
            m.cold,
            "<= 1.5x floor",
            f"{m.cold / m.floor:.2f}x floor",
        ),
        Row(
            "reload, files unchanged (cache)",
            fragments,
            m.reload,
            "<= 10% of cold",
            f"{100 * m.reload / m.cold:.1f}% of cold",
        ),
        Row(
            "re-check after saving one file",
            fragments,
            m.edited,
            "< 500 ms",
            "ok" if m.edited < 500 else "OVER",
        ),
        Row(
            "compiled story resident (MB)",
            fragments,
            resident,
            "<= 80 MB @10k" if fragments >= 10_000 else "",
            note=f"peak during load {peak:.0f} MB",
        ),
    ]


def _memory(root: Path) -> tuple[float, float]:
    """MB held by the compiled story alone, and the peak while loading it (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        story = load_story(root).story
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
        assert story is not None
        return current / 1e6, peak / 1e6
    finally:
        tracemalloc.stop()


def run_content_bench(quick: bool = False) -> list[Row]:
    sizes = (1_000,) if quick else (1_000, 2_000, 10_000)
    rows: list[Row] = []
    for n in sizes:
        rows.extend(bench_size(n, runs=1 if n >= 10_000 else 3))
    return rows


AUDIT_SIZES: dict[str, tuple[tuple[int, int], ...]] = {
    "smoke": ((60, 1),),
    "quick": ((1_000, 3),),
    "full": ((2_000, 3), (10_000, 1)),
}
"""Scale -> (fragments, runs) per story size."""
RECHECK_AT = 2_000
"""The re-check target (< 500 ms) is stated for a 2,000-fragment story."""


def audit_rows(context: benchrows.BenchContext) -> list[benchrows.Row]:
    """The audit's "fragment loading" line: cold load, unchanged reload, re-check of one file."""
    rows: list[benchrows.Row] = []
    for fragments, runs in AUDIT_SIZES[context.scale]:
        with tempfile.TemporaryDirectory() as tmp:
            m = measure(write_story(Path(tmp) / "content", fragments), fragments, runs)
        rows += _audit(m, runs)
    return rows


def _audit(m: Measured, runs: int) -> list[benchrows.Row]:
    def row(scenario: str, target: str, ms: float, met: bool, measured: str) -> benchrows.Row:
        return benchrows.Row(
            benchrows.Audit.FRAGMENT_LOADING,
            f"{scenario}, {m.fragments:,} fragments (~1.5 KB of YAML each)",
            target,
            median=benchrows.Figure(ms, "ms"),
            floor=benchrows.Figure(m.floor, "ms"),
            floor_what="PyYAML's C loader alone, same files",
            ratio=ms / m.floor,
            met=met,
            measured=measured,
            note=f"median of {runs} run{'s' if runs > 1 else ''}: no p99 from so few",
        )

    stages = ", ".join(f"{stage} {ms:,.0f}" for stage, ms in m.stages.items())
    rows = [
        row(
            "cold load (read, parse, validate, compile, check)",
            "<= 1.5x the floor",
            m.cold,
            m.cold <= 1.5 * m.floor,
            f"stages (ms): {stages}",
        ),
        row(
            "reload with files unchanged (content cache)",
            "<= 10% of the cold load",
            m.reload,
            m.reload <= 0.1 * m.cold,
            f"{100 * m.reload / m.cold:.1f}% of the cold load",
        ),
    ]
    if m.fragments <= RECHECK_AT:
        rows.append(row("re-check after saving one file", "< 500 ms", m.edited, m.edited < 500, ""))
    return rows
