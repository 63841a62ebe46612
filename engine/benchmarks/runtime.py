"""Benchmark of the runtime (not a test): random-walk a generated story, time choose().

It lives outside `engine/runtime` because it reads a clock (`perf_counter`) and draws random
numbers, which the runtime itself never does (tests/runtime/test_purity.py holds that).
`run_runtime_bench()` loads a generated story of `fragments` fragments, plays `steps` random
choices (restarting at endings, checking in now and then so costs get paid) and returns rows
of figures for the CLI to print.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.content.generated import load_generated
from engine.runtime.codec import dumps_state, loads_state
from engine.runtime.engine import Engine
from engine.runtime.state import PlayerState
from engine.runtime.triggers import CheckIn

BENCH_EPOCH = datetime(2025, 3, 1, 10, tzinfo=UTC)


def random_walk(
    engine: Engine, steps: int, seed: int = 0, repeats: int = 1
) -> tuple[list[int], PlayerState]:
    """Play `steps` choices; return the nanoseconds each choose() took and the last state.

    With `repeats` > 1 each step is timed that many times and the fastest kept: choose() is
    pure, so a re-run does exactly the same work, and the minimum filters out the machine's
    scheduling noise (which, on a shared VM, dominates the raw tail).
    """
    rng = random.Random(seed)
    now = BENCH_EPOCH
    state = engine.new_player(seed=seed).state
    step = engine.start(state, now)
    state = step.state
    buttons = step.output.buttons
    timings: list[int] = []
    clock = time.perf_counter_ns
    for n in range(steps):
        if step.output.ended or not buttons:
            step = engine.start(state, now)
            state, buttons = step.state, step.output.buttons
        if n % 50 == 0:
            now += timedelta(days=1)
            state = engine.trigger(state, CheckIn(), now).state
            buttons = engine.view(state, now).buttons
        pressable = [b for b in buttons if b.available] or list(buttons)
        ref = rng.choice(pressable).ref
        best = None
        for _ in range(repeats):
            t0 = clock()
            step = engine.choose(state, ref, now)
            took = clock() - t0
            best = took if best is None or took < best else best
        assert best is not None
        timings.append(best)
        state = step.state
        # A refusal (short of points, VIP) shows no fragment: look at the screen again.
        buttons = step.output.buttons if step.output.parts else engine.view(state, now).buttons
    return timings, state


def run_runtime_bench(fragments: int = 10_000, steps: int = 100_000) -> list[dict[str, Any]]:
    """Rows of figures: load time, per-choose latency (p50/p99/mean µs), state size."""
    t0 = time.perf_counter()
    story = load_generated(fragments)
    load_s = time.perf_counter() - t0
    engine = Engine(story)
    gc.collect()
    gc.freeze()  # the story is long-lived: keep it out of every later collection
    random_walk(engine, min(steps, 2_000), seed=1)  # warm up
    timings, state = random_walk(engine, steps)
    us = sorted(t / 1000 for t in timings)
    filtered, _ = random_walk(engine, min(steps, 20_000), repeats=5)
    best = sorted(t / 1000 for t in filtered)
    blob = dumps_state(state)
    t1 = time.perf_counter_ns()
    for _ in range(100):
        loads_state(blob)
    load_us = (time.perf_counter_ns() - t1) / 100_000
    return [
        {"metric": "machine floor: sum(range(1000)) (µs)", "value": round(machine_unit_us(), 1)},
        {"metric": "story load (s)", "value": round(load_s, 2), "fragments": fragments},
        {"metric": "choose p50 (µs)", "value": round(us[len(us) // 2], 1), "steps": steps},
        {"metric": "choose p99 (µs)", "value": round(us[int(len(us) * 0.99)], 1), "steps": steps},
        {"metric": "choose mean (µs)", "value": round(statistics.fmean(us), 1), "steps": steps},
        {
            "metric": "choose p50, noise-filtered (µs)",
            "value": round(best[len(best) // 2], 1),
            "steps": len(best),
        },
        {
            "metric": "choose p99, noise-filtered (µs)",
            "value": round(best[int(len(best) * 0.99)], 1),
            "steps": len(best),
        },
        {"metric": "state JSON (bytes)", "value": len(blob), "visited": len(state.visits)},
        {"metric": "state load (µs)", "value": round(load_us, 1), "visited": len(state.visits)},
    ]


def machine_unit_us() -> float:
    """A fixed pure-Python workload, to compare figures across machines."""
    best = float("inf")
    for _ in range(200):
        t0 = time.perf_counter_ns()
        sum(range(1000))
        best = min(best, (time.perf_counter_ns() - t0) / 1000)
    return best
