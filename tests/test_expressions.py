"""The condition language: evaluation, every error kind with its offset, the whitelist, the
limits, and `{name}` substitutions in story text."""

from __future__ import annotations

import ast
import difflib
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine.content.expressions as expressions_module
from engine.content.expressions import (
    EvalContext,
    ExprError,
    Expression,
    Placeholder,
    Symbols,
    Type,
    Value,
    compile_expression,
    parse_placeholders,
    parse_substitutions,
    render_substitutions,
)

FRAGMENTS = ("salon", "barra", "rincon")
CLUES = ("llave", "nota")
CHOICES = ("barra.invitar", "salon.bailar")


@dataclass
class Ctx:
    """One player's state, as the runtime would expose it."""

    values: dict[str, Value] = field(
        default_factory=lambda: {
            "points": 12,
            "trust": 50,
            "streak": 7,
            "vip": True,
            "invited": False,
            "state": "trusting",
            "mood": "calm",
        }
    )
    seen: dict[str, int] = field(default_factory=lambda: {"salon": 2})
    clues: set[str] = field(default_factory=lambda: {"llave"})
    chosen: set[str] = field(default_factory=lambda: {"barra.invitar"})

    def value(self, name: str) -> Value:
        return self.values[name]

    def visits(self, fragment_id: str) -> int:
        return self.seen.get(fragment_id, 0)

    def has_clue(self, clue_id: str) -> bool:
        return clue_id in self.clues

    def chose(self, ref: str) -> bool:
        return ref in self.chosen


def _checker(what: str, known: tuple[str, ...]) -> Callable[[str], str | None]:
    def check(ref: str) -> str | None:
        if ref in known:
            return None
        close = difflib.get_close_matches(ref, known, n=1)
        return f"no {what} '{ref}'" + (f"; did you mean '{close[0]}'?" if close else "")

    return check


SYMBOLS = Symbols(
    names={
        "points": Type.NUMBER,
        "trust": Type.NUMBER,
        "streak": Type.NUMBER,
        "vip": Type.BOOL,
        "invited": Type.BOOL,
        "state": Type.TEXT,
        "mood": Type.TEXT,
    },
    check_fragment=_checker("fragment", FRAGMENTS),
    check_clue=_checker("clue", CLUES),
    check_choice=_checker("choice", CHOICES),
)


def compiled(source: str, expect: Type = Type.BOOL) -> Expression:
    result = compile_expression(source, SYMBOLS, expect)
    assert isinstance(result, Expression), result
    return result


def errors(source: str, expect: Type = Type.BOOL) -> list[ExprError]:
    result = compile_expression(source, SYMBOLS, expect)
    assert isinstance(result, list), f"{source!r} compiled, but should not"
    assert result
    return result


def only_error(source: str, expect: Type = Type.BOOL) -> ExprError:
    found = errors(source, expect)
    assert len(found) == 1, found
    return found[0]


# --- evaluation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # the README's examples
        ('points >= 10 and trust > 40 and visited("salon")', True),
        ("vip", True),
        ("streak >= 7", True),
        ('has_clue("llave")', True),
        # and / or / not, with short-circuits over two, three and many operands
        ("vip and invited", False),
        ("vip and not invited", True),
        ("invited or vip", True),
        ("invited or not vip", False),
        ("vip and vip and invited", False),
        ("invited or invited or vip", True),
        ("vip and vip and vip and vip and not invited", True),
        ("invited or invited or invited or invited or vip", True),
        ("not (vip and invited) or invited", True),
        # comparisons, on every type
        ("points == 12", True),
        ("points != 12", False),
        ("points < 12", False),
        ("points <= 12", True),
        ("points > 11", True),
        ("points >= 13", False),
        ("12 == points", True),
        ("points < trust", True),
        ('state == "trusting"', True),
        ("state != 'trusting'", False),
        ("state == mood", False),
        ("vip == true", True),
        ("invited != false", False),
        ("vip == True and invited == False", True),
        # chained comparisons, each middle operand read once
        ("0 < trust <= 50", True),
        ("0 < trust < 50", False),
        ("1 < 2 < 3 < points", True),
        ("points == 12 == 12", True),
        # arithmetic
        ("points + 3 == 15", True),
        ("points - 20 == -8", True),
        ("points * trust == 600", True),
        ("points // 5 == 2", True),
        ("points % 5 == 2", True),
        ("-points == -12", True),
        ("- -points == 12", True),
        ("+points == 12", True),
        ("(points + 3) * 2 == 30", True),
        ("points + 3 * 2 == 18", True),
        ("-7 // 2 == -4 and -7 % 2 == 1", True),
        # a zero divisor that is not a literal: x // 0 == 0 and x % 0 == 0
        ("points // (trust - 50) == 0", True),
        ("points % (trust - 50) == 0", True),
        # functions
        ('visited("salon")', True),
        ('visited("barra")', False),
        ('visits("salon") == 2', True),
        ('visits("rincon") * 3 + 1 == 1', True),
        ('has_clue("nota")', False),
        ('chose("barra.invitar")', True),
        ('chose("salon.bailar")', False),
        # literals only (folded at load time)
        ("true", True),
        ("false", False),
        ("1 + 2 == 3", True),
        ("not false and 2 * 3 > 5", True),
        # layout: a leading indent and YAML line breaks are fine
        ("  vip", True),
        ("points >= 10 and\n    trust > 40", True),
        ("(" * 150 + "vip" + ")" * 150, True),  # parentheses alone do not nest
    ],
)
def test_evaluates(source: str, expected: bool) -> None:
    expr = compiled(source)
    assert expr.type is Type.BOOL
    assert expr(Ctx()) is expected
    assert expr.fn(Ctx()) is expected


@pytest.mark.parametrize(
    ("source", "expect", "expected"),
    [
        ("points + 1", Type.NUMBER, 13),
        ("points // (streak - 7) + points % (streak - 7)", Type.NUMBER, 0),
        ('visits("salon")', Type.NUMBER, 2),
        ("-3", Type.NUMBER, -3),
        ("state", Type.TEXT, "trusting"),
        ('"hola"', Type.TEXT, "hola"),
    ],
)
def test_evaluates_other_types(source: str, expect: Type, expected: Value) -> None:
    expr = compiled(source, expect)
    assert expr.type is expect
    assert expr(Ctx()) == expected


def test_expression_records_names_and_references() -> None:
    expr = compiled(
        'points >= 10 and visited("salon") and (visited("salon") or has_clue("llave"))'
        ' and chose("barra.invitar") and visits("barra") < streak'
    )
    assert expr.source.startswith("points >= 10")
    assert expr.names == frozenset({"points", "streak"})
    assert expr.references == (
        ("visited", "salon"),
        ("has_clue", "llave"),
        ("chose", "barra.invitar"),
        ("visits", "barra"),
    )


def test_constants_do_not_read_the_context() -> None:
    expr = compiled("1 + 2 * 3 == 7 and not false")
    assert expr.names == frozenset()
    assert expr(Ctx(values={})) is True  # no name lookups: an empty state is fine


def test_default_validators_accept_any_reference() -> None:
    symbols = Symbols(names={})
    result = compile_expression('visited("x") or has_clue("y") or chose("a.b")', symbols)
    assert isinstance(result, Expression)
    assert result(Ctx()) is False


# --- errors and their offsets --------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "kind", "offset", "detail"),
    [
        # syntax (Python's message, offset from the SyntaxError)
        ("points >=", "syntax", 9, "invalid syntax"),
        ("trust = 5", "syntax", 6, "invalid syntax; use `==` to compare"),
        ("vip && invited", "syntax", 5, "invalid syntax; use `and` instead of `&&`"),
        ("vip || invited", "syntax", 5, "invalid syntax; use `or` instead of `||`"),
        ("!vip", "syntax", 0, "invalid syntax; use `not` instead of `!`"),
        ("(points > 1", "syntax", 0, "'(' was never closed"),
        ("points > 1)", "syntax", 10, "unmatched ')'"),
        ("state == 'abc", "syntax", 9, "unterminated string literal"),
        ("points>=10and vip", "syntax", 9, "invalid decimal literal; put a space"),
        ('state == "\\d"', "syntax", 9, "invalid escape sequence '\\d'"),
        ("", "syntax", 0, "the expression is empty"),
        ("   ", "syntax", 0, "the expression is empty"),
        ("vip\x00", "syntax", 3, "invalid character '\\x00'"),
        ("  points >", "syntax", 10, "invalid syntax"),
        # type
        ("trust", "type", 0, "`trust` is a number; compare it, e.g. `trust > 0`"),
        ("vip and trust", "type", 8, "`trust` is a number; compare it, e.g. `trust > 0`"),
        ("not trust", "type", 4, "`trust` is a number; compare it, e.g. `trust > 0`"),
        ("state or vip", "type", 0, '`state` is text; compare it, e.g. `state == "..."`'),
        ("points + 1", "type", 0, "`points + 1` is a number; compare it, e.g. `points + 1 > 0`"),
        ("state < mood", "type", 0, "`<` only compares numbers; `state` is text"),
        ("vip >= true", "type", 0, "`>=` only compares numbers; `vip` is true/false"),
        ('points == "12"', "type", 10, 'cannot compare `points` (a number) with `"12"` (text)'),
        ("vip == 1", "type", 7, "cannot compare `vip` (true/false) with `1` (a number)"),
        ("'a' + 1 == 2", "type", 0, "`+` needs numbers; `'a'` is text"),
        ("-vip", "type", 1, "`-` needs a number; `vip` is true/false"),
        ("points // 0 > 1", "type", 10, "division by zero"),
        ("points % (2 - 2) > 1", "type", 10, "division by zero"),
        ("visited(salon)", "type", 8, 'write the id in quotes: `visited("salon")`'),
        ("visits(1) > 0", "type", 7, "the argument of visits() must be a quoted id"),
        ('visited("salon", "barra")', "type", 0, "visited() takes exactly one quoted id"),
        ("visited()", "type", 0, "visited() takes exactly one quoted id"),
        # unknown names and functions, with suggestions
        ("trsut > 40", "unknown_name", 0, "unknown name 'trsut'; did you mean 'trust'?"),
        ("vip and zzz", "unknown_name", 8, "unknown name 'zzz'"),
        ("null", "unknown_name", 0, "unknown name 'null'"),
        ('visted("salon")', "unknown_function", 0, "unknown function 'visted'; did you mean"),
        ('foo("x")', "unknown_function", 0, "unknown function 'foo'; the functions are visited"),
        ("trust(1) > 0", "unknown_function", 0, "'trust' is a name, not a function"),
        # references refused by the caller's validators, placed at the literal
        ('vip and visited("salonn")', "bad_reference", 16, "no fragment 'salonn'; did you mean"),
        ('visits("nowhere") > 1', "bad_reference", 7, "no fragment 'nowhere'"),
        ('has_clue("llavee")', "bad_reference", 9, "no clue 'llavee'; did you mean 'llave'?"),
        ('chose("barra.invitarr")', "bad_reference", 6, "no choice 'barra.invitarr'"),
        ('chose("barra")', "bad_reference", 6, "chose() takes 'fragment.choice'"),
    ],
)
def test_error(source: str, kind: str, offset: int, detail: str) -> None:
    err = only_error(source)
    assert (err.kind, err.offset) == (kind, offset), err
    assert err.detail.startswith(detail), err


def test_expected_type_is_a_parameter() -> None:
    assert (
        only_error("vip", Type.NUMBER).detail
        == "`vip` is true/false, but a number is expected here"
    )
    assert (
        only_error("points", Type.TEXT).detail == "`points` is a number, but text is expected here"
    )


def test_unknown_names_carry_the_name() -> None:
    err = only_error("trsut > 40")
    assert err.name == "trsut"
    err = only_error('visted("salon")')
    assert err.name == "visted"
    err = only_error('visited("salonn")')
    assert (err.name, err.detail) == ("salonn", "no fragment 'salonn'; did you mean 'salon'?")


def test_every_error_is_reported_in_source_order() -> None:
    found = errors('trsut > 1 and poinst < 2 or visited("x") or vip + 1 or a.b')
    assert [(e.kind, e.offset, e.name) for e in found] == [
        ("unknown_name", 0, "trsut"),
        ("unknown_name", 14, "poinst"),
        ("bad_reference", 36, "x"),
        ("type", 44, ""),
        ("not_allowed", 55, ""),
    ]


def test_offsets_count_characters_not_bytes() -> None:
    # ast columns are UTF-8 byte offsets; "ñ" is two bytes but one character
    err = only_error("state == 'ñañaña' and trsut > 1")
    assert (err.kind, err.offset) == ("unknown_name", 22)
    err = only_error("state == 'ñ' and trsut > 1")
    assert err.offset == 17
    err = only_error("'ñ' + )")
    assert (err.kind, err.offset) == ("syntax", 6)


def test_offsets_survive_line_breaks() -> None:
    err = only_error("vip and\n  trsut > 1")
    assert err.offset == 10


# --- the whitelist -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "offset", "construct"),
    [
        ('__import__("os")', 0, "a call to '__import__'"),
        ('__import__("os").system("rm -rf /")', 0, "attribute access"),
        ("().__class__", 0, "attribute access"),
        ("().__class__.__bases__[0].__subclasses__()", 0, "attribute access"),
        ('open("x")', 0, "a call to 'open'"),
        ('eval("1")', 0, "a call to 'eval'"),
        ('exec("1")', 0, "a call to 'exec'"),
        ("print(vip)", 0, "a call to 'print'"),
        ("getattr(vip, 'x')", 0, "a call to 'getattr'"),
        ("points.real > 0", 0, "attribute access"),
        ("state[0] == 'a'", 0, "indexing (`[...]`)"),
        ("(lambda: vip)()", 1, "a lambda"),
        ("lambda: vip", 0, "a lambda"),
        ("[x for x in state]", 0, "a comprehension"),
        ("{x for x in state}", 0, "a comprehension"),
        ("{x: 1 for x in state}", 0, "a comprehension"),
        ("any(x for x in state)", 0, "a call to 'any'"),
        ("(x for x in state)", 0, "a generator expression"),
        ('f"{points}" == "1"', 0, "an f-string"),
        ("(x := vip)", 1, "assignment (`:=`)"),
        ("vip if invited else vip", 0, "an `if` expression"),
        ("[vip]", 0, "a list"),
        ("vip, vip", 0, "a tuple"),
        ("{vip}", 0, "a set"),
        ("{1: vip}", 0, "a dict"),
        ("points / 2 > 1", 7, "the `/` operator (use `//`)"),
        ("points ** 2 > 1", 7, "the `**` operator"),
        ("points & 1 == 1", 7, "the `&` operator (use `and`)"),
        ("vip | invited", 4, "the `|` operator (use `or`)"),
        ("points ^ 1 == 1", 7, "the `^` operator"),
        ("points << 2 > 1", 7, "the `<<` operator"),
        ("points >> 2 > 1", 7, "the `>>` operator"),
        ("~points > 1", 0, "the `~` operator (use `not`)"),
        ('"a" in state', 4, "the `in` operator"),
        ('"a" not in state', 4, "the `not in` operator"),
        ("vip is true", 4, "the `is` operator (use `==`)"),
        ("vip is not true", 4, "the `is not` operator (use `!=`)"),
        ("1.5 > points", 0, "a decimal number (`1.5`)"),
        ("1e3 > points", 0, "a decimal number (`1e3`)"),
        ("1j == points", 0, "an imaginary number"),
        ("None", 0, "`None` (there is no empty value)"),
        ("b'x' == state", 0, "a bytes literal"),
        ("...", 0, "`...`"),
        ('visited(id="salon")', 8, "a keyword argument (`id=`)"),
        ("visited(**x)", 8, "a keyword argument (`**`)"),
        ("visited(*x)", 8, "unpacking (`*`)"),
        ('visited(f"{state}")', 8, "an f-string"),
        ("(points > 1)(2)", 0, "a call to an expression"),
    ],
)
def test_whitelist_rejects(source: str, offset: int, construct: str) -> None:
    err = only_error(source)
    assert (err.kind, err.offset, err.construct) == ("not_allowed", offset, construct), err
    assert err.detail == f"{construct} is not allowed in expressions"


def test_refused_operators_are_never_computed() -> None:
    # `**` is refused before any constant folding, so this neither hangs nor eats memory
    found = errors("9 ** 9 ** 9 ** 9 ** 9 > 0")
    assert {e.construct for e in found} == {"the `**` operator"}
    assert [e.offset for e in found] == [2, 7, 12, 17]


def test_rejected_constructs_are_not_looked_into() -> None:
    # one error per refused construct, not one per name inside it
    assert len(errors("(lambda q: q.x + zzz)(1)")) == 1
    assert len(errors("[a for a in b if c]")) == 1


def test_the_language_never_reaches_eval_or_compile() -> None:
    for module in ("expressions.py", "expr_types.py"):
        source = (Path(expressions_module.__file__).parent / module).read_text()
        calls = {
            node.func.id
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        }
        assert not calls & {"eval", "exec", "compile", "__import__"}, module
        assert ".format(" not in source


# --- limits --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    ["(" * 10000, "not " * 10000, "1+" * 5000 + "1", "vip and " * 70 + "vip", "x" * 501],
)
def test_long_sources_are_refused(source: str) -> None:
    err = only_error(source)
    assert (err.kind, err.detail, err.offset) == (
        "syntax",
        "expression longer than 500 characters",
        500,
    )


@pytest.mark.parametrize(
    "source",
    [
        "not " * 120 + "vip",
        "-" * 400 + "1 > 0",
        "(" * 201 + "vip" + ")" * 201,  # Python's own limit on parentheses
        "1+" * 200 + "1 > 0",
        "[" * 100 + "]" * 100,
        "points" + " + points" * 40 + " > 0",
    ],
)
def test_deep_nesting_is_an_error_not_a_crash(source: str) -> None:
    err = only_error(source)
    assert err.kind in ("syntax", "not_allowed")
    assert 0 <= err.offset <= len(source)


def test_nesting_limit_is_thirty_levels() -> None:
    assert compiled("not " * 29 + "vip")(Ctx()) is False  # 29 + 1 name = 30 levels: fine
    err = only_error("not " * 30 + "vip")
    assert (err.kind, err.detail) == ("syntax", "nested more than 30 levels deep")
    assert compiled("points" + " + points" * 28 + " > 0")(Ctx()) is True


def test_a_source_of_exactly_500_characters_is_read() -> None:
    source = "vip and " * 61 + "vip" + " " * 9
    assert len(source) == 500
    assert compiled(source)(Ctx()) is True


# --- properties ----------------------------------------------------------------------------

TOKENS = [
    *SYMBOLS.names,
    "zzz",
    "true",
    "false",
    "True",
    "None",
    "0",
    "1",
    "-",
    "+",
    "*",
    "//",
    "%",
    "/",
    "**",
    "and",
    "or",
    "not",
    "in",
    "is",
    "if",
    "else",
    "lambda",
    ":",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ".",
    "=",
    ":=",
    '"salon"',
    "'x'",
    "visited(",
    "visits(",
    "has_clue(",
    "chose(",
    "open(",
    "__class__",
    "f'{vip}'",
    "1.5",
    "\\",
    "\n",
    "#",
    "ñ",
    "\x00",
]


def _check_result(source: str, result: Expression | list[ExprError]) -> None:
    if isinstance(result, Expression):
        assert result.source == source
        assert result.type is Type.BOOL
        return
    assert isinstance(result, list)
    assert result
    for err in result:
        assert isinstance(err, ExprError)
        assert 0 <= err.offset <= max(len(source), 500)
        assert err.detail


@settings(max_examples=500)
@given(st.text())
def test_never_raises_on_any_text(source: str) -> None:
    _check_result(source, compile_expression(source, SYMBOLS))


@settings(max_examples=1000)
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join))
def test_never_raises_on_token_soup(source: str) -> None:
    _check_result(source, compile_expression(source, SYMBOLS))


# A grammar of well-typed conditions, each paired with what it should evaluate to (computed
# directly in Python) and whether it is a constant (so a constant zero divisor is avoided).
Gen = tuple[str, Callable[[Ctx], Value], bool]
NUMBER_NAMES = ("points", "trust", "streak")


def _literal(n: int) -> Gen:
    return (str(n), lambda _c: n, True)


def _name(name: str) -> Gen:
    return (name, lambda c: c.values[name], False)


def _visits(fragment: str) -> Gen:
    return (f'visits("{fragment}")', lambda c: c.seen.get(fragment, 0), False)


def _arith(parts: tuple[Gen, str, Gen]) -> Gen:
    (ls, lf, lc), op, (rs, rf, rc) = parts
    fns: dict[str, Callable[[Any, Any], int]] = {
        "+": operator.add,
        "-": operator.sub,
        "*": operator.mul,
        "//": lambda x, y: x // y if y else 0,
        "%": lambda x, y: x % y if y else 0,
    }
    fn = fns[op]
    return (f"({ls} {op} {rs})", lambda c: fn(lf(c), rf(c)), lc and rc)


def _divisor_is_not_literal_zero(parts: tuple[Gen, str, Gen]) -> bool:
    _, op, (_, rf, rc) = parts
    return not (op in ("//", "%") and rc and rf(Ctx()) == 0)


def _neg(part: Gen) -> Gen:
    s, f, c = part
    return (f"(-{s})", lambda ctx: operator.sub(0, f(ctx)), c)


numbers: st.SearchStrategy[Gen] = st.recursive(
    st.one_of(
        st.integers(-1000, 1000).map(_literal),
        st.sampled_from(NUMBER_NAMES).map(_name),
        st.sampled_from(FRAGMENTS).map(_visits),
    ),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "//", "%"]), inner)
        .filter(_divisor_is_not_literal_zero)
        .map(_arith),
        inner.map(_neg),
    ),
    max_leaves=4,
)
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _compare(parts: tuple[Gen, str, Gen]) -> Gen:
    (ls, lf, lc), op, (rs, rf, rc) = parts
    fn = _ORDER[op]
    return (f"({ls} {op} {rs})", lambda c: fn(lf(c), rf(c)), lc and rc)


def _chain(parts: tuple[Gen, str, Gen, str, Gen]) -> Gen:
    (a, af, ac), op1, (b, bf, bc), op2, (d, df, dc) = parts
    f1, f2 = _ORDER[op1], _ORDER[op2]
    return (
        f"({a} {op1} {b} {op2} {d})",
        lambda c: f1(af(c), bf(c)) and f2(bf(c), df(c)),
        ac and bc and dc,
    )


def _bool_op(parts: tuple[list[Gen], str]) -> Gen:
    items, op = parts
    source = f" {op} ".join(s for s, _, _ in items)
    if op == "and":
        return (f"({source})", lambda c: all(f(c) for _, f, _ in items), False)
    return (f"({source})", lambda c: any(f(c) for _, f, _ in items), False)


def _not(part: Gen) -> Gen:
    s, f, c = part
    return (f"(not {s})", lambda ctx: not f(ctx), c)


texts: st.SearchStrategy[Gen] = st.one_of(
    st.sampled_from(["state", "mood"]).map(_name),
    st.sampled_from(["trusting", "calm", "ñ", ""]).map(lambda t: (f'"{t}"', lambda _c: t, True)),
)
ORDERING = st.sampled_from(list(_ORDER))
EQUALITY = st.sampled_from(["==", "!="])
bool_leaves = st.one_of(
    st.sampled_from(["true", "false"]).map(lambda t: (t, lambda _c: t == "true", True)),
    st.sampled_from(["vip", "invited"]).map(_name),
    st.sampled_from(FRAGMENTS).map(lambda f: (f'visited("{f}")', lambda c: f in c.seen, False)),
    st.sampled_from(CLUES).map(lambda k: (f'has_clue("{k}")', lambda c: k in c.clues, False)),
    st.sampled_from(CHOICES).map(lambda k: (f'chose("{k}")', lambda c: k in c.chosen, False)),
    st.tuples(numbers, ORDERING, numbers).map(_compare),
    st.tuples(numbers, ORDERING, numbers, ORDERING, numbers).map(_chain),
    st.tuples(texts, EQUALITY, texts).map(_compare),
)
booleans: st.SearchStrategy[Gen] = st.recursive(
    bool_leaves,
    lambda inner: st.one_of(
        st.tuples(st.lists(inner, min_size=2, max_size=4), st.sampled_from(["and", "or"])).map(
            _bool_op
        ),
        inner.map(_not),
        st.tuples(inner, EQUALITY, inner).map(_compare),
    ),
    max_leaves=6,
)
contexts = st.builds(
    Ctx,
    values=st.fixed_dictionaries(
        {
            "points": st.integers(-5, 100),
            "trust": st.integers(-5, 100),
            "streak": st.integers(0, 10),
            "vip": st.booleans(),
            "invited": st.booleans(),
            "state": st.sampled_from(["trusting", "calm", "ñ", ""]),
            "mood": st.sampled_from(["trusting", "calm"]),
        }
    ),
    seen=st.dictionaries(st.sampled_from(FRAGMENTS), st.integers(1, 5)),
    clues=st.sets(st.sampled_from(CLUES)),
    chosen=st.sets(st.sampled_from(CHOICES)),
)


def _depth(source: str) -> int:
    tree = ast.parse(source, mode="eval")
    stack, deepest = [(tree.body, 1)], 0
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend(
            (child, depth + 1)
            for child in ast.iter_child_nodes(node)
            if isinstance(child, ast.expr)
        )
    return deepest


@settings(max_examples=500)
@given(booleans.filter(lambda g: len(g[0]) <= 500 and _depth(g[0]) <= 30), contexts)
def test_well_typed_expressions_evaluate_like_python(gen: Gen, ctx: Ctx) -> None:
    source, reference, _ = gen
    expr = compiled(source)
    assert expr(ctx) is reference(ctx)


# --- substitutions in story text -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hola {name}, tienes {points} besitos.", [("name", 5), ("points", 20)]),
        ("no placeholders", []),
        ("", []),
        ("{{literal}} and }} alone", []),
        ("{{{name}}}", [("name", 2)]),
        ("{a}{b}", [("a", 0), ("b", 3)]),
        ("¿{nombre_1}?", [("nombre_1", 1)]),
        ("a } alone is text", []),
    ],
)
def test_parse_substitutions(text: str, expected: list[tuple[str, int]]) -> None:
    assert parse_substitutions(text) == expected


@pytest.mark.parametrize(
    ("text", "offset", "detail"),
    [
        ("Hola {name", 5, "unclosed `{`"),
        ("{", 0, "unclosed `{`"),
        ("Hola { name }", 5, "`{ name }` is not a placeholder"),
        ("{}", 0, "`{}` is not a placeholder"),
        ("{1st}", 0, "`{1st}` is not a placeholder"),
        ("{a.__class__}", 0, "`{a.__class__}` is not a placeholder"),
        ("{a[0]}", 0, "`{a[0]}` is not a placeholder"),
        ("{name!r}", 0, "`{name!r}` is not a placeholder"),
        ("{points:>10}", 0, "`{points:>10}` is not a placeholder"),
        ("ok {a} then {{ and {", 19, "unclosed `{`"),
    ],
)
def test_parse_substitutions_errors(text: str, offset: int, detail: str) -> None:
    err = parse_substitutions(text)
    assert isinstance(err, ExprError)
    assert (err.kind, err.offset) == ("syntax", offset)
    assert err.detail.startswith(detail), err.detail


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hola {name}, tienes {points} besitos.", "Hola Ana, tienes 12 besitos."),
        ("{{name}} is {name}", "{name} is Ana"),
        ("{{{name}}}", "{Ana}"),
        ("}} and {{", "} and {"),
        ("{unknown} stays", "{unknown} stays"),
        ("{vip}", "True"),
        ("{a.__class__} {a[0]}", "{a.__class__} {a[0]}"),  # never str.format
        ("a lone } and { stay", "a lone } and { stay"),
    ],
)
def test_render_substitutions(text: str, expected: str) -> None:
    values: dict[str, object] = {"name": "Ana", "points": 12, "vip": True, "a": "x"}
    assert render_substitutions(text, values) == expected


@given(st.text())
def test_substitutions_never_raise(text: str) -> None:
    found = parse_substitutions(text)
    rendered = render_substitutions(text, {"name": "Ana"})
    if isinstance(found, ExprError):
        assert 0 <= found.offset < len(text)
        return
    if "{" not in text and "}" not in text:
        assert found == []
        assert rendered == text
    placeholders = parse_placeholders(text)
    assert isinstance(placeholders, list)
    assert [(p.name, p.start) for p in placeholders] == found
    for p in placeholders:
        inside = text[p.start : p.end]
        assert inside.startswith("{" + p.name) and inside.endswith("}")
        if p.forms is None:
            assert inside == "{" + p.name + "}"
        else:
            assert inside == "{" + p.name + "|" + "|".join(p.forms) + "}"


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("{d|# día|# días}", 1, "1 día"),
        ("{d|# día|# días}", 0, "0 días"),
        ("{d|# día|# días}", 7, "7 días"),
        ("{d|# día seguido|# días seguidos}", 1, "1 día seguido"),
        ("{d|Va # día|Van # días}", 2, "Van 2 días"),
        ("{d} {d|noche|noches}", 1, "1 noche"),  # forms without `#` are just the word
        ("{d|una vez|# veces}", 1, "una vez"),
        ("{d||s}", 3, "s"),  # an empty form is allowed
        ("{d|# día|# días}", True, "True días"),  # booleans are not numbers
    ],
)
def test_plural_forms(text: str, value: object, expected: str) -> None:
    assert render_substitutions(text, {"d": value}) == expected


def test_plural_forms_parse_with_their_span() -> None:
    text = "Llevas {streak|# día|# días}, {name}."
    assert parse_placeholders(text) == [
        Placeholder("streak", 7, 28, ("# día", "# días")),
        Placeholder("name", 30, 36, None),
    ]
    assert parse_substitutions(text) == [("streak", 7), ("name", 30)]


@pytest.mark.parametrize("text", ["{d|uno}", "{d|a|b|c}", "{d|a{b|c}", "{d |a|b}"])
def test_malformed_plural_forms_are_errors(text: str) -> None:
    err = parse_placeholders(text)
    assert isinstance(err, ExprError)
    assert "singular|plural" in err.detail


def test_eval_context_protocol_is_satisfied_by_the_test_context() -> None:
    ctx: EvalContext = Ctx()
    assert ctx.visits("salon") == 2


def test_the_shipped_daily_gift_agrees_with_the_streak() -> None:
    """Day 1 reads "1 día", never "1 días", whichever of Diana's variants is picked."""
    from datetime import UTC, datetime, timedelta

    from engine.content import load_story
    from engine.runtime import CheckIn, Engine

    story = load_story(Path(__file__).parent.parent / "content").story
    assert story is not None
    engine = Engine(story)
    now = datetime(2026, 1, 5, 20, tzinfo=UTC)
    said = []
    for seed in range(12):
        state = engine.start(engine.new_player(seed=seed, name="Ana").state, now).state
        day1 = " ".join(p.text for p in engine.trigger(state, CheckIn(), now).output.parts)
        assert "1 días" not in day1 and "1 day " not in day1
        said.append(day1)
        state = engine.trigger(state, CheckIn(), now).state
        day2 = engine.trigger(state, CheckIn(), now + timedelta(days=1)).output.parts
        assert "1 día" not in " ".join(p.text for p in day2)
    assert any("1 día" in text for text in said), said  # the variants do name the streak
