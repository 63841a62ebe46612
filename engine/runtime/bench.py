"""Benchmark of the runtime (not a test): generate a large story, random-walk it, time choose().

`run_runtime_bench()` writes a generated story of `fragments` fragments to a temporary folder,
loads it with the content loader, then plays `steps` random choices (restarting at endings,
checking in now and then so costs get paid) and returns rows of figures for the CLI to print.
`generate_story` is also what the property-based tests walk.
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from engine.content import load_story
from engine.content.compiled import Story
from engine.runtime.codec import dumps_state, loads_state
from engine.runtime.engine import Engine
from engine.runtime.state import PlayerState
from engine.runtime.triggers import CheckIn

CHAPTER_SIZE = 100
BENCH_EPOCH = datetime(2025, 3, 1, 10, tzinfo=UTC)


def generate_story(fragments: int, seed: int = 0) -> dict[str, Any]:
    """A story of `fragments` fragments as {relative path: YAML data}.

    Every fragment can always move on (a fallback to the next one), the last one of every
    chapter file is an ending, every tenth chapter is VIP with a free upsell, and choices mix
    conditions, costs, rewards, once-only, VIP gates and effects on emotions and variables.
    """
    rng = random.Random(seed)
    n = max(fragments, 4)
    files: dict[str, Any] = {
        "story.yaml": {
            "kind": "story",
            "format": 1,
            "id": "generated",
            "title": "Generated",
            "language": "es",
            "languages": ["es"],
            "start": "f0",
            "timezone": "Europe/Madrid",
            "characters": {"diana": {"name": "Diana"}},
            "variables": {"flag": False, "count": 0},
            "archetypes": {"romantic": {"name": "Romántico"}},
            "clues": {"llave": {"name": "Llave"}},
        },
        "economy.yaml": {
            "kind": "economy",
            "currency": {"name": "besitos", "symbol": "💋"},
            "starting_points": 10,
            "daily_gift": {"points": 10},
            "streak": {"bonus_every": 7, "bonus": 25},
            "reactions": {"emoji": {"❤": 2}, "default": 1, "cooldown_seconds": 30, "daily_cap": 20},
            "comments": {"points": 2, "cooldown_seconds": 60, "daily_cap": 10},
            "vip_multiplier": 1.5,
            "levels": [
                {"id": "l1", "name": "Uno", "min_points": 0},
                {"id": "l2", "name": "Dos", "min_points": 100},
                {"id": "l3", "name": "Tres", "min_points": 500},
            ],
            "achievements": [
                {"id": "pista", "name": "Pista", "when": 'has_clue("llave")', "reward": 5},
                {"id": "rico", "name": "Rico", "when": "lifetime_points >= 200", "reward": 10},
            ],
        },
        "vip.yaml": {
            "kind": "vip",
            "tiers": [{"id": "divan", "name": "El Diván"}],
            "offers": [
                {
                    "id": "mes",
                    "tier": "divan",
                    "title": "Mes",
                    "description": "Un mes",
                    "stars": 250,
                }
            ],
        },
        "emotions.yaml": {
            "kind": "emotions",
            "character": "diana",
            "dimensions": {
                "trust": {"start": 20, "decay_per_day": 1},
                "affection": {"start": 10, "max": 50, "decay_per_day": 2},
            },
            "states": [
                {"id": "trusting", "name": "Confiada", "when": "trust >= 50"},
                {"id": "guarded", "name": "Reservada", "when": "true"},
            ],
            "responses": {
                "after_choice": {"any": ["Hm.", "Ah, {name}."], "trusting": ["Sonríe."]},
                "short_of_points": {"any": ["Faltan {missing}."]},
                "vip_locked": {"any": ["Solo VIP."]},
            },
        },
    }
    chapters = (n + CHAPTER_SIZE - 1) // CHAPTER_SIZE
    for c in range(chapters):
        lo, hi = c * CHAPTER_SIZE, min(n, (c + 1) * CHAPTER_SIZE)
        vip = c % 10 == 9
        frags = [_fragment(rng, i, lo, hi, n) for i in range(lo, hi)]
        chapter: dict[str, Any] = {
            "kind": "chapter",
            "id": f"c{c}",
            "title": f"Capítulo {c}",
            "fragments": frags,
        }
        if vip:
            chapter["vip"] = True
            chapter["upsell"] = f"f{lo - 1}"  # the free chapter before ends with an ending
        files[f"chapters/c{c:04d}.yaml"] = chapter
    return files


def _fragment(rng: random.Random, i: int, lo: int, hi: int, n: int) -> dict[str, Any]:
    frag: dict[str, Any] = {"id": f"f{i}", "text": f"Fragmento {i}, {{name}}."}
    if i == hi - 1:
        frag["ending"] = {"title": "Fin", "type": rng.choice(["good", "bad", "neutral"])}
        return frag
    if rng.random() < 0.1:
        frag["reward"] = rng.randint(1, 5)
    if rng.random() < 0.2:
        frag["on_enter"] = {"add": {"count": 1}}
    choices: list[dict[str, Any]] = []
    targets = {f"f{i + 1}"}
    for k in range(rng.randint(1, 3)):
        far = rng.random() < 0.2
        t = rng.randrange(0, n) if far else min(hi - 1, i + rng.randint(1, 4))
        target = f"f{t}"
        if target in targets:
            continue
        targets.add(target)
        choice: dict[str, Any] = {"label": f"Opción {k}", "to": target}
        roll = rng.random()
        if roll < 0.15:
            choice["if"] = rng.choice(
                ["trust >= 30", "count >= 2", 'visited("f0")', "not flag", "points >= 15"]
            )
            if rng.random() < 0.5:
                choice["locked"] = "show"
        elif roll < 0.25:
            choice["cost"] = rng.randint(1, 20)
        elif roll < 0.3:
            choice["vip"] = True
        elif roll < 0.4:
            choice["once"] = True
        if rng.random() < 0.3:
            choice["effects"] = {
                "add": {"trust": rng.randint(-10, 10), "affection": rng.randint(-5, 5)}
            }
        if rng.random() < 0.05:
            choice["effects"] = {"set": {"flag": True}, "clues": ["llave"]}
        if rng.random() < 0.1:
            choice["reward"] = rng.randint(1, 5)
        choices.append(choice)
    choices.append({"label": "Seguir", "to": f"f{i + 1}", "fallback": True})
    frag["choices"] = choices
    return frag


def write_story(root: Path, files: dict[str, Any]) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        # JSON is YAML: no YAML library in the runtime package (see tests/test_layers.py).
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return root


def load_generated(fragments: int, seed: int = 0) -> Story:
    return load_story_files(generate_story(fragments, seed))


def load_story_files(files: dict[str, Any]) -> Story:
    """Compile a story given as {relative path: data} (written to a temporary folder)."""
    with tempfile.TemporaryDirectory() as tmp:
        result = load_story(write_story(Path(tmp), files), checks=False)
    errors = [str(d) for d in result.diagnostics.sorted() if d.severity.name == "ERROR"]
    if result.story is None or errors:
        raise RuntimeError("generated story does not compile:\n" + "\n".join(errors[:10]))
    return result.story


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


if __name__ == "__main__":
    for row in run_runtime_bench():
        print(row)
