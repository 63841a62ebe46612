"""The editors' JSON Schemas are generated from the model and must never drift from it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from engine.content.loader import discover
from engine.content.model import FILE_KINDS
from engine.content.schema_export import export_schemas, render

ROOT = Path(__file__).parent.parent
SCHEMAS = ROOT / "schemas"


def test_committed_schemas_match_the_model() -> None:
    assert export_schemas(SCHEMAS, check=True) == [], "run `diana schemas` and commit the result"


@pytest.mark.parametrize("kind", sorted(FILE_KINDS))
def test_schema_is_valid_2020_12(kind: str) -> None:
    schema = json.loads(render(kind))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(f"{kind}.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)


def content_files() -> list[Path]:
    return discover(ROOT / "content")


@pytest.mark.parametrize("path", content_files(), ids=lambda p: p.name)
def test_shipped_content_passes_the_schemas_too(path: Path) -> None:
    """The schema editors see accepts exactly what the loader accepts on real content."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    schema = json.loads(render(data["kind"]))
    jsonschema.Draft202012Validator(schema).validate(data)
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("# yaml-language-server: $schema=")
    target = (path.parent / first_line.split("=", 1)[1]).resolve()
    assert target == (SCHEMAS / f"{data['kind']}.schema.json").resolve()


def test_schema_rejects_what_the_model_rejects() -> None:
    schema = json.loads(render("chapter"))
    bad = {
        "kind": "chapter",
        "id": "x",
        "title": "t",
        "fragments": [{"id": "a", "text": "b", "colour": "red"}],
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(bad)
