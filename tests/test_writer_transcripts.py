"""`diana test`: the writers' golden transcripts beside the shipped story pass, and a broken
expectation fails with a readable unified diff and the step's line."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from cli.play.goldens import run, transcripts
from engine.content import Story, load_story

ROOT = Path(__file__).parent.parent
CONTENT = ROOT / "content"
BASE = ROOT / "tests" / "stories" / "_base"
runner = CliRunner()

CHAPTER = """\
kind: chapter
id: main
title: {es: Principal, en: Main}
fragments:
  - id: inicio
    speaker: diana
    text: {es: "Hola, <b>{name}</b>.", en: "Hello, <b>{name}</b>."}
    choices:
      - {label: {es: Pasar, en: Come in}, to: sala, effects: {add: {trust: 5}}}
      - {id: arriba, label: {es: Subir, en: Go up}, to: fin, vip: true}
  - id: sala
    text: {es: "Una sala.", en: "A room."}
    choices:
      - {label: {es: Terminar, en: Finish}, to: fin, cost: 15}
  - id: fin
    text: {es: Fin., en: The end.}
    ending: {title: {es: Final, en: Ending}, type: good}
"""

GOOD = """\
name: the whole way
steps:
  - expect: {fragment: inicio, buttons: [Pasar], locked: {Subir: VIP}, text contains: "Hola, Ana"}
  - choose: Pasar
    expect: {fragment: sala, emotions: {trust: 25}, points: 10, state: guarded}
  - choose: Terminar
    expect: {outcome: short_of_points, says: faltan 5}
  - checkin
  - expect: {points: 20, streak: 1}
  - choose: 1
    expect: {fragment: fin, ended: true, ending: good, points: 5}
  - back
  - vip: true
  - jump: inicio
    expect: {buttons: [Pasar, Subir], vip: true}
  - lang: en
    expect: {text contains: "Hello, Ana"}
"""


def story_with(tmp_path: Path, transcripts_: dict[str, str]) -> Path:
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    (content / "chapters" / "main.yaml").write_text(CHAPTER, encoding="utf-8")
    (content / "tests").mkdir()
    for name, text in transcripts_.items():
        (content / "tests" / name).write_text(text, encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def shipped() -> Story:
    result = load_story(CONTENT)
    assert result.story is not None and result.ok
    return result.story


SHIPPED = transcripts(CONTENT)[1]


def test_the_shipped_story_has_transcripts_for_its_main_routes() -> None:
    names = {p.stem for p in SHIPPED}
    assert {"free_good_ending", "bad_ending", "vip_divan"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_transcript_passes(shipped: Story, path: Path) -> None:
    result = run(shipped, path)
    failure = result.failure
    assert failure is None, (
        f"{path.name}:{failure.line} step {failure.step} ({failure.title})\n"
        f"{failure.diff}\n{failure.context}"
    )


def test_diana_test_on_the_shipped_story() -> None:
    result = runner.invoke(app, ["test", str(CONTENT)])
    assert result.exit_code == 0, result.output
    assert f"{len(SHIPPED)} passed, 0 failed" in result.output


def test_every_step_kind_and_check(tmp_path: Path) -> None:
    content = story_with(tmp_path, {"good.yaml": GOOD})
    result = runner.invoke(app, ["test", str(content)])
    assert result.exit_code == 0, result.output
    assert "PASS" in result.output and "the whole way (10 steps)" in result.output


def test_a_mismatch_prints_a_unified_diff(tmp_path: Path) -> None:
    wrong = "steps:\n  - choose: Pasar\n    expect: {fragment: sala, points: 99}\n"
    content = story_with(tmp_path, {"good.yaml": GOOD, "wrong.yaml": wrong})
    result = runner.invoke(app, ["test", str(content)])
    assert result.exit_code == 1
    out = result.output
    assert "FAIL" in out and "wrong.yaml:2" in out and "step 1 (choose: Pasar)" in out
    assert "--- expected" in out and "+++ actual" in out
    assert "-points: 99" in out and "+points: 10" in out and " fragment: sala" in out
    assert "1 passed, 1 failed" in out


def test_a_missing_button_and_an_unexpected_refusal(tmp_path: Path) -> None:
    missing = "steps:\n  - choose: Salir\n"
    refused = "steps:\n  - choose: Subir\n"
    content = story_with(tmp_path, {"missing.yaml": missing, "refused.yaml": refused})
    out = runner.invoke(app, ["test", str(content)]).output
    assert "-- Salir" in out and "+- Pasar" in out and "+- Subir" in out
    assert "-outcome: moved" in out and "+outcome: vip_locked" in out


def test_malformed_transcripts_are_explained(tmp_path: Path) -> None:
    cases = {
        "typo.yaml": "steps:\n  - chose: Pasar\n",
        "check.yaml": "steps:\n  - expect: {fragmnt: inicio}\n",
        "setting.yaml": "vipp: true\nsteps: []\n",
        "shape.yaml": "- choose: Pasar\n",
    }
    out = runner.invoke(app, ["test", str(story_with(tmp_path, cases))]).output
    assert "unknown step key 'chose'; did you mean 'choose'?" in out
    assert "unknown check 'fragmnt' (did you mean 'fragment'?)" in out
    assert "unknown setting 'vipp'; did you mean 'vip'?" in out
    assert "a mapping with a list of `steps:`" in out
    assert "0 passed, 4 failed" in out


def test_paths_and_settings(tmp_path: Path) -> None:
    vip = "vip: true\npoints: 40\nlang: en\nstart: sala\nsteps:\n"
    vip += "  - expect: {vip: true, points: 40, fragment: sala, text contains: A room}\n"
    content = story_with(tmp_path, {"vip.yaml": vip, "_profiles.yaml": "profiles: {}\n"})
    story_dir, files = transcripts(content)
    assert story_dir == content and [f.name for f in files] == ["vip.yaml"]
    assert transcripts(content / "tests") == (content, files)
    assert transcripts(files[0]) == (content, files)
    assert runner.invoke(app, ["test", str(files[0])]).exit_code == 0
    # the tests folder is not part of the story: validate ignores it
    assert runner.invoke(app, ["validate", str(content)]).exit_code == 0
    assert load_story(content).files == len(list(content.rglob("*.yaml"))) - 2


def test_no_transcripts_is_a_failure(tmp_path: Path) -> None:
    content = story_with(tmp_path, {})
    result = runner.invoke(app, ["test", str(content)])
    assert result.exit_code == 1 and "no transcripts" in result.output


def test_help_and_subprocess() -> None:
    helped = runner.invoke(app, ["test", "--help"])
    assert helped.exit_code == 0 and "Example" in helped.output
    diana = Path(sys.executable).parent / "diana"
    proc = subprocess.run(
        [str(diana), "test", str(CONTENT)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 failed" in proc.stdout


def readme_transcript() -> str:
    """The example golden transcript in README.md (its only YAML block starting `name:`)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```yaml\n(name: .*?)^```$", readme, flags=re.MULTILINE | re.DOTALL)
    assert len(blocks) == 1, "README.md should show one example transcript"
    return blocks[0]


def test_the_readme_example_transcript_passes(shipped: Story, tmp_path: Path) -> None:
    path = tmp_path / "readme_example.yaml"
    path.write_text(readme_transcript(), encoding="utf-8")
    result = run(shipped, path)
    failure = result.failure
    assert failure is None, (
        f"README example, step {failure.step} ({failure.title})\n{failure.diff}\n{failure.context}"
    )
    assert result.steps >= 3


def test_the_readme_shows_buttons_as_telegram_does() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "— VIP, El Diván" not in readme  # the old preview-only wording
    assert "2. 🔒 Seguirla al Diván · El Diván" in readme
