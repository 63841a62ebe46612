"""`diana bench` with no subcommand prints the audit table: every audit line answered, every
row with a verdict (behaviour only: no timing is asserted). CI runs it at the smoke scale."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.bench.render import markdown
from cli.bench.sections import SECTIONS
from cli.main import app
from engine.benchrows import Audit, Figure

runner = CliRunner()


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def test_the_full_table_answers_every_audit_line() -> None:
    result = runner.invoke(app, ["bench", "--smoke", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("| ")]
    header, rows = _cells(lines[0]), [_cells(line) for line in lines[1:]]
    assert header[:3] == ["audit line", "what ran", "our target"]
    assert {"median", "p99", "floor (same run)", "x floor", "verdict"} <= set(header)
    # Rows come grouped in the audit's order, each line named on its group's first row.
    named = [row[0] for row in rows if row[0]]
    assert named == [str(line) for line in Audit]
    verdict = header.index("verdict")
    assert {row[verdict] for row in rows} <= {"met", "missed", "skipped"}
    # SQLite and PostgreSQL rows (or PostgreSQL's, skipped with the reason).
    assert sum("sqlite" in row[1] for row in rows) >= 3
    assert sum("postgresql" in row[1] for row in rows) >= 3
    # Every measured row stands beside a floor from the same run.
    floor, ratio = header.index("floor (same run)"), header.index("x floor")
    for row in rows:
        if row[verdict] != "skipped" and row[header.index("median")] != "-":
            assert row[floor] != "-" and row[ratio].endswith("x"), row


def test_json_rows_carry_figures_and_verdicts() -> None:
    result = runner.invoke(app, ["bench", "--smoke", "--only", "runtime", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["scale"] == "smoke" and list(data["seconds"]) == ["runtime"]
    audits = [row["audit"] for row in data["rows"]]
    assert audits == [Audit.ORCHESTRATION, Audit.EMOTIONS]
    for row in data["rows"]:
        assert row["median"]["unit"] == "µs" and row["floor"]["value"] > 0
        assert row["verdict"] in {"met", "missed"} and row["ratio"] > 0


def test_the_terminal_table_prints() -> None:
    result = runner.invoke(app, ["bench", "--smoke", "--only", "content"])
    assert result.exit_code == 0, result.output
    assert "fragment loading" in result.output and "PyYAML" in result.output


def test_unknown_sections_and_misplaced_options_are_refused() -> None:
    result = runner.invoke(app, ["bench", "--only", "nope"])
    assert result.exit_code == 2 and "sections: content" in result.output
    result = runner.invoke(app, ["bench", "--quick", "content"])
    assert result.exit_code == 2 and "audit table only" in result.output


def test_every_section_names_a_function() -> None:
    for section in SECTIONS:
        assert callable(section.load()), section


def test_subcommands_have_help_with_an_example() -> None:
    for command in ("soak", "concurrency", "storage"):
        result = runner.invoke(app, ["bench", command, "--help"])
        assert result.exit_code == 0 and "Example" in result.output
        assert "--format" in result.output


def test_markdown_of_any_table() -> None:
    from rich.table import Table

    table = Table(title="T")
    table.add_column("a")
    table.add_column("b")
    table.add_row("x|y", "[bold]z[/]")
    assert markdown(table) == "T\n\n| a | b |\n|---|---|\n| x\\|y | z |"
    assert [str(Figure(v, "ms")) for v in (1234.5, 12.34, 1.234, 0.1234)] == [
        "1,234 ms",
        "12.3 ms",
        "1.23 ms",
        "0.123 ms",
    ]
    assert str(Figure(500_000, "/s")) == "500,000/s"


def test_soak_and_concurrency_commands_report_consistency() -> None:
    result = runner.invoke(
        app, ["bench", "soak", "--actions", "300", "--players", "20", "--every", "100", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [s["actions"] for s in data["samples"]] == [0, 100, 200, 300]
    assert data["consistent"] and "ledgers consistent 20/20" in data["summary"]
    result = runner.invoke(app, ["bench", "concurrency", "--players", "30", "--rounds", "2"])
    assert result.exit_code == 0, result.output
    assert "ledgers consistent 30/30" in result.output
