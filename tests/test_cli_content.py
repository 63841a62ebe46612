"""`diana validate` / `lint` / `explain` / `codes`, through Typer's runner and as a real
subprocess (the console script a writer runs)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cli.main import app
from cli.report import SOURCE_WIDTH, render_text
from engine.content.catalogue import CATALOGUE
from engine.content.diagnostics import Diagnostic, Position, Severity

ROOT = Path(__file__).parent.parent
BASE = ROOT / "tests" / "diagnostics" / "_base"
runner = CliRunner()


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    main = content / "chapters" / "main.yaml"
    main.write_text(
        main.read_text().replace(
            "to: final\n        id: esperar", "to: finall\n        id: esperar"
        )
    )
    (content / "chapters" / "extra.yaml").write_text(  # a schema error: its ids still read
        "kind: chapter\nid: extra\ntitle: X\n"
        "fragments: [{id: otro, text: Uno, colour: red, ending: {title: Fin}}]\n"
    )
    return content


def test_validate_shipped_content_is_clean() -> None:
    result = runner.invoke(app, ["validate", str(ROOT / "content")])
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output


def test_lint_shipped_content_is_strict_clean() -> None:
    result = runner.invoke(app, ["lint", str(ROOT / "content"), "--strict"])
    assert result.exit_code == 0, result.output


def test_validate_reports_every_error_with_source_and_hint(broken: Path) -> None:
    result = runner.invoke(app, ["validate", str(broken)])
    assert result.exit_code == 1
    out = result.output
    assert "error D302: 'finall' is not a fragment; did you mean 'final'?" in out
    assert "error D203" in out  # the other file's error is reported too
    assert "to: finall" in out and "^" in out and "hint:" in out


def test_json_format(broken: Path) -> None:
    result = runner.invoke(app, ["lint", str(broken), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    codes = {d["code"] for d in data["diagnostics"]}
    assert {"D302", "D203"} <= codes
    d302 = next(d for d in data["diagnostics"] if d["code"] == "D302")
    assert d302["path"].endswith("main.yaml") and d302["line"] == 14 and d302["col"] == 13


def test_github_format(broken: Path) -> None:
    result = runner.invoke(app, ["validate", str(broken), "--format", "github"])
    assert result.exit_code == 1
    assert "::error file=" in result.output and "title=D302::" in result.output


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == 2


def test_strict_fails_on_warnings(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    story = content / "story.yaml"
    story.write_text(
        story.read_text().replace("  abierto: false\n", "  abierto: false\n  olvidada: 0\n")
    )
    assert runner.invoke(app, ["lint", str(content)]).exit_code == 0
    assert runner.invoke(app, ["lint", str(content), "--strict"]).exit_code == 1


def test_explain_every_code() -> None:
    for code in CATALOGUE:
        result = runner.invoke(app, ["explain", code.lower()])
        assert result.exit_code == 0
        assert code in result.output and "fix" in result.output


def test_explain_unknown_code_points_to_the_codes_command() -> None:
    result = runner.invoke(app, ["explain", "D999"])
    assert result.exit_code == 2
    assert "see `diana codes`" in result.output and "--list" not in result.output
    assert runner.invoke(app, ["codes"]).exit_code == 0  # the command it names exists


def test_a_syntax_error_in_one_file_causes_no_errors_in_others(broken: Path) -> None:
    (broken / "chapters" / "extra.yaml").write_text("kind: chapter\nid: [x\n")
    result = runner.invoke(app, ["validate", str(broken), "--format", "json"])
    assert result.exit_code == 1
    (only,) = json.loads(result.output)["diagnostics"]
    assert only["code"] == "D101" and only["path"].endswith("extra.yaml")
    assert only["note"].startswith("1 reference in other files to ids this file may define")
    text = runner.invoke(app, ["validate", str(broken)]).output
    assert "= note: 1 reference" in text and "D302" not in text


def caret_output(line: str, col: int, width: int = 60) -> tuple[str, str]:
    """The source line and caret line printed for a diagnostic at `col` of `line`, as a
    non-terminal (piped, CI) console `width` columns wide prints them."""
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=False, highlight=False)
    diag = Diagnostic("D302", Severity.ERROR, "message", Position("a.yaml", 3, col), "hint")
    render_text([diag], lambda d: line, console)
    lines = out.getvalue().splitlines()
    assert len(lines) == 4, lines  # message, source, caret, hint: nothing wrapped
    return lines[1], lines[2]


def test_caret_is_not_wrapped_in_piped_output() -> None:
    line = "        to: " + "x" * 70 + "TARGET" + " # a comment"
    source, caret = caret_output(line, line.index("TARGET") + 1)
    assert source.endswith(line)
    assert caret.index("^") == source.index("TARGET")


def test_caret_counts_wide_characters_as_two_cells() -> None:
    line = '    label: "💋💋 Invitarla" to: x'
    source, caret = caret_output(line, line.index("to:") + 1)
    assert caret.index("^") == source.index("to:") + 2  # each emoji is two cells wide


@pytest.mark.parametrize("where", [5, 300, 495])
def test_very_long_source_lines_show_a_window_around_the_column(where: int) -> None:
    line = "".join(chr(ord("a") + (i % 26)) for i in range(500))
    line = line[: where - 1] + "@" + line[where:]
    source, caret = caret_output(line, where)
    shown = source.split(" | ", 1)[1]
    assert len(shown) <= SOURCE_WIDTH + 2
    assert shown.startswith("…") == (where > SOURCE_WIDTH // 2)
    assert shown.endswith("…") == (where < 500 - SOURCE_WIDTH // 2)
    assert caret.index("^") == source.index("@")


def test_console_script_runs_as_a_subprocess(broken: Path) -> None:
    diana = Path(sys.executable).parent / "diana"
    proc = subprocess.run(
        [str(diana), "validate", str(broken)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1
    assert "D302" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr
    help_proc = subprocess.run([str(diana), "--help"], capture_output=True, text=True, check=False)
    assert help_proc.returncode == 0 and "validate" in help_proc.stdout
