"""Apply a compiled `Effects` block: set, then add, then clues (the authored order).

Each touched container is copied once per block, never mutated, so earlier states stay intact.
Emotions are clamped to their dimension's bounds; numeric variables and archetype scores are
plain integers. Unknown names (possible only across content releases) are ignored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.content.compiled import Effects, Scalar
from engine.runtime.events import ClueFound, EmotionChanged

if TYPE_CHECKING:
    from engine.runtime.turn import Turn


def apply_effects(turn: Turn, effects: Effects) -> None:
    d = turn.d
    story = turn.story
    if effects.sets or any(t == "variable" for t, _, _ in effects.adds):
        variables: dict[str, Scalar] = dict(d.variables)
        for name, value in effects.sets:
            variables[name] = value
        for target, name, delta in effects.adds:
            if target == "variable":
                current = variables.get(name, story.variables.get(name, 0))
                if isinstance(current, int) and not isinstance(current, bool):
                    variables[name] = current + delta
        d.variables = variables
    emotions: dict[str, int] | None = None
    archetypes: dict[str, int] | None = None
    for target, name, delta in effects.adds:
        if target == "emotion":
            dim = story.emotions.dimensions.get(name)
            if dim is None:
                continue
            if emotions is None:
                emotions = dict(d.emotions)
            before = emotions.get(name, dim.start)
            after = dim.clamp(before + delta)
            if after != before:
                emotions[name] = after
                turn.emit(EmotionChanged(name, before, after))
        elif target == "archetype":
            if archetypes is None:
                archetypes = dict(d.archetypes)
            archetypes[name] = archetypes.get(name, 0) + delta
    if emotions is not None:
        d.emotions = emotions
    if archetypes is not None:
        d.archetypes = archetypes
    new_clues = [c for c in dict.fromkeys(effects.clues) if c not in d.clues]
    if new_clues:
        d.clues = d.clues | frozenset(new_clues)
        for clue in new_clues:
            turn.emit(ClueFound(clue))
    turn.changed = True
