"""The expression language's types, operator tables and closure builders.

`engine.content.expressions` holds the checker and is the module to import; this one holds what
it is built from: the public types it re-exports (`Type`, `Value`, `EvalContext`, `ExprError`,
`Expression`, `Symbols`) and, for the checker only, the tables of allowed and refused syntax
and the small functions that assemble closures.
"""

from __future__ import annotations

import ast
import enum
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol, cast

Value = int | bool | str
ErrorKind = Literal[
    "syntax", "type", "not_allowed", "unknown_name", "unknown_function", "bad_reference"
]


class Type(enum.Enum):
    """The type of a name or an expression; the value is how writers read it in messages."""

    NUMBER = "number"
    BOOL = "true/false"
    TEXT = "text"

    @property
    def article(self) -> str:
        """`a number`, `true/false`, `text`: the type as a noun phrase."""
        return "a number" if self is Type.NUMBER else self.value


class EvalContext(Protocol):
    """What a compiled expression reads while it is evaluated (one player's state)."""

    def value(self, name: str) -> Value: ...
    def visits(self, fragment_id: str) -> int: ...
    def has_clue(self, clue_id: str) -> bool: ...
    def chose(self, ref: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class ExprError:
    """One problem in an expression, placed at a 0-based character offset in its source."""

    kind: ErrorKind
    detail: str
    offset: int
    name: str = ""
    construct: str = ""


@dataclass(frozen=True, slots=True)
class Expression:
    """A checked expression compiled to a closure; call it with an `EvalContext`."""

    source: str
    type: Type
    names: frozenset[str]
    references: tuple[tuple[str, str], ...]
    fn: Callable[[EvalContext], Value]

    def __call__(self, ctx: EvalContext) -> Value:
        return self.fn(ctx)


def _accept(_ref: str) -> str | None:
    return None


@dataclass(frozen=True, slots=True)
class Symbols:
    """The names an expression may read, and validators for function arguments.

    A validator returns None when the argument is fine, else a message such as
    "no fragment 'salonn'; did you mean 'salon'?".
    """

    names: Mapping[str, Type]
    check_fragment: Callable[[str], str | None] = _accept
    check_clue: Callable[[str], str | None] = _accept
    check_choice: Callable[[str], str | None] = _accept


# --- tables (for the checker) --------------------------------------------------------------

Fn = Callable[[EvalContext], Value]
NumFn = Callable[[EvalContext], int]
BoolFn = Callable[[EvalContext], bool]
Op = Callable[[Any, Any], Any]

# function name -> (result type, what its argument names)
FUNCTIONS: dict[str, tuple[Type, str]] = {
    "visited": (Type.BOOL, "fragment"),
    "visits": (Type.NUMBER, "fragment"),
    "has_clue": (Type.BOOL, "clue"),
    "chose": (Type.BOOL, "choice"),
}
EXAMPLE_ARG = {"fragment": "salon", "clue": "llave", "choice": "barra.invitar"}

CONSTRUCTS: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "indexing (`[...]`)",
    ast.Slice: "slicing",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.JoinedStr: "an f-string",
    ast.FormattedValue: "an f-string",
    ast.NamedExpr: "assignment (`:=`)",
    ast.IfExp: "an `if` expression",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.Starred: "unpacking (`*`)",
    ast.Await: "`await`",
    ast.Yield: "`yield`",
    ast.YieldFrom: "`yield from`",
}
ARITHMETIC: dict[type[ast.operator], tuple[str, Op]] = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.FloorDiv: ("//", lambda x, y: x // y if y else 0),
    ast.Mod: ("%", lambda x, y: x % y if y else 0),
}
REFUSED_ARITHMETIC: dict[type[ast.operator], tuple[str, str]] = {
    ast.Div: ("/", "the `/` operator (use `//`)"),
    ast.Pow: ("**", "the `**` operator"),
    ast.MatMult: ("@", "the `@` operator"),
    ast.BitAnd: ("&", "the `&` operator (use `and`)"),
    ast.BitOr: ("|", "the `|` operator (use `or`)"),
    ast.BitXor: ("^", "the `^` operator"),
    ast.LShift: ("<<", "the `<<` operator"),
    ast.RShift: (">>", "the `>>` operator"),
}
COMPARISONS: dict[type[ast.cmpop], tuple[str, Op]] = {
    ast.Eq: ("==", operator.eq),
    ast.NotEq: ("!=", operator.ne),
    ast.Lt: ("<", operator.lt),
    ast.LtE: ("<=", operator.le),
    ast.Gt: (">", operator.gt),
    ast.GtE: (">=", operator.ge),
}
REFUSED_COMPARISONS: dict[type[ast.cmpop], tuple[str, str]] = {
    ast.In: ("in", "the `in` operator"),
    ast.NotIn: ("not", "the `not in` operator"),
    ast.Is: ("is", "the `is` operator (use `==`)"),
    ast.IsNot: ("is", "the `is not` operator (use `!=`)"),
}
_NO_CONTEXT = cast(EvalContext, None)  # constant closures never read their context


@dataclass(frozen=True, slots=True)
class Node:
    """A checked sub-expression: its type, its closure, and its value if it is a constant."""

    type: Type
    fn: Fn
    const: bool = False
    value: Value = 0
    name: str | None = None


def constant(typ: Type, value: Value) -> Node:
    return Node(typ, lambda _c: value, True, value)


# --- closure building ----------------------------------------------------------------------


def fold(typ: Type, fn: Fn, parts: list[Node]) -> Node:
    """Evaluate now when every part is a constant (constant closures ignore the context)."""
    if all(part.const for part in parts):
        return constant(typ, fn(_NO_CONTEXT))
    return Node(typ, fn)


def binary(op: Op, left: Node, right: Node) -> Fn:
    a, b = left.fn, right.fn
    if right.const:
        k = right.value
        name = left.name
        if name is not None:
            return lambda c: op(c.value(name), k)
        return lambda c: op(a(c), k)
    return lambda c: op(a(c), b(c))


def chain(ops: list[Op], parts: list[Node]) -> BoolFn:
    first, rest = parts[0].fn, [(op, part.fn) for op, part in zip(ops, parts[1:], strict=True)]

    def chained(c: EvalContext) -> bool:
        left = first(c)
        for op, fn in rest:
            right = fn(c)
            if not op(left, right):
                return False
            left = right
        return True

    return chained


def all_of(fns: list[BoolFn]) -> BoolFn:
    if len(fns) == 2:
        a, b = fns
        return lambda c: a(c) and b(c)
    if len(fns) == 3:
        a, b, d = fns
        return lambda c: a(c) and b(c) and d(c)

    def every(c: EvalContext) -> bool:
        return all(fn(c) for fn in fns)

    return every


def any_of(fns: list[BoolFn]) -> BoolFn:
    if len(fns) == 2:
        a, b = fns
        return lambda c: a(c) or b(c)
    if len(fns) == 3:
        a, b, d = fns
        return lambda c: a(c) or b(c) or d(c)

    def some(c: EvalContext) -> bool:
        return any(fn(c) for fn in fns)

    return some
