"""`diana bench`: benchmarks that print tables of figures (never timed tests).

With no subcommand it prints the audit table (cli/bench/); the subcommands print one layer's
own table. Every command takes `--format table|json|markdown` (`--json` is short for
`--format json`).
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cli.bench import soak_cmds
from cli.bench.options import FormatOpt, JsonOpt, PostgresOpt, QuickOpt, chosen
from cli.bench.render import Format, audit_payload, audit_table, emit, machine

bench = typer.Typer(
    help="Measure the engine: print tables of figures. With no subcommand: the audit table."
)


@bench.callback(invoke_without_command=True)
def audit(
    ctx: typer.Context,
    quick: QuickOpt = False,
    smoke: Annotated[
        bool, typer.Option("--smoke", hidden=True, help="Tiny sizes: proves it runs (CI).")
    ] = False,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Run only this section (repeatable): content, runtime, "
            "storage, concurrency, soak.",
            show_default=False,
        ),
    ] = None,
    postgres: PostgresOpt = None,
    fmt: FormatOpt = Format.TABLE,
    as_json: JsonOpt = False,
) -> None:
    """One table answering each line of the predecessor's audit: what ran, our target, median
    and p99, a floor measured in the same run, the ratio to it and a verdict.

    The full run takes about 15 minutes (the soak is a million actions); --quick about one.
    Options go before a subcommand only when running this table.

    Example: [bold]diana bench --quick[/]
    """
    if ctx.invoked_subcommand is not None:
        if quick or smoke or only or postgres or as_json or fmt is not Format.TABLE:
            raise typer.BadParameter("options before a subcommand apply to the audit table only")
        return
    from cli.bench.sections import run
    from engine.benchrows import BenchContext

    progress = Console(stderr=True)
    context = BenchContext("smoke" if smoke else "quick" if quick else "full", postgres)
    try:
        result = run(context, only or (), lambda line: progress.print(f"[dim]bench {line}[/]"))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--only") from None
    emit(chosen(fmt, as_json), audit_table(result), audit_payload(result), width=220)
    for name, error in result.failures.items():
        progress.print(f"[bold red]section {name} failed:[/]\n{error}")
    if result.failures:
        raise typer.Exit(1)


@bench.command("content")
def content(
    quick: QuickOpt = False, fmt: FormatOpt = Format.TABLE, as_json: JsonOpt = False
) -> None:
    """Load and check generated stories of 1,000 to 10,000 fragments beside the YAML floor.

    Example: [bold]diana bench content --quick[/]
    """
    from engine.content.bench import run_content_bench

    rows = run_content_bench(quick=quick)
    table = Table(title=f"Content loading ({machine()})")
    for col in ("scenario", "fragments", "ms / MB", "target", "measured vs target", "note"):
        table.add_column(col, justify="right" if col in {"fragments", "ms / MB"} else "left")
    for r in rows:
        table.add_row(r.scenario, f"{r.fragments:,}", f"{r.ms:,.1f}", r.target, r.ratio, r.note)
    payload = {"rows": [dataclasses.asdict(r) for r in rows]}
    emit(chosen(fmt, as_json), table, payload, width=140)


@bench.command("runtime")
def runtime(
    quick: QuickOpt = False,
    fragments: Annotated[
        int | None,
        typer.Option(min=4, help="Story size (default 10,000; 2,000 with --quick)."),
    ] = None,
    fmt: FormatOpt = Format.TABLE,
    as_json: JsonOpt = False,
) -> None:
    """Random walks over a generated 10,000-fragment story: latency of one choose() step.

    Example: [bold]diana bench runtime --quick[/]; [bold]--fragments 200[/] for a story
    that fits in the CPU's caches.
    """
    from engine.benchmarks.runtime import run_runtime_bench

    size = fragments if fragments is not None else 2_000 if quick else 10_000
    rows = run_runtime_bench(fragments=size, steps=20_000 if quick else 100_000)
    table = Table(title=f"Runtime step (target: choose p99 <= 50 µs) ({machine()})")
    for col in ("metric", "value", "detail"):
        table.add_column(col, justify="right" if col == "value" else "left")
    for row in rows:
        detail = ", ".join(f"{k} {v:,}" for k, v in row.items() if k not in {"metric", "value"})
        table.add_row(str(row["metric"]), f"{row['value']:,}", detail)
    emit(chosen(fmt, as_json), table, {"rows": rows}, width=120)


@bench.command("storage")
def storage(
    quick: QuickOpt = False,
    postgres: PostgresOpt = None,
    fmt: FormatOpt = Format.TABLE,
    as_json: JsonOpt = False,
) -> None:
    """Full user actions per second and p50/p99 on SQLite and PostgreSQL, 1,000 players,
    beside a raw sqlite3 floor and a naive design; and the event bus.

    Example: [bold]diana bench storage --quick[/]
    """
    from engine.persistence.bench import run_storage_bench

    rows = run_storage_bench(quick=quick, postgres_url=postgres)
    table = Table(title=f"Storage: user actions and events ({machine()})")
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
    payload = {"rows": [dataclasses.asdict(r) for r in rows]}
    emit(chosen(fmt, as_json), table, payload, width=160)


soak_cmds.register(bench)
