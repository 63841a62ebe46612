"""The story's names (variables, emotions, archetypes, built-ins) and expression compiling.

Conditions refer to every kind of name by its bare name, so one table holds them all and a clash
is a diagnostic. Compiling an expression here turns each `ExprError` into a diagnostic placed at
the character it concerns inside the YAML scalar.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from engine.content.compiled import Scalar, Target
from engine.content.diagnostics import DiagnosticBag, Position
from engine.content.expressions import (
    FUNCTIONS,
    Expression,
    Symbols,
    Type,
    compile_expression,
)
from engine.content.schema_stage import suggest

BUILTINS: dict[str, Type] = {
    "points": Type.NUMBER,
    "lifetime_points": Type.NUMBER,
    "streak": Type.NUMBER,
    "level": Type.NUMBER,
    "vip": Type.BOOL,
    "state": Type.TEXT,
}


def type_of(value: Scalar) -> Type:
    if isinstance(value, bool):
        return Type.BOOL
    return Type.NUMBER if isinstance(value, int) else Type.TEXT


def _a(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


@dataclass(slots=True)
class SymbolTable:
    bag: DiagnosticBag
    types: dict[str, Type] = field(default_factory=lambda: dict(BUILTINS))
    targets: dict[str, Target] = field(default_factory=dict)
    declared_at: dict[str, tuple[str, Position]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    def declare(self, name: str, what: Target, typ: Type, pos: Position) -> None:
        if name in BUILTINS:
            self.bag.add("D305", pos, name=name, first="a built-in name", second=_a(what))
            return
        if name in self.declared_at:
            first, _ = self.declared_at[name]
            self.bag.add("D305", pos, name=name, first=_a(first), second=_a(what))
            return
        self.declared_at[name] = (what, pos)
        self.types[name] = typ
        self.targets[name] = what

    def target(self, name: str, pos: Position, *, numeric: bool) -> Target | None:
        """Resolve an effect's name; report unknown names and non-numeric `add`s."""
        what = self.targets.get(name)
        if what is None:
            self.bag.add(
                "D304", pos, what="name", name=name, suggestion=suggest(name, sorted(self.targets))
            )
            return None
        self.used.add(name)
        if numeric and self.types[name] is not Type.NUMBER:
            self.bag.add(
                "D402",
                pos,
                detail=f"'{name}' is {self.types[name].value}; only numbers can be added to",
            )
            return None
        return what


@dataclass(slots=True)
class ExpressionCompiler:
    """Compiles expressions against the symbol table and the story's ids."""

    symbols: SymbolTable
    fragments: Mapping[str, object]
    clues: Mapping[str, object]
    choices: set[str]
    lines: Callable[[str], list[str]]
    _bad: list[tuple[str, str, str]] = field(default_factory=list)

    def compile(self, source: str, pos: Position, expect: Type = Type.BOOL) -> Expression | None:
        self._bad.clear()
        table = Symbols(
            names=self.symbols.types,
            check_fragment=lambda ref: self._check("fragment", ref, self.fragments),
            check_clue=lambda ref: self._check("clue", ref, self.clues),
            check_choice=lambda ref: self._check("choice", ref, self.choices),
        )
        result = compile_expression(source, table, expect)
        if isinstance(result, Expression):
            self.symbols.used.update(result.names)
            return result
        base = self._inner(pos)
        for err in result:
            at = Position(base.path, base.line, base.col + err.offset)
            if err.kind == "syntax":
                self.bag.add("D401", at, detail=err.detail)
            elif err.kind == "type":
                self.bag.add("D402", at, detail=err.detail)
            elif err.kind == "not_allowed":
                self.bag.add("D403", at, construct=err.construct or err.detail)
            elif err.kind == "unknown_function":
                self.bag.add(
                    "D304",
                    at,
                    what="function",
                    name=err.name,
                    suggestion=suggest(err.name, list(FUNCTIONS)),
                )
            elif err.kind == "unknown_name":
                self.bag.add(
                    "D304",
                    at,
                    what="name",
                    name=err.name,
                    suggestion=suggest(err.name, sorted(self.symbols.types)),
                )
            else:
                what, name, hint = next(
                    (b for b in self._bad if b[1] == err.name), ("reference", err.name, "")
                )
                if what == "fragment":
                    self.bag.add("D302", at, target=name, suggestion=hint)
                else:
                    self.bag.add("D304", at, what=what, name=name, suggestion=hint)
        return None

    @property
    def bag(self) -> DiagnosticBag:
        return self.symbols.bag

    def _check(self, what: str, ref: str, known: Mapping[str, object] | set[str]) -> str | None:
        if ref in known:
            return None
        hint = suggest(ref, sorted(known))
        self._bad.append((what, ref, hint))
        return f"unknown {what} '{ref}'{hint}"

    def _inner(self, pos: Position) -> Position:
        """Move past an opening quote so offsets inside the expression land on the caret."""
        lines = self.lines(pos.path)
        if 0 < pos.line <= len(lines):
            line = lines[pos.line - 1]
            if pos.col - 1 < len(line) and line[pos.col - 1] in "\"'":
                return Position(pos.path, pos.line, pos.col + 1)
        return pos
