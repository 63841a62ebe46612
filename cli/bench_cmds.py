"""`diana bench`: benchmarks that print tables of figures (never timed tests)."""

from __future__ import annotations

import dataclasses
import json
import platform
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

bench = typer.Typer(help="Measure the engine: print tables of figures.", no_args_is_help=True)

QuickOpt = Annotated[bool, typer.Option("--quick", help="Smaller sizes; about a minute.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def _machine() -> str:
    import os

    return (
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores, {platform.machine()}"
    )


@bench.command("content")
def content(quick: QuickOpt = False, as_json: JsonOpt = False) -> None:
    """Load and check generated stories of 1,000 to 10,000 fragments beside the YAML floor.

    Example: [bold]diana bench content --quick[/]
    """
    from engine.content.bench import run_content_bench

    rows = run_content_bench(quick=quick)
    if as_json:
        print(
            json.dumps(
                {"machine": _machine(), "rows": [dataclasses.asdict(r) for r in rows]}, indent=2
            )
        )
        return
    table = Table(title=f"Content loading ({_machine()})")
    for col in ("scenario", "fragments", "ms / MB", "target", "measured vs target", "note"):
        table.add_column(col, justify="right" if col in {"fragments", "ms / MB"} else "left")
    for r in rows:
        table.add_row(r.scenario, f"{r.fragments:,}", f"{r.ms:,.1f}", r.target, r.ratio, r.note)
    Console(width=max(Console().width, 140)).print(table)


@bench.command("runtime")
def runtime(quick: QuickOpt = False, as_json: JsonOpt = False) -> None:
    """Random walks over a generated 10,000-fragment story: latency of one choose() step.

    Example: [bold]diana bench runtime --quick[/]
    """
    from engine.runtime.bench import run_runtime_bench

    rows = run_runtime_bench(
        fragments=2_000 if quick else 10_000, steps=20_000 if quick else 100_000
    )
    if as_json:
        print(json.dumps({"machine": _machine(), "rows": rows}, indent=2))
        return
    table = Table(title=f"Runtime step (target: choose p99 <= 50 µs) ({_machine()})")
    for col in ("metric", "value", "detail"):
        table.add_column(col, justify="right" if col == "value" else "left")
    for row in rows:
        detail = ", ".join(f"{k} {v:,}" for k, v in row.items() if k not in {"metric", "value"})
        table.add_row(str(row["metric"]), f"{row['value']:,}", detail)
    Console(width=max(Console().width, 120)).print(table)


@bench.command("storage")
def storage(
    quick: QuickOpt = False,
    as_json: JsonOpt = False,
    postgres: Annotated[
        str | None,
        typer.Option(
            "--postgres",
            help="PostgreSQL URL to measure (a throwaway schema is made and dropped); "
            "default $DIANA_BENCH_POSTGRES_URL or postgresql://postgres@127.0.0.1:5432/test.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Full user actions per second and p50/p99 on SQLite and PostgreSQL, 1,000 players,
    beside a raw sqlite3 floor and a naive design; and the event bus.

    Example: [bold]diana bench storage --quick[/]
    """
    from engine.persistence.bench import run_storage_bench

    rows = run_storage_bench(quick=quick, postgres_url=postgres)
    if as_json:
        print(
            json.dumps(
                {"machine": _machine(), "rows": [dataclasses.asdict(r) for r in rows]}, indent=2
            )
        )
        return
    table = Table(title=f"Storage: user actions and events ({_machine()})")
    cols = ("scenario", "backend", "C", "count", "per second", "p50 ms", "p99 ms", "target", "")
    for col in (*cols, "note"):
        table.add_column(col, justify="left" if col in {"scenario", "target", "note"} else "right")
    for r in rows:
        table.add_row(
            r.scenario,
            r.backend,
            str(r.concurrency),
            f"{r.count:,}",
            f"{r.per_second:,.0f}",
            f"{r.p50_ms:.3f}",
            f"{r.p99_ms:.3f}",
            r.target,
            r.verdict,
            r.note,
        )
    Console(width=max(Console().width, 160)).print(table)
