"""Every diagnostic code has a fixture that triggers it at a known line (the catalogue's
failing example), and the shared base story is itself clean.

A fixture is `tests/diagnostics/<CODE>/`: files laid over `_base/` (`_delete.txt` names base
files to remove, `_generate.txt` files to generate) and `expected.txt`, the exact places
(`path:line CODE`) where the code must appear. Any other error in a fixture fails it too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.content import load_story
from engine.content.catalogue import CATALOGUE
from engine.content.diagnostics import Severity

FIXTURES = Path(__file__).parent / "diagnostics"
BASE = FIXTURES / "_base"
CODES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("_"))


def build(code: str, dest: Path) -> Path:
    """The base story with the fixture's files laid over it (and `_delete.txt` removed)."""
    content = dest / "content"
    shutil.copytree(BASE, content)
    fixture = FIXTURES / code
    for src in fixture.rglob("*"):
        rel = src.relative_to(fixture)
        if src.is_dir() or rel.name in {"expected.txt", "_delete.txt", "_generate.txt"}:
            continue
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, content / rel)
    deletions = fixture / "_delete.txt"
    if deletions.exists():
        for name in deletions.read_text().split():
            (content / name).unlink()
    generate = fixture / "_generate.txt"
    if generate.exists():  # files too large to commit: `path size` makes a comment-only file
        for line in generate.read_text().splitlines():
            name, size = line.split()
            padding = b"# padding\n" * (int(size) // 10 + 1)
            (content / name).write_bytes(b"kind: chapter\n" + padding)
    return content


def expected(code: str) -> set[tuple[str, int, str]]:
    out = set()
    for line in (FIXTURES / code / "expected.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            where, found = line.split()
            path, lineno = where.rsplit(":", 1)
            out.add((path, int(lineno), found))
    return out


def test_every_code_has_a_fixture() -> None:
    missing = sorted(set(CATALOGUE) - set(CODES))
    assert not missing, f"codes without a fixture under tests/diagnostics/: {missing}"


def test_every_fixture_names_a_real_code() -> None:
    assert set(CODES) <= set(CATALOGUE)


def test_base_story_is_clean(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    result = load_story(content)
    assert [str(d) for d in result.diagnostics.sorted()] == []
    assert result.story is not None


@pytest.mark.parametrize("code", CODES)
def test_fixture_yields_its_code(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = build(code, tmp_path)
    monkeypatch.chdir(content)
    result = load_story(Path("."))
    want = expected(code)
    got = {
        (d.position.path, d.position.line, d.code)
        for d in result.diagnostics
        if d.code == code or (d.severity is Severity.ERROR and d.code not in {w[2] for w in want})
    }
    assert got == want, "\n".join(str(d) for d in result.diagnostics.sorted())
