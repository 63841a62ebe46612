"""Dependencies flow one way: content -> runtime -> adapters. Checked on the source, so a
stray import fails here even before ruff's banned-api rule runs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).parent.parent / "engine"

FORBIDDEN = {
    "content": ("aiogram", "sqlalchemy", "engine.runtime", "engine.persistence", "engine.telegram"),
    "runtime": (
        "aiogram",
        "sqlalchemy",
        "engine.persistence",
        "engine.telegram",
        "yaml",
        "pydantic",
    ),
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_outer_layers(package: str) -> None:
    bad = []
    for path in sorted((ENGINE / package).rglob("*.py")):
        for name in imports(path):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[package]):
                bad.append(f"{path.relative_to(ENGINE.parent)} imports {name}")
    assert not bad, "\n".join(bad)
