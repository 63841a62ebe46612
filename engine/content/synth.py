"""Synthetic stories of any size, for benchmarks and scale tests.

The generated content is valid and lint-clean: a chain of chapters whose fragments branch
forward, loop back now and then (with a way out), cost and reward besitos, test conditions,
and end at regular endings. Each fragment is about 1.5 KB of YAML, like real writing.
"""

from __future__ import annotations

import random
from pathlib import Path

_WORDS = [
    "la",
    "mansión",
    "guarda",
    "silencio",
    "mientras",
    "Diana",
    "observa",
    "desde",
    "la",
    "escalera",
    "con",
    "una",
    "sonrisa",
    "que",
    "no",
    "promete",
    "nada",
    "y",
    "lo",
    "promete",
    "todo",
    "Lucien",
    "sirve",
    "el",
    "vino",
    "sin",
    "mirar",
    "a",
    "nadie",
]
_EN = [
    "the",
    "mansion",
    "keeps",
    "its",
    "silence",
    "while",
    "Diana",
    "watches",
    "from",
    "the",
    "staircase",
    "with",
    "a",
    "smile",
    "that",
    "promises",
    "nothing",
    "and",
    "everything",
    "Lucien",
    "pours",
    "the",
    "wine",
    "without",
    "looking",
    "at",
    "anyone",
]

_STORY = """kind: story
format: 1
id: synth
title: {{es: Sintética, en: Synthetic}}
language: es
languages: [es, en]
start: f0
characters:
  diana: {{name: Diana}}
  lucien: {{name: Lucien}}
variables:
  flag: false
  counter: 0
archetypes:
  romantic: {{name: {{es: Romántico, en: Romantic}}}}
clues:
  llave: {{name: {{es: Llave, en: Key}}}}
"""
_ECONOMY = """kind: economy
currency: {name: {es: besitos, en: kisses}, symbol: "💋"}
starting_points: 10
daily_gift: {points: 10}
streak: {bonus_every: 7, bonus: 25}
reactions: {emoji: {"❤": 2}, default: 1, cooldown_seconds: 30, daily_cap: 30}
comments: {points: 2, cooldown_seconds: 60, daily_cap: 20}
vip_multiplier: 1.5
levels:
  - {id: l0, name: {es: Nuevo, en: New}, min_points: 0}
  - {id: l1, name: {es: Fiel, en: Faithful}, min_points: 100}
achievements:
  - {id: a1, name: {es: Llave, en: Key}, when: 'has_clue("llave")', reward: 5}
"""
_VIP = """kind: vip
tiers:
  - {id: divan, name: {es: El Diván, en: The Divan}}
offers:
  - {id: mes, tier: divan, title: {es: Mes, en: Month}, description: {es: Un mes, en: A month},
     stars: 250}
"""
_EMOTIONS = """kind: emotions
character: diana
dimensions:
  trust: {start: 20, decay_per_day: 1}
  affection: {start: 10}
states:
  - {id: trusting, name: {es: Confiada, en: Trusting}, when: "trust >= 60"}
  - {id: warm, name: {es: Cálida, en: Warm}, when: "affection >= 40"}
  - {id: guarded, name: {es: Reservada, en: Guarded}, when: "true"}
responses:
  short_of_points:
    any: [{es: "Te faltan {missing}.", en: "You are {missing} short."}]
  vip_locked:
    any: [{es: "Solo en El Diván.", en: "Only in the Divan."}]
"""


def _sentence(rng: random.Random, words: list[str], length: int) -> str:
    out: list[str] = []
    size = 0
    while size < length:
        w = rng.choice(words)
        out.append(w)
        size += len(w) + 1
    return " ".join(out).capitalize() + "."


def _fragment(i: int, n: int, rng: random.Random) -> str:
    es = _sentence(rng, _WORDS, 520)
    en = _sentence(rng, _EN, 480)
    lines = [
        f"  - id: f{i}",
        f"    speaker: {'diana' if i % 2 else 'lucien'}",
        "    text:",
        f'      es: "{es} {{name}}"',
        f'      en: "{en} {{name}}"',
    ]
    if i == n - 1 or (i % 50 == 49):
        lines.append("    ending: {title: {es: Fin, en: The end}, type: good}")
        return "\n".join(lines)
    lines.append("    choices:")
    targets = [i + 1, min(i + 2, n - 1)]
    for k, t in enumerate(targets):
        lines += [
            f"      - id: c{k}",
            f"        label: {{es: Opción {k} hacia {t}, en: Option {k} to {t}}}",
            f"        to: f{t}",
        ]
        if k == 1 and i % 5 == 0:
            lines.append("        cost: 5")
        if k == 0 and i % 7 == 0:
            lines += ["        reward: 3", "        effects: {add: {trust: 2, romantic: 1}}"]
        if k == 1 and i % 11 == 0:
            lines.append('        if: "trust >= 10 and not flag"')
    if i % 13 == 0 and i > 2:
        lines += [
            "      - id: back",
            "        label: {es: Volver, en: Go back}",
            f"        to: f{i - 2}",
            "        once: true",
            "        effects: {set: {flag: true}, add: {counter: 1, affection: 3}, clues: [llave]}",
        ]
    return "\n".join(lines)


def write_story(root: Path, fragments: int, *, per_file: int = 100, seed: int = 7) -> Path:
    """Write a synthetic story of `fragments` fragments under `root`; returns `root`."""
    rng = random.Random(seed)
    (root / "chapters").mkdir(parents=True, exist_ok=True)
    (root / "story.yaml").write_text(_STORY.format(), encoding="utf-8")
    (root / "economy.yaml").write_text(_ECONOMY, encoding="utf-8")
    (root / "vip.yaml").write_text(_VIP, encoding="utf-8")
    (root / "emotions.yaml").write_text(_EMOTIONS, encoding="utf-8")
    for start in range(0, fragments, per_file):
        stop = min(start + per_file, fragments)
        body = "\n".join(_fragment(i, fragments, rng) for i in range(start, stop))
        number = start // per_file
        text = (
            f"kind: chapter\nid: ch{number}\ntitle: {{es: Capítulo {number}, "
            f"en: Chapter {number}}}\nfragments:\n{body}\n"
        )
        (root / "chapters" / f"ch{number:04d}.yaml").write_text(text, encoding="utf-8")
    return root
