"""Every property of every editors' schema has a description: it is the writer's hover help.

The descriptions come from `Field(description=...)` in `engine/content/model.py`; a new field
without one fails here, naming the schema and the path to the property.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from engine.content.model import FILE_KINDS
from engine.content.schema_export import schema_for


def properties(node: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """Every (path, schema) of a property anywhere in `node`, `$defs` included."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            for name, sub in props.items():
                yield f"{where}.{name}", sub
        for key, value in node.items():
            yield from properties(value, where if key == "properties" else f"{where}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from properties(item, f"{where}[{i}]")


@pytest.mark.parametrize("kind", sorted(FILE_KINDS))
def test_every_property_has_hover_help(kind: str) -> None:
    found = list(properties(schema_for(kind)))
    assert found, f"{kind}: no properties found; the walker is broken"
    missing = [
        path
        for path, sub in found
        if not (isinstance(sub, dict) and str(sub.get("description", "")).strip())
    ]
    assert not missing, (
        f"{kind}.schema.json: properties without a description (add Field(description=...) "
        f"in engine/content/model.py, then run `diana schemas`): {', '.join(missing)}"
    )


def test_the_walker_sees_nested_definitions() -> None:
    paths = {path for path, _ in properties(schema_for("chapter"))}
    assert "/$defs/Media.photo" in paths
    assert "/$defs/Choice.cost" in paths
    assert ".fragments" in paths
