"""`diana bench bot` works (a smoke at tiny sizes; figures are never asserted)."""

from __future__ import annotations

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
