"""Printing `diana bench`'s tables in the three formats every bench command offers: a terminal
table, Markdown (what the README shows) and JSON (for machines). Each command builds a rich
Table and a JSON payload once; `emit` prints the one asked for, and turns any Table into
Markdown, so the formats cannot drift apart between commands.
"""

from __future__ import annotations

import enum
import json
import os
import platform
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from cli.bench.sections import Run

COLUMNS = (
    "audit line",
    "what ran",
    "our target",
    "median",
    "p99",
    "floor (same run)",
    "x floor",
    "verdict",
    "also measured",
)
VERDICT_STYLE = {"met": "green", "missed": "bold red", "skipped": "yellow"}


class Format(enum.StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


def machine() -> str:
    return (
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores, {platform.machine()}"
    )


def emit(fmt: Format, table: Table, payload: dict[str, Any], width: int = 160) -> None:
    if fmt is Format.JSON:
        print(json.dumps({"machine": machine(), **payload}, indent=2, ensure_ascii=False))
    elif fmt is Format.MARKDOWN:
        print(markdown(table))
    else:
        Console(width=max(Console().width, width)).print(table)


def markdown(table: Table) -> str:
    """`table` as a GitHub Markdown table, its title as a paragraph above."""

    def plain(cell: object) -> str:
        text = cell.plain if isinstance(cell, Text) else Text.from_markup(str(cell)).plain
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [f"{plain(table.title)}\n"] if table.title else []
    lines.append("| " + " | ".join(plain(c.header) for c in table.columns) + " |")
    lines.append("|" + "---|" * len(table.columns))
    for cells in zip(*(list(c.cells) for c in table.columns), strict=True):
        lines.append("| " + " | ".join(plain(c) for c in cells) + " |")
    return "\n".join(lines)


def audit_table(run: Run, title: str | None = None) -> Table:
    before, after = run.load_average
    table = Table(
        title=title
        or f"diana bench ({run.context.scale}): the predecessor's audit, answered. "
        f"{machine()}; load average {before:.1f} before, {after:.1f} after",
        caption="x floor: our cost per operation over the floor's (median over median, or the "
        "floor's rate over ours where the target is a rate)",
    )
    for col in COLUMNS:
        table.add_column(col, justify="right" if col in {"median", "p99", "x floor"} else "left")
    group = None
    for row in run.rows:
        if group is not None and row.audit != group:
            table.add_section()
        floor = f"{row.floor}: {row.floor_what}" if row.floor else row.floor_what
        table.add_row(
            Text(str(row.audit) if row.audit != group else ""),
            Text(row.scenario),
            Text(row.target),
            Text(str(row.median) if row.median else "-"),
            Text(str(row.p99) if row.p99 else "-"),
            Text(floor or "-"),
            Text("-" if row.ratio is None else f"{row.ratio:,.2f}x"),
            Text(row.verdict, style=VERDICT_STYLE[row.verdict]),
            Text("; ".join(part for part in (row.measured, row.note) if part)),
        )
        group = row.audit
    return table


def audit_payload(run: Run) -> dict[str, Any]:
    return {
        "scale": run.context.scale,
        "load_average": list(run.load_average),
        "seconds": {name: round(s, 1) for name, s in run.seconds.items()},
        "rows": [row.to_json() for row in run.rows],
        "failures": run.failures,
    }
