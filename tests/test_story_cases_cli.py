"""Every author command works on every test story: each case in tests/stories/ is laid over
`_base` (the latest `story_v*` version for cases with several, the named story for cases with
`story_from`) and put through validate, preview, playtest, graph (Mermaid and DOT) and stats.

Exit codes are the documented ones: 0, or 1 from playtest exactly when it reports a soft-lock;
no command may crash. Small run counts keep the whole sweep to a few seconds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

sys.path.insert(0, str(Path(__file__).parent / "runtime"))  # the transcript runner's home
from transcript_runner import build, cases, versions

from cli.main import app
from cli.play.session import Session, SessionError, Setup
from engine.content import load_story

runner = CliRunner()


def materialise(case: str, dest: Path) -> Path:
    """The story the case plays (`_base`, its files, its latest `story_v*`), built into `dest`
    the way the transcript runner builds it."""
    return build(case, versions(case)[-1], dest)


def invoke(*args: str) -> Result:
    result = runner.invoke(app, list(args))
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    assert not crashed, f"diana {' '.join(args)} crashed: {result.exception!r}\n{result.output}"
    assert "Traceback" not in result.output, result.output
    return result


def first_buttons(content: Path, most: int = 2) -> str:
    """`1,1` or as far as pressing the first button goes (the preview's own session)."""
    result = load_story(content)
    assert result.story is not None
    session = Session(result.story, Setup())
    pressed = 0
    while pressed < most and not session.frame.screen.ended and session.frame.screen.buttons:
        try:
            session.press(1)
        except SessionError:  # pragma: no cover - press() only refuses what is checked above
            break
        pressed += 1
    return ",".join(["1"] * pressed) or "s"


def test_there_are_cases() -> None:
    assert len(cases()) >= 20
    assert any(versions(c) != [""] for c in cases())


@pytest.mark.parametrize("case", cases())
def test_every_command_works_on_the_case(case: str, tmp_path: Path) -> None:
    content = materialise(case, tmp_path / case)
    path = str(content)

    validated = invoke("validate", path)
    assert validated.exit_code == 0, validated.output

    steps = first_buttons(content)
    previewed = invoke("preview", path, "--choices", steps)
    assert previewed.exit_code == 0, previewed.output
    assert previewed.output.count("> ") >= len(steps.split(","))

    played = invoke(
        "playtest", path, "--runs", "2", "--max-steps", "40", "--seek", "30", "--format", "json"
    )
    report = json.loads(played.stdout)
    profiles = report["profiles"].values()
    assert all(p["errors"] == [] for p in profiles), played.output
    soft_locked = any(p["soft_locks"] for p in profiles)
    assert played.exit_code == (1 if soft_locked else 0) and report["ok"] is not soft_locked

    mermaid = invoke("graph", path)
    assert mermaid.exit_code == 0 and mermaid.stdout.startswith("flowchart TD\n")
    dot = invoke("graph", path, "--format", "dot")
    assert dot.exit_code == 0 and dot.stdout.startswith("digraph story {\n")

    stats = invoke("stats", path)
    assert stats.exit_code == 0 and "Points" in stats.output
    figures = json.loads(invoke("stats", path, "--format", "json").stdout)
    assert figures["totals"]["fragments"] == sum(c["fragments"] for c in figures["chapters"])
