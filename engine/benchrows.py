"""The rows of `diana bench`'s audit table, shared by every layer's benchmark.

The predecessor's audit listed seven requirements and could not say whether it met them.
`diana bench` answers each line with rows: what ran, our (stricter) target, the measured median
and p99, a floor measured in the same run on the same machine (what the work costs without our
code: raw sqlite3, PyYAML's C loader, bare awaits...), our cost as a multiple of the floor's,
and a verdict. Each layer's benchmark exposes `audit_rows(context) -> list[Row]`, and
cli/bench/sections.py lists them. Standard library only: any layer, the runtime included, may
import this module.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Any, Literal

Scale = Literal["smoke", "quick", "full"]
"""full: the documented sizes; quick: about a minute in all; smoke: tiny, proves it runs (CI)."""


class Audit(enum.StrEnum):
    """The audit's lines, in its order (the table groups rows by line in this order)."""

    ORCHESTRATION = "orchestration of one user action < 20 ms"
    EVENT_BUS = "event bus > 1,000 events/s"
    FRAGMENT_LOADING = "fragment loading < 500 ms"
    DATABASE = "database queries < 50 ms"
    EMOTIONS = "Diana emotional overhead < 25 ms"
    CONCURRENCY = "concurrent users"
    MEMORY = "memory stability"


@dataclass(frozen=True, slots=True)
class BenchContext:
    """What every section is given: the scale and where PostgreSQL is (None: the default)."""

    scale: Scale = "quick"
    postgres_url: str | None = None


@dataclass(frozen=True, slots=True)
class Figure:
    value: float
    unit: str
    """µs, ms, s, MB or /s (a rate)."""

    def __str__(self) -> str:
        v = abs(self.value)
        digits = 0 if v >= 100 else 1 if v >= 10 else 2 if v >= 1 or v == 0 else 3
        text = f"{self.value:,.{digits}f}"
        return f"{text}/s" if self.unit == "/s" else f"{text} {self.unit}"


@dataclass(frozen=True, slots=True)
class Row:
    """One measured answer to an audit line.

    `ratio` is our cost per operation over the floor's: median over median where latency is
    the target, the floor's rate over ours where throughput is. `met` is None when the row
    could not be measured (then `note` says why).
    """

    audit: Audit
    scenario: str
    target: str
    median: Figure | None = None
    p99: Figure | None = None
    floor: Figure | None = None
    floor_what: str = ""
    ratio: float | None = None
    met: bool | None = None
    measured: str = ""
    note: str = ""

    @property
    def verdict(self) -> str:
        return "skipped" if self.met is None else "met" if self.met else "missed"

    def to_json(self) -> dict[str, Any]:
        def fig(f: Figure | None) -> dict[str, Any] | None:
            return None if f is None else {"value": round(f.value, 6), "unit": f.unit}

        return {
            "audit": str(self.audit),
            "scenario": self.scenario,
            "target": self.target,
            "median": fig(self.median),
            "p99": fig(self.p99),
            "floor": fig(self.floor),
            "floor_what": self.floor_what,
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "verdict": self.verdict,
            "measured": self.measured,
            "note": self.note,
        }


def skipped(audit: Audit, scenario: str, target: str, reason: str) -> Row:
    return Row(audit, scenario, target, note=f"skipped: {reason}")


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * q))]


_INV_LOG_STEP = 1 / math.log(1.02)
_BUCKETS = int(math.log(1e8) * _INV_LOG_STEP) + 1


@dataclass(slots=True)
class Histogram:
    """Latencies in fixed log-spaced buckets (2% wide, 1 µs to 100 s).

    For runs too long to keep every sample: a million floats would add ~30 MB to the very
    RSS the soak watches, the histogram's memory is fixed when it is made.
    """

    counts: list[int] = field(default_factory=lambda: [0] * _BUCKETS)
    total: int = 0

    def add(self, seconds: float) -> None:
        i = int(math.log(seconds * 1e6) * _INV_LOG_STEP) if seconds > 1e-6 else 0
        self.counts[min(max(i, 0), _BUCKETS - 1)] += 1
        self.total += 1

    def merge(self, other: Histogram) -> None:
        for i, n in enumerate(other.counts):
            self.counts[i] += n
        self.total += other.total

    def quantile(self, q: float) -> float:
        """Seconds at quantile `q` (the middle of its bucket); 0 when empty."""
        if not self.total:
            return 0.0
        rank = min(self.total - 1, int(self.total * q))
        seen = 0
        for i, n in enumerate(self.counts):
            seen += n
            if seen > rank:
                return math.exp((i + 0.5) / _INV_LOG_STEP) / 1e6
        return 0.0  # pragma: no cover - the loop always reaches `rank`
