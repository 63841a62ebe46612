"""The benchmarks run and report every figure (behaviour only: no timing is asserted)."""

from __future__ import annotations

from typer.testing import CliRunner

from cli.main import app
from engine.benchmarks.runtime import run_runtime_bench
from engine.content.bench import bench_size


def test_content_bench_reports_every_stage_and_target() -> None:
    rows = bench_size(120, runs=1)
    scenarios = [r.scenario for r in rows]
    assert scenarios[0].startswith("floor")
    for stage in ("yaml", "schema", "compile", "checks"):
        assert f"  stage: {stage}" in scenarios
    assert any(r.target == "<= 1.5x floor" for r in rows)
    assert all(r.ms >= 0 for r in rows)


def test_runtime_bench_reports_latency_rows() -> None:
    rows = run_runtime_bench(fragments=200, steps=400)
    metrics = {str(r["metric"]) for r in rows}
    assert {"choose p50 (µs)", "choose p99 (µs)", "state JSON (bytes)"} <= metrics


def test_bench_commands_have_help() -> None:
    runner = CliRunner()
    for command in ("content", "runtime"):
        result = runner.invoke(app, ["bench", command, "--help"])
        assert result.exit_code == 0 and "Example" in result.output


def test_runtime_bench_takes_a_story_size() -> None:
    result = CliRunner().invoke(app, ["bench", "runtime", "--quick", "--fragments", "40"])
    assert result.exit_code == 0, result.output
    assert "fragments 40" in result.output
    refused = CliRunner().invoke(app, ["bench", "runtime", "--fragments", "2"])
    assert refused.exit_code == 2
