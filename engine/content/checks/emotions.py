"""D604: Diana's states that can never be the first to match.

Each emotion dimension can only move as far as the story's `add` effects take it: from its
start by the sum of every decrease and every increase (any `add` that a loop can repeat opens
that direction up to the bound), clamped to the dimension's bounds. The states are then tried,
in order, on a grid of telling values per name (bounds, start, and each constant the name is
compared with, and its neighbours), so a state shadowed by an earlier one is caught as well
as one whose condition the story can never satisfy. Decay moves towards `start`, inside the
range. Other names and calls a state reads (variables, `visited()`...) are tried at every
telling value too, so that a state is only reported when no play of the story could show it.
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

    def apply(effects: Effects, repeats: bool) -> None:
        for kind, name, delta in effects.adds:
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

    comp, cyclic = graph.comp, graph.cyclic
    for u, effects in graph.on_enter:
        if effects.adds and comp[u] >= 0:
            apply(effects, cyclic[comp[u]])
    for u, t, effects in graph.choice_effects:
        if effects.adds and comp[u] >= 0:
            apply(effects, comp[t] == comp[u] and cyclic[comp[u]])
    out: dict[str, tuple[int, int]] = {}
    for name, d in dims.items():
        start = d.clamp(d.start)
        low = d.low if name in open_down else d.clamp(start + down[name])
        high = d.high if name in open_up else d.clamp(start + up[name])
        out[name] = (low, high)
    return out


def _axes(story: Story, dims: Mapping[str, tuple[int, int]]) -> dict[Key, list[Value]]:
    """The values worth trying for every name and function call the states read."""
    numbers: dict[Key, set[int]] = {}
    texts: dict[Key, set[str]] = {}
    keys: dict[Key, None] = {}
    for state in story.emotions.states:
        keys.update((("value", name), None) for name in sorted(state.when.names))
        # visited() and visits() of one fragment read the same count
        keys.update(((_count(f), arg), None) for f, arg in state.when.references)
        _thresholds(state.when.source, numbers, texts)
    axes: dict[Key, list[Value]] = {}
    for key in keys:
        kind, name = key
        near = {n + d for n in numbers.get(key, ()) for d in (-1, 0, 1)}
        if kind == "value" and name in dims:
            low, high = dims[name]
            start = min(max(story.emotions.dimensions[name].start, low), high)
            axes[key] = sorted({low, high, start, *(n for n in near if low <= n <= high)})
        elif kind in ("has_clue", "chose") or name == "vip":
            axes[key] = [False, True]
        elif kind == "visits":
            axes[key] = sorted({0, 1, *(n for n in near if n >= 0)})
        else:
            default: Value = story.variables.get(name, "" if name == "state" else 0)
            if isinstance(default, bool):
                axes[key] = [default, not default]
            elif isinstance(default, int):
                axes[key] = sorted({default, *near})
            else:
                axes[key] = sorted({default, *texts.get(key, ())})
    return axes


def _count(function: str) -> str:
    return "visits" if function == "visited" else function


def _thresholds(source: str, numbers: dict[Key, set[int]], texts: dict[Key, set[str]]) -> None:
    """Collect, per name or call, the constants it is compared with: the points where a
    condition can change. A comparison over several names (`trust + affection > 90`) gives
    its constants to all of them; a number counts with both signs (`-5` is `5` negated).
    """
    try:
        tree = ast.parse(source.replace("\n", " ").replace("\r", " ").strip(), mode="eval")
    except (SyntaxError, ValueError):
        return
    for compare in (n for n in ast.walk(tree) if isinstance(n, ast.Compare)):
        keys: list[Key] = []
        ints: list[int] = []
        strs: list[str] = []
        for node in ast.walk(compare):
            if isinstance(node, ast.Name):
                keys.append(("value", node.id))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    keys.append((_count(node.func.id), arg.value))
            elif isinstance(node, ast.Constant) and not isinstance(node.value, bool):
                if isinstance(node.value, int):
                    ints += (node.value, -node.value)
                elif isinstance(node.value, str) and node not in _call_args(compare):
                    strs.append(node.value)
        for key in keys:
            numbers.setdefault(key, set()).update(ints)
            texts.setdefault(key, set()).update(strs)


def _call_args(tree: ast.AST) -> list[ast.AST]:
    return [a for n in ast.walk(tree) if isinstance(n, ast.Call) for a in n.args]


def _grid(axes: Sequence[Sequence[Value]]) -> Iterator[tuple[Value, ...]]:
    size = 1
    for axis in axes:
        size *= len(axis)
    if size <= MAX_POINTS:
        yield from itertools.product(*axes)
        return
    rng = random.Random(0)
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
