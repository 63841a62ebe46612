"""`diana validate` / `lint` / `explain` / `codes`, through Typer's runner and as a real
subprocess (the console script a writer runs)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from engine.content.catalogue import CATALOGUE

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
    (content / "chapters" / "extra.yaml").write_text("kind: chapter\nid: [x\n")
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
    assert "error D101" in out  # the other file's error is reported too
    assert "to: finall" in out and "^" in out and "hint:" in out


def test_json_format(broken: Path) -> None:
    result = runner.invoke(app, ["lint", str(broken), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    codes = {d["code"] for d in data["diagnostics"]}
    assert {"D302", "D101"} <= codes
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


def test_explain_unknown_code() -> None:
    assert runner.invoke(app, ["explain", "D000"]).exit_code == 2


def test_console_script_runs_as_a_subprocess(broken: Path) -> None:
    diana = Path(sys.executable).parent / "diana"
    proc = subprocess.run(
        [str(diana), "validate", str(broken)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1
    assert "D302" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr
    help_proc = subprocess.run([str(diana), "--help"], capture_output=True, text=True, check=False)
    assert help_proc.returncode == 0 and "validate" in help_proc.stdout
