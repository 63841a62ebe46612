"""Value helpers for the spec check: form-string parsing and how values are described.

Kept apart from `spec.py` so the checker itself stays readable; nothing here knows the spec.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_INT_RE = re.compile(r"-?\d+")


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part: stands for an InputFile in the request parameters."""

    filename: str
    content: bytes


def parse_form_string(raw: str, type_name: str) -> object | None:
    """A form field's string as `type_name` (objects and arrays arrive as JSON), or None."""
    if type_name == "Integer":
        return int(raw) if _INT_RE.fullmatch(raw) else None
    if type_name == "Float":
        try:
            return float(raw)
        except ValueError:
            return None
    if type_name == "Boolean":
        return {"true": True, "false": False}.get(raw.lower())
    try:
        decoded: object = json.loads(raw)
    except ValueError:
        return None
    return decoded


def object_keys(value: object) -> set[str]:
    """Keys of an object, also when it arrives as a JSON string in a form post."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return set()
    return {str(k) for k in value} if isinstance(value, dict) else set()


def loose_scalar(value: object) -> object:
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def describe(value: object) -> str:
    if isinstance(value, UploadedFile):
        return "an uploaded file"
    text = repr(value)
    shown = text if len(text) <= 40 else text[:37] + "..."
    return f"{type(value).__name__} {shown}"
