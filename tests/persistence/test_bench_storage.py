"""The storage benchmark runs and reports its rows (behaviour only: no timing is asserted)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from engine.content import Story
from engine.persistence.bench import bench_bus, bench_store, sqlite_floor
from engine.runtime import Engine, dumps_state


async def test_store_bench_rows(story: Story, tmp_path: Path):
    rows = await bench_store(
        f"sqlite:///{tmp_path / 'b.sqlite3'}", "sqlite", story, [(1, 20), (4, 40)], 40, players=12
    )
    assert [r.concurrency for r in rows] == [0, 1, 4]
    assert rows[0].target == ">= 500/s, p99 <= 5 ms"
    assert all(r.count > 0 and r.per_second > 0 and r.p99_ms >= r.p50_ms for r in rows)


async def test_floor_and_bus_rows(story: Story, tmp_path: Path):
    engine = Engine(story)
    blob = dumps_state(engine.new_player(seed=1).state)
    floor = sqlite_floor(tmp_path / "floor.sqlite3", 50, blob)
    assert floor.scenario.startswith("floor")
    assert floor.count == 50
    bus = await bench_bus(2_000, failing=True)
    assert bus.note == "2 failures isolated"
    assert bus.target == ">= 300,000 events/s"


def test_bench_storage_has_help():
    result = CliRunner().invoke(app, ["bench", "storage", "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
