"""`diana bench soak` and `diana bench concurrency`: the audit table's memory and concurrency
runs at any size, with every sample and the consistency report printed. Both exit with 1 when
the database disagrees with what the store answered (a lost or doubled update, a ledger that
does not sum to its balance), so a script can rely on them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cli.bench.options import FormatOpt, JsonOpt, PostgresOpt, chosen
from cli.bench.render import Format, audit_table, emit
from cli.bench.sections import Run
from engine.benchrows import BenchContext, Row


def _verdicts(fmt: Format, rows: list[Row], title: str) -> None:
    """Below the figures, the same rows the audit table shows for this run."""
    if fmt is not Format.JSON:
        emit(fmt, audit_table(Run(BenchContext(), rows), title=title), {}, width=200)


def _fail(problems: list[str]) -> None:
    err = Console(stderr=True)
    for problem in problems:
        err.print(f"[red]{problem}[/]")
    raise typer.Exit(1)


def soak(
    actions: Annotated[int, typer.Option(help="Actions in all.")] = 1_000_000,
    players: Annotated[int, typer.Option(help="Simulated players.")] = 10_000,
    every: Annotated[int, typer.Option(help="Sample memory every this many actions.")] = 50_000,
    concurrency: Annotated[int, typer.Option(help="Players acting at a time.")] = 16,
    fmt: FormatOpt = Format.TABLE,
    as_json: JsonOpt = False,
) -> None:
    """Many actions through the real Store on a SQLite file: RSS over time, its growth after
    the warm-up (the first fifth), and every ledger checked against its balance at the end.

    Example: [bold]diana bench soak --actions 100000 --players 1000 --every 10000[/]
    """
    from engine.content.generated import load_generated
    from engine.persistence.bench import sample_state, sqlite_floor
    from engine.persistence.bench_audit import memory_rows
    from engine.persistence.soak import soak as run_soak
    from engine.runtime import dumps_state

    if min(actions, players, every, concurrency) < 1:
        raise typer.BadParameter("--actions, --players, --every and --concurrency must be >= 1")
    err = Console(stderr=True)
    story = load_generated(200)
    gc.collect()
    gc.freeze()
    with tempfile.TemporaryDirectory(prefix="diana-soak-") as tmp:
        floor = sqlite_floor(
            Path(tmp) / "floor.sqlite3", min(actions, 5_000), dumps_state(sample_state(story))
        )
        result = asyncio.run(
            run_soak(
                f"sqlite:///{tmp}/soak.sqlite3",
                story,
                actions=actions,
                players=players,
                every=every,
                concurrency=concurrency,
                on_sample=lambda s: err.print(
                    f"[dim]soak {s.actions:,} actions: RSS {s.rss_mb:,.1f} MB, "
                    f"{s.rate:,.0f} actions/s[/]"
                ),
            )
        )
    table = Table(title=f"Soak: {actions:,} actions, {players:,} players ({concurrency} at a time)")
    for col in (
        "actions",
        "RSS MB",
        "player states MB",
        "SQLite MB",
        "actions/s",
        "p50 ms",
        "p99 ms",
    ):
        table.add_column(col, justify="right")
    for s in result.samples:
        table.add_row(
            f"{s.actions:,}",
            f"{s.rss_mb:,.1f}",
            f"{s.states_mb:,.1f}",
            f"{s.sqlite_mb:,.1f}",
            f"{s.rate:,.0f}",
            f"{s.p50_ms:.2f}",
            f"{s.p99_ms:.2f}",
        )
    rows = memory_rows(result, floor.p50_ms)
    report = result.report
    payload = {
        "samples": [dataclasses.asdict(s) for s in result.samples],
        "warmup_actions": result.warm.actions,
        "growth_mb": round(result.growth_mb, 2),
        "explained_mb": round(result.explained_mb, 2),
        "rows": [row.to_json() for row in rows],
        "consistent": report.ok,
        "summary": report.summary(),
        "problems": report.problems,
    }
    fmt = chosen(fmt, as_json)
    emit(fmt, table, payload)
    _verdicts(fmt, rows, "Soak: the audit's memory rows")
    if not report.ok:
        _fail(report.problems)


def concurrency(
    players: Annotated[int, typer.Option(help="Players acting at once.")] = 1_000,
    rounds: Annotated[int, typer.Option(help="Times every player acts.")] = 5,
    postgres: PostgresOpt = None,
    fmt: FormatOpt = Format.TABLE,
    as_json: JsonOpt = False,
) -> None:
    """All players act at the same moment through one Store, some updates delivered twice;
    throughput, p50/p99 per delivery, and proof that nothing was lost or doubled.

    Example: [bold]diana bench concurrency --players 1000 --rounds 3[/]
    """
    from engine.content.generated import load_generated
    from engine.persistence.benchdb import Unreachable
    from engine.persistence.crowd import measure

    if min(players, rounds) < 1:
        raise typer.BadParameter("--players and --rounds must be >= 1")
    story = load_generated(200)
    table = Table(title=f"Concurrency: {players:,} players acting at once, {rounds} rounds")
    for col in (
        "backend",
        "deliveries",
        "actions/s",
        "p50 ms",
        "p99 ms",
        "floor actions/s",
        "consistency",
    ):
        table.add_column(col, justify="left" if col in {"backend", "consistency"} else "right")
    results: list[dict[str, Any]] = []
    ok = True
    for backend in ("sqlite", "postgresql"):
        try:
            result, floor = asyncio.run(
                measure(
                    backend,
                    story,
                    players=players,
                    rounds=rounds,
                    floor_actions=min(2_000, max(200, players * rounds)),
                    postgres=postgres,
                )
            )
        except Unreachable as exc:
            table.add_row(backend, "-", "-", "-", "-", "-", f"skipped: {exc}")
            results.append({"backend": backend, "skipped": str(exc)})
            continue
        ordered = sorted(result.latencies)
        p50, p99 = ordered[len(ordered) // 2] * 1000, ordered[int(len(ordered) * 0.99)] * 1000
        ok = ok and result.report.ok
        table.add_row(
            backend,
            f"{result.deliveries:,}",
            f"{result.rate:,.0f}",
            f"{p50:.1f}",
            f"{p99:.1f}",
            f"{floor.per_second:,.0f}",
            result.report.summary(),
        )
        results.append(
            {
                "backend": backend,
                "deliveries": result.deliveries,
                "actions_per_second": round(result.rate, 1),
                "p50_ms": round(p50, 3),
                "p99_ms": round(p99, 3),
                "floor_actions_per_second": round(floor.per_second, 1),
                "consistent": result.report.ok,
                "summary": result.report.summary(),
                "problems": result.report.problems,
            }
        )
    emit(chosen(fmt, as_json), table, {"results": results}, width=180)
    if not ok:
        _fail([p for r in results for p in r.get("problems", [])])


def register(bench: typer.Typer) -> None:
    bench.command("soak")(soak)
    bench.command("concurrency")(concurrency)
