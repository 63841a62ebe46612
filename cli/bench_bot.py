"""`diana bench bot`: the Telegram bot's updates per second and p50/p99 per update, in-process
and over loopback HTTP, each beside its floor (see engine/telegram/bench.py)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cli.bench_cmds import bench


@bench.command("bot")
def bot_bench(
    content: Annotated[Path, typer.Option(help="Content folder (needs bot.yaml).")] = Path(
        "content"
    ),
    players: Annotated[int, typer.Option(help="Simulated players.")] = 1000,
    taps: Annotated[int, typer.Option(help="Taps per player.")] = 5,
    quick: Annotated[bool, typer.Option("--quick", help="100 players, 3 taps.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
    trace: Annotated[
        bool,
        typer.Option(
            "--trace",
            help="In-process only: attribute the slowest taps to GC passes and commits.",
        ),
    ] = False,
    rate: Annotated[
        float | None,
        typer.Option(
            min=1,
            help="In-process: taps arriving at random at this rate per second, with CPython's "
            "automatic GC and with the bot's GC pacer.",
        ),
    ] = None,
) -> None:
    """Updates through the whole bot (aiogram, engine, SQLite store, deliveries).

    Example: [bold]diana bench bot --quick[/]; [bold]--trace[/]; [bold]--rate 100[/]
    """
    from engine.telegram.bench import run_bot_bench
    from engine.telegram.botapi import BotApiSpec, default_spec_path

    if quick:
        players, taps = 100, 3
    if trace:
        _trace(content, players, taps, as_json)
        return
    if rate is not None:
        _paced(content, players, taps, rate, as_json)
        return
    path = default_spec_path()
    spec = BotApiSpec.load(path) if path.is_file() else None
    rows = asyncio.run(run_bot_bench(content, players=players, taps=taps, spec=spec))
    if as_json:
        print(json.dumps([dataclasses.asdict(r) for r in rows], indent=2))
        return
    table = Table(title=f"Bot updates ({players:,} players x {taps} taps, one at a time)")
    for col in ("scenario", "transport", "updates", "per second", "p50 ms", "p99 ms", "x floor"):
        table.add_column(col, justify="left" if col in {"scenario", "transport"} else "right")
    table.add_column("target")
    table.add_column("")
    for r in rows:
        ratio = f"{r.p50_ms / r.floor_p50_ms:.2f}" if r.floor_p50_ms else ""
        table.add_row(
            r.scenario,
            r.transport,
            f"{r.updates:,}",
            f"{r.per_second:,.0f}",
            f"{r.p50_ms:.2f}",
            f"{r.p99_ms:.2f}",
            ratio,
            r.target,
            r.verdict,
        )
    Console(width=max(Console().width, 150)).print(table)
    if spec is None:
        print(f"loopback HTTP skipped: no Bot API spec at {path}")


def _trace(content: Path, players: int, taps: int, as_json: bool) -> None:
    from engine.telegram.bench_trace import run_trace

    rows = asyncio.run(run_trace(content, players, taps))
    if as_json:
        print(json.dumps([dataclasses.asdict(r) for r in rows], indent=2))
        return
    title = f"Where the slowest taps go ({players:,} players x {taps} taps, in-process)"
    table = Table(title=title)
    for col in ("what", "count", "detail"):
        table.add_column(col, justify="right" if col == "count" else "left")
    for r in rows:
        table.add_row(r.what, f"{r.count:,}", r.detail)
    Console(width=max(Console().width, 120)).print(table)


def _paced(content: Path, players: int, taps: int, rate: float, as_json: bool) -> None:
    from engine.telegram.bench_paced import run_paced

    rows = asyncio.run(run_paced(content, players, taps, rate))
    if as_json:
        print(json.dumps([dataclasses.asdict(r) for r in rows], indent=2))
        return
    table = Table(title=f"Taps arriving at random, {rate:,.0f}/s ({players:,} players x {taps})")
    for col in ("collector", "taps", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "forced"):
        table.add_column(col, justify="left" if col == "collector" else "right")
    for r in rows:
        table.add_row(
            r.collector,
            f"{r.taps:,}",
            f"{r.p50_ms:.2f}",
            f"{r.p99_ms:.2f}",
            f"{r.p999_ms:.2f}",
            f"{r.max_ms:.2f}",
            f"{r.forced:,}",
        )
    Console(width=max(Console().width, 120)).print(table)
    print("latency counts from each tap's arrival; forced: pacer passes run while busy")
