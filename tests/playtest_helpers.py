"""Shared by the playtest tests (imported by name: pytest puts this dir on sys.path): a story
folder made of the `_base` files plus one chapter, loading it, and `diana playtest` as JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from engine.content import Story, load_story

ROOT = Path(__file__).parent.parent
BASE = ROOT / "tests" / "stories" / "_base"
runner = CliRunner()


def story_dir(tmp_path: Path, chapter: str) -> Path:
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    (content / "chapters" / "main.yaml").write_text(chapter, encoding="utf-8")
    return content


def load(path: Path) -> Story:
    result = load_story(path)
    assert result.story is not None and result.ok, [str(d) for d in result.diagnostics.sorted()]
    return result.story


def playtest_json(*args: str) -> tuple[int, dict[str, object]]:
    result = runner.invoke(app, ["playtest", *args, "--format", "json"])
    assert result.exit_code in {0, 1}, result.output
    return result.exit_code, json.loads(result.output)
