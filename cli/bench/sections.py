"""The sections of `diana bench`'s audit table, and running them.

A section is a function `audit_rows(context: BenchContext) -> list[Row]` (engine/benchrows.py)
named here as "module:function" and imported only when it runs, so `diana --help` stays fast
and a section's heavy imports are paid by the table alone. Every row says which audit line it
answers; the table orders rows by the audit's line order, then by section order, so a new
section's rows land under their line wherever it is listed.

Adding a section is one line in SECTIONS, e.g. the bot's (engine/telegram/bench.py), whose
`audit_rows(context)` returns `Row(Audit.ORCHESTRATION, ...)` for a tap in-process and over
loopback HTTP, each beside its floor (aiogram with a handler that only answers and edits, plus
raw aiosqlite).
A section that raises does not lose the others' rows: the failure is reported under the table.
"""

from __future__ import annotations

import gc
import importlib
import os
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from engine.benchrows import Audit, BenchContext, Row

AuditRows = Callable[[BenchContext], list[Row]]


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    function: str
    """"module:function", an `AuditRows`."""

    def load(self) -> AuditRows:
        module, _, name = self.function.partition(":")
        fn: AuditRows = getattr(importlib.import_module(module), name)
        return fn


SECTIONS: tuple[Section, ...] = (
    Section("content", "engine.content.bench:audit_rows"),
    Section("runtime", "engine.benchmarks.runtime_audit:audit_rows"),
    Section("storage", "engine.persistence.bench_audit:storage_rows"),
    Section("concurrency", "engine.persistence.crowd:audit_rows"),
    Section("bot", "engine.telegram.bench:audit_rows"),
    Section("soak", "engine.persistence.bench_audit:soak_rows"),
)


@dataclass(slots=True)
class Run:
    context: BenchContext
    rows: list[Row] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    load_average: tuple[float, float] = (0.0, 0.0)
    """The machine's 1-minute load average before and after: other work sharing the cores."""


def run(
    context: BenchContext,
    only: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
) -> Run:
    """Run the sections (all, or those named in `only`) and gather their rows in audit order."""
    unknown = set(only) - {s.name for s in SECTIONS}
    if unknown:
        names = ", ".join(s.name for s in SECTIONS)
        raise ValueError(f"no section {', '.join(sorted(unknown))}; sections: {names}")
    result = Run(context)
    before = os.getloadavg()[0]
    for section in SECTIONS:
        if only and section.name not in only:
            continue
        if progress:
            progress(f"{section.name}: running")
        start = time.perf_counter()
        try:
            result.rows += section.load()(context)
        except Exception:
            result.failures[section.name] = traceback.format_exc(limit=-3)
        finally:
            gc.unfreeze()  # a section may have frozen its long-lived objects: let them go
            gc.collect()
        result.seconds[section.name] = time.perf_counter() - start
        if progress:
            progress(f"{section.name}: {result.seconds[section.name]:.0f} s")
    order = list(Audit)
    result.rows.sort(key=lambda r: order.index(r.audit))
    result.load_average = (before, os.getloadavg()[0])
    return result
