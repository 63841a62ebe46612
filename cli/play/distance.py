"""How far a player's state is from making a condition true: the "branch distance" of
search-based testing.

Zero when the condition holds; otherwise it grows with how far a number is from its threshold
(`trust >= 40` with trust 33 is 7 away), sums over `and`, takes the nearest side of `or`, and
counts a false flag, clue or visit as 1. `state == "trusting"` is as far as that state's own
`when` (and the earlier states' being false). The directed search (`seek`) walks down this
distance to the gates random play misses. Conditions were checked when the story loaded, so
only the language's own constructs appear here.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from functools import lru_cache
from typing import cast

from engine.content.compiled import Story
from engine.content.expressions import Expression, Value
from engine.runtime.evaluation import Context

_ARITHMETIC: dict[type[ast.operator], Callable[[int, int], int]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.FloorDiv: lambda a, b: a // b if b else 0,
    ast.Mod: lambda a, b: a % b if b else 0,
}
_NEGATED: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.GtE,
    ast.GtE: ast.Lt,
    ast.Gt: ast.LtE,
    ast.LtE: ast.Gt,
}
_FLIPPED: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.Gt,
    ast.Gt: ast.Lt,
    ast.LtE: ast.GtE,
    ast.GtE: ast.LtE,
    ast.Eq: ast.Eq,
    ast.NotEq: ast.NotEq,
}
_LITERALS = {"true": True, "True": True, "false": False, "False": False}


@lru_cache(maxsize=4096)
def _tree(source: str) -> ast.expr:
    return ast.parse(source.replace("\n", " ").strip(), mode="eval").body


def distance(story: Story, condition: Expression, ctx: Context) -> int:
    """0 when `condition` holds for `ctx`; else how far the state is from it."""
    return _Measure(story, ctx).holds(_tree(condition.source))


class _Measure:
    __slots__ = ("ctx", "depth", "story")

    def __init__(self, story: Story, ctx: Context) -> None:
        self.story, self.ctx, self.depth = story, ctx, 0

    def holds(self, node: ast.expr) -> int:
        """Distance to `node` being true."""
        if isinstance(node, ast.BoolOp):
            parts = [self.holds(v) for v in node.values]
            return sum(parts) if isinstance(node.op, ast.And) else min(parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return self.fails(node.operand)
        if isinstance(node, ast.Compare):
            pairs = self._pairs(node)
            return sum(self._compare(op, a, b) for op, a, b in pairs)
        return 0 if self.value(node) else 1

    def fails(self, node: ast.expr) -> int:
        """Distance to `node` being false."""
        if isinstance(node, ast.BoolOp):
            parts = [self.fails(v) for v in node.values]
            return min(parts) if isinstance(node.op, ast.And) else sum(parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return self.holds(node.operand)
        if isinstance(node, ast.Compare):
            pairs = self._pairs(node)
            return min(self._compare(_NEGATED[type(op)](), a, b) for op, a, b in pairs)
        return 1 if self.value(node) else 0

    def closed(self, node: ast.expr) -> bool:
        """Whether `node` is false and only growing counts could make it true: never."""
        if isinstance(node, ast.BoolOp):
            parts = (self.closed(v) for v in node.values)
            return any(parts) if isinstance(node.op, ast.And) else all(parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return _grows(node.operand) and bool(self.value(node.operand))
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            op, left, right = node.ops[0], node.left, node.comparators[0]
            if _grows(right):
                op, left, right = _FLIPPED.get(type(op), ast.Eq)(), right, left
            if _grows(left) and isinstance(right, ast.Constant):
                count, limit = int(self.value(left)), int(self.value(right))
                if isinstance(op, ast.Lt):
                    return count >= limit
                return isinstance(op, ast.LtE | ast.Eq) and count > limit
        return False

    @staticmethod
    def _pairs(node: ast.Compare) -> list[tuple[ast.cmpop, ast.expr, ast.expr]]:
        operands = [node.left, *node.comparators]
        return [(op, operands[i], operands[i + 1]) for i, op in enumerate(node.ops)]

    def _compare(self, op: ast.cmpop, left: ast.expr, right: ast.expr) -> int:
        mood = self._mood(op, left, right)
        if mood is not None:
            return mood
        a, b = self.value(left), self.value(right)
        numbers = type(a) is int and type(b) is int
        if isinstance(op, ast.Eq):
            return abs(int(a) - int(b)) if numbers else int(a != b)
        if isinstance(op, ast.NotEq):
            return int(a == b)
        if not numbers:
            return 1
        x, y = int(a), int(b)
        if isinstance(op, ast.Lt):
            return max(0, x - y + 1)
        if isinstance(op, ast.LtE):
            return max(0, x - y)
        if isinstance(op, ast.Gt):
            return max(0, y - x + 1)
        return max(0, y - x)  # >=

    def _mood(self, op: ast.cmpop, left: ast.expr, right: ast.expr) -> int | None:
        """`state == "x"`: as far as state x's own condition (and the earlier ones failing)."""
        sides = {self._name(left), self._name(right)}
        if "state" not in sides or not isinstance(op, ast.Eq | ast.NotEq) or self.depth > 2:
            return None
        wanted = right if self._name(left) == "state" else left
        if not isinstance(wanted, ast.Constant) or not isinstance(wanted.value, str):
            return None
        current, goal = self.ctx.s.mood, wanted.value
        if (current == goal) != isinstance(op, ast.NotEq):
            return 0
        self.depth += 1
        try:
            earlier: list[ast.expr] = []
            for state in self.story.emotions.states:
                when = _tree(state.when.source)
                if state.id == goal:
                    if isinstance(op, ast.NotEq):  # leave it: it fails, or an earlier one holds
                        return min([self.fails(when), *map(self.holds, earlier)])
                    return self.holds(when) + sum(map(self.fails, earlier))
                earlier.append(when)
            return 1
        finally:
            self.depth -= 1

    @staticmethod
    def _name(node: ast.expr) -> str | None:
        return node.id if isinstance(node, ast.Name) else None

    def value(self, node: ast.expr) -> Value:
        ctx = self.ctx
        if isinstance(node, ast.Constant):
            return cast(Value, node.value)
        if isinstance(node, ast.Name):
            literal = _LITERALS.get(node.id)
            return ctx.value(node.id) if literal is None else literal
        if isinstance(node, ast.UnaryOp):
            inner = self.value(node.operand)
            return not inner if isinstance(node.op, ast.Not) else -int(inner)
        if isinstance(node, ast.BinOp):
            fn = _ARITHMETIC[type(node.op)]
            return fn(int(self.value(node.left)), int(self.value(node.right)))
        if isinstance(node, ast.BoolOp | ast.Compare):
            return self.holds(node) == 0
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
            arg = node.args[0]
            ref = arg.value if isinstance(arg, ast.Constant) else ""
            name = node.func.id
            if name == "visits":
                return ctx.visits(str(ref))
            if name == "visited":
                return ctx.visits(str(ref)) > 0
            if name == "has_clue":
                return ctx.has_clue(str(ref))
            return ctx.chose(str(ref))
        raise ValueError(f"unexpected {type(node).__name__} in a condition")


_GROWING = frozenset({"visited", "visits", "has_clue", "chose"})
"""What only ever grows: a condition needing one of these not to have happened can close."""


def _grows(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _GROWING
    )


def closable(condition: Expression) -> bool:
    """Whether `condition` can become false for good (`not visited(...)`, `visits(...) < 2`)."""
    for node in ast.walk(_tree(condition.source)):
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not) and _grows(node.operand):
            return True
        if isinstance(node, ast.Compare) and any(map(_grows, [node.left, *node.comparators])):
            return True
    return False


def closed(story: Story, condition: Expression, ctx: Context) -> bool:
    """True when `condition` can never hold again from this state."""
    return _Measure(story, ctx).closed(_tree(condition.source))
