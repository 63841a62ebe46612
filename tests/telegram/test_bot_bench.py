"""`diana bench bot` works (a smoke at tiny sizes; figures are never asserted)."""

from __future__ import annotations

import gc
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from engine.telegram.bench import run_bot_bench
from engine.telegram.botapi import BotApiSpec

CONTENT = Path(__file__).resolve().parents[2] / "content"


async def test_bot_bench_measures_both_transports_and_their_floors(
    bot_api_spec: BotApiSpec,
) -> None:
    rows = await run_bot_bench(CONTENT, players=4, taps=2, spec=bot_api_spec)
    assert [(r.transport, r.scenario.split(":")[0]) for r in rows] == [
        ("in-process", "floor"),
        ("in-process", "bot"),
        ("loopback HTTP", "floor"),
        ("loopback HTTP", "bot"),
    ]
    assert all(r.updates == 8 and r.p50_ms > 0 for r in rows)
    assert all(r.verdict in {"met", "MISSED"} for r in rows if r.scenario.startswith("bot"))


def test_bench_bot_command_prints_a_table(bot_api_spec: BotApiSpec) -> None:
    result = CliRunner().invoke(
        app, ["bench", "bot", "--players", "2", "--taps", "1", "--content", str(CONTENT)]
    )
    assert result.exit_code == 0, result.output
    assert "loopback HTTP" in result.output and "x floor" in result.output


def test_trace_blames_what_overlapped_the_slowest_taps() -> None:
    """`diana bench bot --trace`'s attribution, on made-up timings (seconds)."""
    from engine.telegram.bench_trace import Probes, attribute

    probes = Probes()
    probes.taps = [(i * 1.0, i * 1.0 + 0.001) for i in range(200)]  # 1 ms taps
    probes.taps[50] = (50.0, 50.010)  # slow, with a 2 ms gen-1 pass inside
    probes.taps[120] = (120.0, 120.009)  # slow, with a 4 ms commit inside
    probes.passes = [(50.002, 50.004, 1), (10.0002, 10.0003, 0)]  # the gen-0 one is tiny
    probes.commits = [(120.001, 120.005), (7.0001, 7.0002)]
    rows = {r.what: r for r in attribute(probes)}
    assert rows["taps"].count == 200
    assert rows["tail taps (>= p99) overlapping: gc gen-1"].count == 1
    assert rows["tail taps (>= p99) overlapping: commit"].count == 1
    assert "tail taps (>= p99) overlapping: neither" not in rows
    assert rows["gc gen-1 passes"].count == 1 and rows["writes + commits"].count == 2
    assert "1 over 3 ms" in rows["writes + commits"].detail


def test_bench_bot_trace_prints_where_the_tail_goes() -> None:
    args = ["bench", "bot", "--trace", "--players", "3", "--taps", "2", "--content", str(CONTENT)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Where the slowest taps go" in result.output and "writes + commits" in result.output


def test_bench_bot_rate_compares_the_collectors() -> None:
    args = ["bench", "bot", "--rate", "200", "--players", "3", "--taps", "2"]
    result = CliRunner().invoke(app, [*args, "--content", str(CONTENT)])
    assert result.exit_code == 0, result.output
    assert "automatic GC" in result.output and "paced: between updates" in result.output
    assert gc.isenabled()  # the pacer hands the collector back when the bot closes
