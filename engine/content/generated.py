"""Generated stories of any size, as data, for the runtime benchmark and property tests.

`generate_story` returns {relative path: data} (JSON is YAML, so files need no YAML writer);
every fragment can always move on, chapters end in endings, every tenth chapter is VIP with a
free upsell, and choices mix conditions, costs, rewards, once-only, VIP gates and effects.
`engine.content.synth` writes YAML prose-sized stories for the loading benchmark instead.
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path
from typing import Any

from engine.content.compiled import Story
from engine.content.loader import load_story

CHAPTER_SIZE = 100


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
