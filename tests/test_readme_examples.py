"""The README's "Content reference by example" is a real story, so it cannot drift.

Each example is a YAML block right after a marker `<!-- example: PATH -->` (PATH inside
`content/`). `<!-- example: PATH (excerpt) -->` marks part of a file: it is laid over the
shipped file of that path. Written into a fresh content folder, with an empty file for each
media path they name, the examples must pass `diana validate` and `diana lint --strict`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from cli.main import app
from engine.content.model import FILE_KINDS

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"
MARKER = "<!-- example:"
EXAMPLE = re.compile(
    r"<!-- example: (?P<path>\S+?)(?P<excerpt> \(excerpt\))? -->\n```yaml\n(?P<body>.*?)\n```",
    re.DOTALL,
)
MEDIA_KINDS = ("photo", "video", "voice", "animation")
runner = CliRunner()


def examples() -> list[tuple[str, str, bool]]:
    """(path, YAML text, is an excerpt) for every marked block of the README, in order."""
    text = README.read_text(encoding="utf-8")
    return [(m["path"], m["body"], bool(m["excerpt"])) for m in EXAMPLE.finditer(text)]


def merged(base: Any, over: Any) -> Any:
    """`over` laid over `base`: mappings merge key by key, anything else is replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        return {**base, **{k: merged(base.get(k), v) for k, v in over.items()}}
    return over


def media_paths(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        media = node.get("media")
        if isinstance(media, dict):
            yield from (str(media[k]) for k in MEDIA_KINDS if k in media)
        for value in node.values():
            yield from media_paths(value)
    elif isinstance(node, list):
        for item in node:
            yield from media_paths(item)


def build(dest: Path) -> Path:
    content = dest / "content"
    for path, body, excerpt in examples():
        target = content / path
        target.parent.mkdir(parents=True, exist_ok=True)
        data = yaml.safe_load(body)
        text = body
        if excerpt:
            shipped = ROOT / "content" / path
            assert shipped.is_file(), f"{path} (excerpt): no shipped file to lay it over"
            data = merged(yaml.safe_load(shipped.read_text(encoding="utf-8")), data)
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        target.write_text(text + "\n", encoding="utf-8")
        for media in media_paths(data):
            (content / media).parent.mkdir(parents=True, exist_ok=True)
            (content / media).write_bytes(b"placeholder")
    return content


def test_every_marker_precedes_a_yaml_block() -> None:
    text = README.read_text(encoding="utf-8")
    assert text.count(MARKER) == len(examples()), "a marker is not followed by a ```yaml block"


def test_one_example_per_file_kind() -> None:
    found = examples()
    paths = [path for path, _, _ in found]
    assert len(paths) == len(set(paths)), f"two examples for the same file: {paths}"
    kinds = {yaml.safe_load(body)["kind"] for _, body, _ in found}
    assert kinds == set(FILE_KINDS), f"missing: {set(FILE_KINDS) - kinds}"


@pytest.mark.parametrize("command", [["validate"], ["lint", "--strict"]])
def test_readme_examples_form_a_clean_story(tmp_path: Path, command: list[str]) -> None:
    content = build(tmp_path)
    result = runner.invoke(app, [*command, str(content)])
    assert result.exit_code == 0, result.output
