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


def bench_size(fragments: int, runs: int) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = write_story(Path(tmp) / "content", fragments)
        floor = _best(lambda: _floor(root), runs)
        stages: dict[str, list[float]] = {}

        def cold() -> None:
            result = load_story(root)
            assert result.ok, result.diagnostics.sorted()[:3]
            for stage, secs in result.timings.items():
                stages.setdefault(stage, []).append(secs * 1000)

        total = _best(cold, runs)
        rows.append(Row("floor: PyYAML CSafeLoader alone", fragments, floor))
        for stage, values in stages.items():
            rows.append(Row(f"  stage: {stage}", fragments, statistics.median(values)))
        rows.append(
            Row(
                "cold load: read+parse+validate+compile+check",
                fragments,
                total,
                "<= 1.5x floor",
                f"{total / floor:.2f}x floor",
            )
        )
        cache = ContentCache()
        load_story(root, cache=cache)
        warm = _best(lambda: load_story(root, cache=cache), runs)
        rows.append(
            Row(
                "reload, files unchanged (cache)",
                fragments,
                warm,
                "<= 10% of cold",
                f"{100 * warm / total:.1f}% of cold",
            )
        )
        chapters = sorted((root / "chapters").glob("*.yaml"))
        one = chapters[len(chapters) // 3]
        original = one.read_text(encoding="utf-8")

        def edit_and_reload() -> None:
            one.write_text(original.replace("Opción 0", "Opción cero", 1), encoding="utf-8")
            load_story(root, cache=cache)
            one.write_text(original, encoding="utf-8")
            load_story(root, cache=cache)

        edited = _best(edit_and_reload, runs) / 2
        rows.append(
            Row(
                "re-check after saving one file",
                fragments,
                edited,
                "< 500 ms",
                "ok" if edited < 500 else "OVER",
            )
        )
        resident, peak = _memory(root)
        rows.append(
            Row(
                "compiled story resident (MB)",
                fragments,
                resident,
                "<= 80 MB @10k" if fragments >= 10_000 else "",
                note=f"peak during load {peak:.0f} MB",
            )
        )
    return rows


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
