"""D604: Diana's states that can never be the first to match.

Each emotion dimension can only move as far as the story's `add` effects take it: from its
start by the sum of every decrease and every increase (any `add` that a loop can repeat opens
that direction up to the bound), clamped to the dimension's bounds. The states are then tried,
in order, on a grid of telling values per name (bounds, start, and every constant in a state
condition and its neighbours), so a state shadowed by an earlier one is caught as well as one
whose condition the story can never satisfy. Decay moves towards `start`, inside the range.
"""

from __future__ import annotations

import ast
import itertools
import random
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from engine.content.compiled import Effects, Story
from engine.content.expressions import Value

if TYPE_CHECKING:
    from engine.content.checks import CheckContext
    from engine.content.checks.graph import Graph

MAX_POINTS = 200_000
"""Largest grid tried in full; a larger one is sampled (deterministically) down to this."""
Key = tuple[str, str]
"""("value", name) for a name; (function, argument) for visited()/visits()/has_clue()/chose()."""


def check(ctx: CheckContext) -> None:
    """Report D604 at every state that no reachable point makes the first match."""
    if ctx.has_errors_before:
        return
    states = ctx.story.emotions.states
    if not states:
        return
    axes = _axes(ctx.story, ranges(ctx.story, ctx.graph))
    keys = list(axes)
    firsts = [False] * len(states)
    point = _Point({})
    for values in _grid([axes[k] for k in keys]):
        point.values = dict(zip(keys, values, strict=True))
        for i, state in enumerate(states):
            if state.when.fn(point):
                firsts[i] = True
                break
        if all(firsts):
            return
    for state, first in zip(states, firsts, strict=True):
        if not first:
            pos = ctx.compiled.positions.get(f"state:{state.id}")
            if pos is not None:
                ctx.bag.add("D604", pos, id=state.id)


def ranges(story: Story, graph: Graph) -> dict[str, tuple[int, int]]:
    """Per dimension, the lowest and highest value reachable fragments' effects can produce."""
    dims = story.emotions.dimensions
    down = dict.fromkeys(dims, 0)
    up = dict.fromkeys(dims, 0)
    open_down: set[str] = set()
    open_up: set[str] = set()

    def apply(effects: Effects | None, repeats: bool) -> None:
        for kind, name, delta in effects.adds if effects is not None else ():
            if kind != "emotion" or name not in dims:
                continue
            if delta < 0:
                down[name] += delta
                if repeats:
                    open_down.add(name)
            elif delta > 0:
                up[name] += delta
                if repeats:
                    open_up.add(name)

    for f in graph.fragments:
        u = f.index
        comp = graph.comp[u]
        if comp < 0:
            continue
        apply(f.on_enter, graph.cyclic[comp])
        if f.ending is None:
            for c in f.choices:
                target = story.fragments.get(c.target)
                inner = target is not None and graph.comp[target.index] == comp
                apply(c.effects, inner and graph.cyclic[comp])
    out: dict[str, tuple[int, int]] = {}
    for name, d in dims.items():
        start = d.clamp(d.start)
        low = d.low if name in open_down else d.clamp(start + down[name])
        high = d.high if name in open_up else d.clamp(start + up[name])
        out[name] = (low, high)
    return out


def _axes(story: Story, dims: Mapping[str, tuple[int, int]]) -> dict[Key, list[Value]]:
    """The values worth trying for every name and function call the states read."""
    numbers: set[int] = set()
    texts: set[str] = set()
    keys: dict[Key, None] = {}
    for state in story.emotions.states:
        numbers.update(n + d for n in _constants(state.when.source, texts) for d in (-1, 0, 1))
        keys.update((("value", name), None) for name in sorted(state.when.names))
        # visited() and visits() of one fragment read the same count
        keys.update(
            ((("visits" if f == "visited" else f), arg), None) for f, arg in state.when.references
        )
    nums = sorted(numbers)
    axes: dict[Key, list[Value]] = {}
    for key in keys:
        kind, name = key
        if kind == "value" and name in dims:
            low, high = dims[name]
            start = story.emotions.dimensions[name].start
            axes[key] = sorted(
                {low, high, min(max(start, low), high), *(n for n in nums if low <= n <= high)}
            )
        elif kind in ("has_clue", "chose") or name == "vip":
            axes[key] = [False, True]
        elif kind == "visits":
            axes[key] = sorted({0, 1, *(n for n in nums if n >= 0)})
        else:
            default: Value = story.variables.get(name, "" if name == "state" else 0)
            if isinstance(default, bool):
                axes[key] = [default, not default]
            elif isinstance(default, int):
                axes[key] = sorted({default, *nums})
            else:
                axes[key] = sorted({default, *texts})
    return axes


def _constants(source: str, texts: set[str]) -> Iterator[int]:
    """Whole-number constants in an expression (with their sign); text constants go to `texts`."""
    try:
        tree = ast.parse(source.replace("\n", " ").replace("\r", " ").strip(), mode="eval")
    except (SyntaxError, ValueError):
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                texts.add(node.value)
            elif isinstance(node.value, int) and not isinstance(node.value, bool):
                yield node.value
                yield -node.value


def _grid(axes: Sequence[Sequence[Value]]) -> Iterator[tuple[Value, ...]]:
    size = 1
    for axis in axes:
        size *= len(axis)
    if size <= MAX_POINTS:
        yield from itertools.product(*axes)
        return
    rng = random.Random(0)  # noqa: S311 - sampling a search space, not security
    yield tuple(axis[0] for axis in axes)
    for _ in range(MAX_POINTS - 1):
        yield tuple(rng.choice(axis) for axis in axes)


class _Point:
    """An `EvalContext` at one point of the grid."""

    __slots__ = ("values",)

    def __init__(self, values: dict[Key, Value]) -> None:
        self.values = values

    def value(self, name: str) -> Value:
        return self.values.get(("value", name), False if name == "vip" else 0)

    def visits(self, fragment_id: str) -> int:
        got = self.values.get(("visits", fragment_id), 0)
        return got if isinstance(got, int) else 0

    def has_clue(self, clue_id: str) -> bool:
        return bool(self.values.get(("has_clue", clue_id), False))

    def chose(self, ref: str) -> bool:
        return bool(self.values.get(("chose", ref), False))
