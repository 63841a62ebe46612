"""Which parts of a player's state can change what happens next, for the exhaustive explorer.

Two states that agree on everything any condition can read (and on the fragment, the balance,
VIP and the once-only choices taken) play the same from there on, so the explorer visits one of
them. A number that only ever grows and is only compared with literals is capped just above the
largest literal: beyond it every comparison answers the same forever.
"""

from __future__ import annotations

import ast
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from engine.content.compiled import Story
from engine.content.expressions import Expression
from engine.runtime import PlayerState

_COUNTED = "visits"


def expressions(story: Story) -> Iterator[Expression]:
    """Every condition the runtime evaluates: choices, Diana's states, achievements."""
    for fragment in story.fragments.values():
        for choice in fragment.choices:
            if choice.condition is not None:
                yield choice.condition
    for state in story.emotions.states:
        yield state.when
    for achievement in story.economy.achievements:
        yield achievement.when


_FLIP = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE}


def _flip(op: ast.cmpop) -> ast.cmpop:
    """`L op x` read as `x op' L`."""
    return _FLIP.get(type(op), type(op))()


def _threshold(op: ast.cmpop, literal: int) -> int:
    """The least value from which `x op literal` answers the same for every larger x."""
    if isinstance(op, ast.GtE | ast.Lt):
        return literal
    return literal + 1  # > <= == !=


def _thresholds(tree: ast.AST) -> tuple[dict[str, int], set[str]]:
    """Per name (or `visits:<id>`): from which value on its comparisons with literals never
    change; and the names used any other way (arithmetic, against a name): never capped."""
    caps: dict[str, int] = {}
    loose: set[str] = set()
    compared: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for i, op in enumerate(node.ops):
            left, right = operands[i], operands[i + 1]
            for side, other, oriented in ((left, right, op), (right, left, _flip(op))):
                key = _key(side)
                if key is None:
                    continue
                compared.add(id(side))
                if isinstance(other, ast.Constant) and type(other.value) is int:
                    caps[key] = max(caps.get(key, 0), _threshold(oriented, other.value))
                else:
                    loose.add(key)
    for node in ast.walk(tree):
        key = _key(node)
        if key is not None and id(node) not in compared:
            loose.add(key)
    return caps, loose


def _key(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == _COUNTED
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return f"{_COUNTED}:{node.args[0].value}"
    return None


@dataclass(frozen=True, slots=True)
class Relevance:
    names: frozenset[str]
    """Variables, emotions, archetypes and built-ins some condition reads."""
    references: frozenset[tuple[str, str]]
    """(function, argument) pairs: visited/visits/has_clue/chose."""
    caps: dict[str, int]
    once: frozenset[str]
    """References of once-only choices."""

    @classmethod
    def of(cls, story: Story) -> Relevance:
        names: set[str] = set()
        refs: set[tuple[str, str]] = set()
        thresholds: dict[str, int] = {}
        loose: set[str] = set()
        for expr in expressions(story):
            names |= expr.names
            refs.update(expr.references)
            try:
                found, bad = _thresholds(ast.parse(expr.source.strip(), mode="eval"))
            except SyntaxError:
                loose |= expr.names
                continue
            for key, value in found.items():
                thresholds[key] = max(thresholds.get(key, 0), value)
            loose |= bad
        shrinking = _shrinking(story)
        caps = {
            key: value
            for key, value in thresholds.items()
            if key not in loose and key not in shrinking and key not in story.emotions.dimensions
        }
        once = frozenset(
            f"{f.id}.{c.id}" for f in story.fragments.values() for c in f.choices if c.once
        )
        return cls(frozenset(names), frozenset(refs), caps, once)

    def key(self, state: PlayerState, now: datetime) -> Hashable:
        """What decides the rest of the play from `state`."""
        s = state
        values: list[object] = []
        for name in sorted(self.names):
            value: object = None
            for source in (s.variables, s.emotions, s.archetypes):
                if name in source:
                    value = source[name]
                    break
            else:
                value = getattr(s, name, None) if name in {"streak", "lifetime_points"} else None
            values.append(self._capped(name, value))
        refs: list[object] = []
        for function, arg in sorted(self.references):
            if function == "visits":
                refs.append(self._capped(f"visits:{arg}", s.visits.get(arg, 0)))
            elif function == "visited":
                refs.append(s.visits.get(arg, 0) > 0)
            elif function == "has_clue":
                refs.append(arg in s.clues)
            else:
                refs.append(arg in s.chosen)
        taken = frozenset(r for r in self.once if r in s.chosen)
        return (s.fragment, s.points, s.mood, s.vip_active(now), tuple(values), tuple(refs), taken)

    @staticmethod
    def facts(key: Hashable) -> frozenset[Hashable]:
        """A `key` taken apart into single facts, each paired with the fragment ("at the bar
        with trust 28"): how the directed search tells a state that brings something new."""
        fragment, points, mood, vip, values, refs, taken = cast(tuple[Any, ...], key)
        facts: set[Hashable] = {("points", points), ("mood", mood), ("vip", vip)}
        facts.update(("value", i, v) for i, v in enumerate(values))
        facts.update(("ref", i, v) for i, v in enumerate(refs))
        facts.update(("taken", t) for t in taken)
        return frozenset((fragment, fact) for fact in facts)

    def _capped(self, key: str, value: object) -> object:
        cap = self.caps.get(key)
        if cap is not None and type(value) is int and value >= cap:
            return cap
        return value


def _shrinking(story: Story) -> set[str]:
    """Names some effect lowers (a negative add): their values must be kept exactly."""
    out: set[str] = set()
    for fragment in story.fragments.values():
        blocks = [fragment.on_enter, *(c.effects for c in fragment.choices)]
        for block in blocks:
            if block is not None:
                out.update(name for _, name, delta in block.adds if delta < 0)
    return out
