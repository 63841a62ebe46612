"""Diagnostics: content problems as data, never tracebacks.

Every check appends `Diagnostic` values to a `DiagnosticBag`; nothing raises on bad content.
The codes, their severities, message templates and fix hints live in `catalogue.py`, so a
diagnostic is built from its code and the template's fields and cannot drift from the docs.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NamedTuple


class Severity(enum.IntEnum):
    """Ordered so that `max()` over a bag gives the worst one."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()


class Position(NamedTuple):
    """A place in a content file; line and column are 1-based as editors show them.

    A named tuple rather than a frozen dataclass: the compiler makes tens of thousands of
    these per load, and tuples are built several times faster.
    """

    path: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    position: Position
    hint: str = ""
    note: str = ""
    """Context the check adds to the catalogue's text (e.g. what this error kept unchecked)."""

    def sort_key(self) -> tuple[str, int, int, str]:
        p = self.position
        return (p.path, p.line, p.col, self.code)

    def __str__(self) -> str:
        return f"{self.position}: {self.severity} {self.code}: {self.message}"


Mute = Callable[[str, Mapping[str, object]], bool]
"""Decides from a diagnostic's code and template fields that it is a knock-on effect."""


@dataclass(slots=True)
class DiagnosticBag:
    """Collects every diagnostic of a run; checks keep going after each one."""

    items: list[Diagnostic] = field(default_factory=list)
    mute: Mute | None = None
    """While set, diagnostics it accepts are counted in `muted` instead of being kept."""
    muted: int = 0

    def add(self, code: str, position: Position, **fields: object) -> Diagnostic:
        """Build a diagnostic from the catalogue entry `code` and append it."""
        from engine.content.catalogue import CATALOGUE

        entry = CATALOGUE[code]
        diag = Diagnostic(
            code=code,
            severity=entry.severity,
            message=entry.render(**fields),
            position=position,
            hint=entry.hint,
        )
        if self.mute is not None and self.mute(code, fields):
            self.muted += 1
        else:
            self.items.append(diag)
        return diag

    @contextmanager
    def muting(self, mute: Mute) -> Iterator[None]:
        """Drop (and count) the diagnostics `mute` accepts while the block runs."""
        previous, self.mute = self.mute, mute
        try:
            yield
        finally:
            self.mute = previous

    def extend(self, diags: Iterable[Diagnostic]) -> None:
        self.items.extend(diags)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        """Stable, deduplicated order: by file, line, column, code."""
        seen: set[tuple[str, int, int, str, str]] = set()
        out: list[Diagnostic] = []
        for d in sorted(self.items, key=Diagnostic.sort_key):
            key = (*d.sort_key(), d.message)
            if key not in seen:
                seen.add(key)
                out.append(d)
        return out
