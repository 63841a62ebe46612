"""The condition language: a small, safe expression language compiled to closures.

Writers write conditions such as `points >= 10 and trust > 40`, `visited("salon")`, `vip` or
`0 < trust <= 50`. The source is parsed with `ast.parse(mode="eval")` and every node is checked
against a whitelist; it is never passed to eval/exec nor compiled to bytecode. Checking happens
once, at content-load time, and produces nested Python closures, so evaluating a condition costs
about a microsecond.

The language:

- literals: whole numbers (`10`, `-3`; decimals are an error), "text" or 'text', `true`/`false`
  (Python's `True`/`False` too); there is no null;
- names from the caller's symbol table, each with a `Type` (number, true/false, text);
- `and`, `or`, `not` on true/false only (a number is never "truthy": compare it);
- comparisons `== != < <= > >=`, chainable (`0 < trust <= 50`); both sides have the same type,
  and ordering (`<` ...) is for numbers only;
- `+ - * // %` and unary minus on numbers (`/` and `**` are not allowed);
- `visited("fragment")` (true/false), `visits("fragment")` (number), `has_clue("clue")`
  (true/false) and `chose("fragment.choice")` (true/false); the argument is a quoted literal so
  the caller can check it when the story is loaded.

Division never fails while a story plays: `x // 0 == 0` and `x % 0 == 0` when the divisor
comes from a name (a literal zero divisor is an error at load time). `//` and `%` otherwise
follow Python: `-7 // 2 == -4`, `-7 % 2 == 1`.

Limits: a source longer than 500 characters, or nested deeper than 30 levels, is an error; no
input makes the compiler raise, recurse without bound or hang.

Story text uses `{name}` placeholders, and `{name|singular|plural}` for words that agree with
a number (`{days|# día|# días}`; `#` is the value); `{{` and `}}` are literal braces: see
`parse_placeholders` and `render_substitutions`. They never go through `str.format`.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import operator
import re
import warnings
from collections.abc import Mapping
from typing import NamedTuple, cast

from engine.content.expr_types import (
    ARITHMETIC,
    COMPARISONS,
    CONSTRUCTS,
    EXAMPLE_ARG,
    FUNCTIONS,
    REFUSED_ARITHMETIC,
    REFUSED_COMPARISONS,
    BoolFn,
    ErrorKind,
    EvalContext,
    ExprError,
    Expression,
    Node,
    NumFn,
    Symbols,
    Type,
    Value,
    all_of,
    any_of,
    binary,
    chain,
    constant,
    fold,
)

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "EvalContext",
    "ExprError",
    "Expression",
    "Placeholder",
    "Symbols",
    "Type",
    "Value",
    "compile_expression",
    "parse_placeholders",
    "parse_substitutions",
    "plural_form",
    "render_substitutions",
]

MAX_LENGTH = 500
MAX_DEPTH = 30


def compile_expression(
    source: str, symbols: Symbols, expect: Type = Type.BOOL
) -> Expression | list[ExprError]:
    """Check `source` against `symbols` and compile it; or return every error found."""
    if len(source) > MAX_LENGTH:
        return [_error("syntax", f"expression longer than {MAX_LENGTH} characters", MAX_LENGTH)]
    # One line, no indent: offsets are then plain character positions, and YAML's multi-line
    # scalars read as written. Each replacement keeps the length, so offsets still match.
    text = source.translate(_LINE_BREAKS)
    body = text.lstrip(" \t\f")
    lead = len(text) - len(body)
    if not body:
        return [_error("syntax", "the expression is empty", 0)]
    bad = _UNREADABLE.search(source)
    if bad is not None:
        return [_error("syntax", f"invalid character {bad.group()!r}", bad.start())]
    try:
        # Python only warns about `"\d"` or `10and`: make that an error, whatever the filters.
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            tree = ast.parse(body, mode="eval")
    except SyntaxError as exc:
        return [_syntax_error(exc, body, lead)]
    except (ValueError, MemoryError, RecursionError) as exc:  # defence in depth: never raise
        return [_error("syntax", str(exc) or "cannot read the expression", lead)]
    compiler = _Compiler(body, lead, symbols)
    node = compiler.visit(tree.body)
    if node is not None and node.type is not expect:
        compiler.type_error(tree.body, compiler.wrong_type(tree.body, node.type, expect))
    if compiler.errors or node is None:
        return sorted(compiler.errors, key=lambda e: e.offset)
    return Expression(source, node.type, frozenset(compiler.names), tuple(compiler.refs), node.fn)


_LINE_BREAKS = str.maketrans({"\n": " ", "\r": " "})
_UNREADABLE = re.compile(r"[\x00\ud800-\udfff]")  # Python refuses NUL and lone surrogates
_HINTS = (
    (re.compile(r"&&"), "use `and` instead of `&&`"),
    (re.compile(r"\|\|"), "use `or` instead of `||`"),
    (re.compile(r"!(?!=)"), "use `not` instead of `!`"),
    (re.compile(r"(?<![=!<>])=(?!=)"), "use `==` to compare"),
)


def _error(
    kind: ErrorKind, detail: str, offset: int, name: str = "", construct: str = ""
) -> ExprError:
    return ExprError(kind, detail, offset, name, construct)


def _syntax_error(exc: SyntaxError, body: str, lead: int) -> ExprError:
    """Python's message, minus Python-only advice, at a character offset."""
    detail = re.sub(r"\s*\(detected at line \d+\)", "", exc.msg or "invalid syntax")
    if detail.startswith("invalid syntax"):
        hints = [hint for pattern, hint in _HINTS if pattern.search(body)]
        if "forgot a comma" in detail:
            hints.insert(0, "is an operator missing between two values?")
        detail = "; ".join(["invalid syntax", *hints])
    elif detail == "invalid decimal literal":
        detail += "; put a space between a number and a word"
    offset = exc.offset if exc.offset and exc.lineno == 1 else len(body) + 1
    return _error("syntax", detail, lead + min(max(offset - 1, 0), len(body)))


class _Compiler:
    """One compilation: walks the tree, collecting errors, names and references."""

    def __init__(self, body: str, lead: int, symbols: Symbols) -> None:
        self.body = body
        self.lead = lead
        self.raw = body.encode("utf-8")
        self.symbols = symbols
        self.errors: list[ExprError] = []
        self.names: set[str] = set()
        self.refs: dict[tuple[str, str], None] = {}  # an ordered set
        self.depth = 0
        self.too_deep = False

    # --- positions and messages ---------------------------------------------------------

    def offset(self, node: ast.AST, *, end: bool = False) -> int:
        """0-based character offset of a node (ast gives UTF-8 byte columns on line 1)."""
        col = getattr(node, "end_col_offset" if end else "col_offset", 0) or 0
        return self.lead + len(self.raw[:col].decode("utf-8", "ignore"))

    def segment(self, node: ast.AST) -> str:
        text = self.body[self.offset(node) - self.lead : self.offset(node, end=True) - self.lead]
        return text if len(text) <= 40 else text[:37] + "..."

    def operator_at(self, symbol: str, left: ast.AST, right: ast.AST) -> int:
        start, stop = self.offset(left, end=True) - self.lead, self.offset(right) - self.lead
        found = self.body.find(symbol, start, stop)
        return self.lead + found if found >= 0 else self.offset(left)

    def add(self, kind: ErrorKind, at: ast.AST | int, detail: str, **extra: str) -> None:
        offset = at if isinstance(at, int) else self.offset(at)
        self.errors.append(ExprError(kind, detail, offset, **extra))

    def type_error(self, at: ast.AST | int, detail: str) -> None:
        self.add("type", at, detail)

    def not_allowed(self, at: ast.AST | int, construct: str) -> None:
        self.add(
            "not_allowed", at, f"{construct} is not allowed in expressions", construct=construct
        )

    def wrong_type(self, node: ast.AST, got: Type, expect: Type) -> str:
        seg = self.segment(node)
        if expect is Type.BOOL and got is Type.NUMBER:
            return f"`{seg}` is a number; compare it, e.g. `{seg} > 0`"
        if expect is Type.BOOL and got is Type.TEXT:
            return f'`{seg}` is text; compare it, e.g. `{seg} == "..."`'
        return f"`{seg}` is {got.article}, but {expect.article} is expected here"

    # --- the checker ----------------------------------------------------------------------

    def visit(self, node: ast.expr) -> Node | None:
        """Type-check and compile one node; None (with errors recorded) if it is wrong.

        Every descent passes through here, so the depth limit bounds the recursion.
        """
        if self.depth >= MAX_DEPTH:
            if not self.too_deep:
                self.too_deep = True
                self.add("syntax", node, f"nested more than {MAX_DEPTH} levels deep")
            return None
        self.depth += 1
        try:
            return self.check(node)
        finally:
            self.depth -= 1

    def check(self, node: ast.expr) -> Node | None:
        match node:
            case ast.Constant():
                return self.constant(node)
            case ast.Name():
                return self.name(node)
            case ast.BoolOp():
                return self.bool_op(node)
            case ast.UnaryOp():
                return self.unary(node)
            case ast.BinOp():
                return self.arithmetic(node)
            case ast.Compare():
                return self.compare(node)
            case ast.Call():
                return self.call(node)
        self.not_allowed(node, CONSTRUCTS.get(type(node), f"`{type(node).__name__}`"))
        return None

    def constant(self, node: ast.Constant) -> Node | None:
        value = node.value
        if isinstance(value, bool):
            return constant(Type.BOOL, value)
        if isinstance(value, int):
            return constant(Type.NUMBER, value)
        if isinstance(value, str):
            return constant(Type.TEXT, value)
        if isinstance(value, float):
            self.not_allowed(node, f"a decimal number (`{self.segment(node)}`)")
        elif isinstance(value, complex):
            self.not_allowed(node, "an imaginary number")
        elif value is None:
            self.not_allowed(node, "`None` (there is no empty value)")
        elif isinstance(value, bytes):
            self.not_allowed(node, "a bytes literal")
        else:
            self.not_allowed(node, f"`{self.segment(node)}`")
        return None

    def name(self, node: ast.Name) -> Node | None:
        name = node.id
        if name in ("true", "false"):
            return constant(Type.BOOL, name == "true")
        typ = self.symbols.names.get(name)
        if typ is None:
            close = difflib.get_close_matches(name, list(self.symbols.names), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            self.add("unknown_name", node, f"unknown name '{name}'{hint}", name=name)
            return None
        self.names.add(name)
        return Node(typ, lambda c: c.value(name), name=name)

    def bool_op(self, node: ast.BoolOp) -> Node | None:
        parts = [self.visit(value) for value in node.values]
        ok = True
        for value, part in zip(node.values, parts, strict=True):
            if part is not None and part.type is not Type.BOOL:
                self.type_error(value, self.wrong_type(value, part.type, Type.BOOL))
                ok = False
        checked = [part for part in parts if part is not None]
        if not ok or len(checked) < len(parts):
            return None
        fns = [cast(BoolFn, part.fn) for part in checked]
        fn = all_of(fns) if isinstance(node.op, ast.And) else any_of(fns)
        return fold(Type.BOOL, fn, checked)

    def unary(self, node: ast.UnaryOp) -> Node | None:
        part = self.visit(node.operand)
        if isinstance(node.op, ast.Invert):
            self.not_allowed(node, "the `~` operator (use `not`)")
            return None
        if part is None:
            return None
        if isinstance(node.op, ast.Not):
            if part.type is not Type.BOOL:
                self.type_error(node.operand, self.wrong_type(node.operand, part.type, Type.BOOL))
                return None
            inner = cast(BoolFn, part.fn)
            return fold(Type.BOOL, lambda c: not inner(c), [part])
        if part.type is not Type.NUMBER:
            symbol = "-" if isinstance(node.op, ast.USub) else "+"
            self.type_error(
                node.operand,
                f"`{symbol}` needs a number; `{self.segment(node.operand)}` is {part.type.article}",
            )
            return None
        if isinstance(node.op, ast.UAdd):
            return part
        number = cast(NumFn, part.fn)
        return fold(Type.NUMBER, lambda c: -number(c), [part])

    def arithmetic(self, node: ast.BinOp) -> Node | None:
        left, right = self.visit(node.left), self.visit(node.right)
        refused = REFUSED_ARITHMETIC.get(type(node.op))
        if refused is not None:
            self.not_allowed(self.operator_at(refused[0], node.left, node.right), refused[1])
            return None
        symbol, op = ARITHMETIC[type(node.op)]
        ok = True
        for side, part in ((node.left, left), (node.right, right)):
            if part is not None and part.type is not Type.NUMBER:
                self.type_error(
                    side, f"`{symbol}` needs numbers; `{self.segment(side)}` is {part.type.article}"
                )
                ok = False
        if left is None or right is None or not ok:
            return None
        if right.const and right.value == 0 and symbol in ("//", "%"):
            self.type_error(node.right, "division by zero")
            return None
        if right.const:
            op = {"//": operator.floordiv, "%": operator.mod}.get(symbol, op)
        return fold(Type.NUMBER, binary(op, left, right), [left, right])

    def compare(self, node: ast.Compare) -> Node | None:
        operands = [node.left, *node.comparators]
        parts = [self.visit(operand) for operand in operands]
        ok = True
        blamed: set[int] = set()  # operands already reported, so each is reported once
        for i, cmpop in enumerate(node.ops):
            refused = REFUSED_COMPARISONS.get(type(cmpop))
            if refused is not None:
                self.not_allowed(
                    self.operator_at(refused[0], operands[i], operands[i + 1]), refused[1]
                )
                ok = False
                continue
            symbol = COMPARISONS[type(cmpop)][0]
            left, right = parts[i], parts[i + 1]
            if symbol not in ("==", "!="):
                for j, part in ((i, left), (i + 1, right)):
                    if part is not None and part.type is not Type.NUMBER and j not in blamed:
                        blamed.add(j)
                        ok = False
                        self.type_error(
                            operands[j],
                            f"`{symbol}` only compares numbers; "
                            f"`{self.segment(operands[j])}` is {part.type.article}"
                            " (use `==` or `!=`)",
                        )
                        break  # one error per comparison
            elif left is not None and right is not None and left.type is not right.type:
                ok = False
                self.type_error(
                    operands[i + 1],
                    (
                        f"cannot compare `{self.segment(operands[i])}` ({left.type.article}) with "
                        f"`{self.segment(operands[i + 1])}` ({right.type.article})"
                    ),
                )
        checked = [part for part in parts if part is not None]
        if not ok or len(checked) < len(parts):
            return None
        ops = [COMPARISONS[type(cmpop)][1] for cmpop in node.ops]
        fn = binary(ops[0], checked[0], checked[1]) if len(ops) == 1 else chain(ops, checked)
        return fold(Type.BOOL, fn, checked)

    def call(self, node: ast.Call) -> Node | None:
        if not isinstance(node.func, ast.Name):
            before = len(self.errors)
            self.visit(node.func)
            if len(self.errors) == before:
                self.not_allowed(node, "a call to an expression")
            return None
        function = node.func.id
        if function not in FUNCTIONS:
            if function in vars(builtins) or function.startswith("__"):
                self.not_allowed(node, f"a call to '{function}'")
            elif function in self.symbols.names:
                self.add(
                    "unknown_function",
                    node,
                    f"'{function}' is a name, not a function",
                    name=function,
                )
            else:
                close = difflib.get_close_matches(function, list(FUNCTIONS), n=1)
                hint = (
                    f"; did you mean '{close[0]}'?"
                    if close
                    else "; the functions are " + ", ".join(FUNCTIONS)
                )
                self.add(
                    "unknown_function", node, f"unknown function '{function}'{hint}", name=function
                )
            return None
        typ, what = FUNCTIONS[function]
        example = f'`{function}("{EXAMPLE_ARG[what]}")`'
        for keyword in node.keywords:
            shown = f"`{keyword.arg}=`" if keyword.arg else "`**`"
            self.not_allowed(keyword, f"a keyword argument ({shown})")
        if node.keywords:
            return None
        if len(node.args) != 1:
            self.type_error(node, f"{function}() takes exactly one quoted id, e.g. {example}")
            return None
        arg = node.args[0]
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            if type(arg) in CONSTRUCTS:
                self.visit(arg)
            elif isinstance(arg, ast.Name):
                self.type_error(arg, f'write the id in quotes: `{function}("{arg.id}")`')
            else:
                self.type_error(
                    arg, f"the argument of {function}() must be a quoted id, e.g. {example}"
                )
            return None
        return self.reference(arg, function, arg.value, typ, example)

    def reference(
        self, arg: ast.AST, function: str, ref: str, typ: Type, example: str
    ) -> Node | None:
        checks = {
            "visited": self.symbols.check_fragment,
            "visits": self.symbols.check_fragment,
            "has_clue": self.symbols.check_clue,
            "chose": self.symbols.check_choice,
        }
        fragment, dot, choice = ref.partition(".")
        if function == "chose" and not (fragment and dot and choice):
            problem: str | None = f"chose() takes 'fragment.choice', e.g. {example}"
        else:
            problem = checks[function](ref)
        if problem is not None:
            self.add("bad_reference", arg, problem, name=ref)
            return None
        self.refs[(function, ref)] = None
        if function == "visited":
            return Node(typ, lambda c: c.visits(ref) > 0)
        if function == "visits":
            return Node(typ, lambda c: c.visits(ref))
        if function == "has_clue":
            return Node(typ, lambda c: c.has_clue(ref))
        return Node(typ, lambda c: c.chose(ref))


# --- story text placeholders ----------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^\W\d]\w*)(?:\|([^{}|]*)\|([^{}|]*))?\}|\{")


class Placeholder(NamedTuple):
    """One `{name}`, or `{name|singular|plural}`, in a text."""

    name: str
    start: int
    """Offset of the `{`."""
    end: int
    """Offset just past the `}`."""
    forms: tuple[str, str] | None
    """(singular, plural) of `{name|singular|plural}`: `#` in a form stands for the value."""


def plural_form(value: object, forms: tuple[str, str], shown: str | None = None) -> str:
    """The singular form for exactly 1, the plural otherwise ("0 días", "1 día", "2 días");
    `#` becomes `shown` (the value as text, escaped by the caller where it must be)."""
    singular, plural = forms
    chosen = singular if value == 1 and not isinstance(value, bool) else plural
    if "#" not in chosen:
        return chosen
    return chosen.replace("#", str(value) if shown is None else shown)


def parse_placeholders(text: str) -> list[Placeholder] | ExprError:
    """The placeholders in `text`, in order. `{{` and `}}` are literal braces; a `{` that
    does not start `{identifier}` or `{identifier|singular|plural}` is an error."""
    found: list[Placeholder] = []
    for match in _PLACEHOLDER.finditer(text):
        name = match.group(1)
        if name is not None:
            forms = None if match.group(2) is None else (match.group(2), match.group(3))
            found.append(Placeholder(name, match.start(), match.end(), forms))
        elif match.group() == "{":
            start = match.start()
            close = text.find("}", start)
            if close < 0:
                return ExprError("syntax", "unclosed `{` (write `{{` for a literal brace)", start)
            inside = text[start : close + 1]
            shown = inside if len(inside) <= 30 else inside[:27] + "..."
            return ExprError(
                "syntax",
                f"`{shown}` is not a placeholder; write `{{name}}`, `{{days|# día|# días}}` "
                "(singular|plural, `#` is the number), or `{{` for a literal brace",
                start,
            )
    return found


def parse_substitutions(text: str) -> list[tuple[str, int]] | ExprError:
    """The placeholders' names in `text` as (name, offset of the `{`) pairs, in order."""
    found = parse_placeholders(text)
    if isinstance(found, ExprError):
        return found
    return [(p.name, p.start) for p in found]


def render_substitutions(text: str, values: Mapping[str, object]) -> str:
    """Replace each `{name}` with `str(values[name])` and each `{name|one|other}` with the
    form for that value; unknown names stay as written."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group()[0]  # `{{` -> `{`, `}}` -> `}`, a lone `{` stays
        if name not in values:
            return match.group()
        if match.group(2) is not None:
            return plural_form(values[name], (match.group(2), match.group(3)))
        return str(values[name])

    return _PLACEHOLDER.sub(replace, text)
