"""Generate the editors' JSON Schemas (2020-12) from the content model.

The schemas are committed under `schemas/` so editors can use them without installing
anything; a test regenerates them and fails on any difference, so they never drift from the
model the loader validates with.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.content.model import FILE_KINDS

SCHEMA_BASE = "https://diana.example/schemas/"


def schema_for(kind: str) -> dict[str, Any]:
    model = FILE_KINDS[kind]
    body = model.model_json_schema(by_alias=True, mode="validation")
    head: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE}{kind}.schema.json",
        "title": f"Diana {kind} file",
    }
    return {**head, **body}


def render(kind: str) -> str:
    return json.dumps(schema_for(kind), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def export_schemas(out: Path, *, check: bool = False) -> list[str]:
    """Write every schema into `out`; with `check`, only list the files that differ."""
    stale = []
    if not check:
        out.mkdir(parents=True, exist_ok=True)
    for kind in FILE_KINDS:
        target = out / f"{kind}.schema.json"
        text = render(kind)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        stale.append(target.name)
        if not check:
            target.write_text(text, encoding="utf-8")
    return stale
