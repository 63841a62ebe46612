"""The official Bot API spec as data, used to check every request the bot sends.

The spec (PaulSonOfLars/telegram-bot-api-spec format) lists each method's fields with their
type names and whether they are required, and each object type's fields. Checking requests
against it catches typos, missing fields and wrong types that a hand-written fake would accept.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from engine.telegram.botapi.limits import limit_problems
from engine.telegram.botapi.spec_values import (
    UploadedFile,
    describe,
    loose_scalar,
    object_keys,
    parse_form_string,
)

__all__ = ["SPEC_ENV", "BotApiSpec", "Field", "UploadedFile", "default_spec_path"]

SPEC_ENV = "DIANA_BOT_API_SPEC"
SPEC_NAME = "bot-api-10.1.min.json"

# Fields aiogram 3.31 sends that Bot API 10.1 no longer lists. Each entry is one field, allowed
# for the methods that may carry it, so the rest of the check stays strict.
EXTRA_FIELDS: Mapping[str, frozenset[str]] = {
    # Deprecated since Bot API 7.0 and dropped from the 10.1 field table, but aiogram still
    # sends it when DefaultBotProperties(link_preview_is_disabled=...) is set. Telegram accepts it.
    "sendMessage": frozenset({"disable_web_page_preview"}),
    "editMessageText": frozenset({"disable_web_page_preview"}),
}

# A subtype's tag: 'must be "photo"', 'must be chat' or 'always "creator"' in a required field.
# Fields of objects Telegram sends that are newer than Bot API 10.1 and that aiogram 3.31
# (built for Bot API 10.3) requires, so the fake's answers carry them and aiogram can parse.
NEWER_FIELDS: Mapping[str, frozenset[str]] = {
    "ChatMemberAdministrator": frozenset({"can_send_welcome_messages"}),
}

_TAG_RE = re.compile(r"must be \"?([\w-]+)\"?|always \"([\w-]+)\"")
_QUOTED_RE = re.compile(r'"([^"]+)"')


@dataclass(frozen=True)
class Field:
    name: str
    types: tuple[str, ...]
    required: bool


VENDORED = Path(__file__).resolve().parent / "data" / SPEC_NAME
"""A copy shipped with the package (MIT, see data/LICENSE-bot-api-spec), so the checks run on
any checkout; a test keeps it identical to the team's shared copy where that exists."""


def shared_spec_path() -> Path:
    """The team's copy at `../shared/telegram/` next to the repo root."""
    repo_root = Path(__file__).resolve().parents[3]
    return repo_root.parent / "shared" / "telegram" / SPEC_NAME


def default_spec_path() -> Path:
    """`$DIANA_BOT_API_SPEC`, else the shared copy if present, else the vendored one."""
    env = os.environ.get(SPEC_ENV)
    if env:
        return Path(env)
    shared = shared_spec_path()
    return shared if shared.is_file() else VENDORED


class BotApiSpec:
    """Methods and types of one Bot API version, with request validation and decoding."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.version: str = str(data.get("version", "?"))
        self.methods: dict[str, dict[str, Field]] = {
            name: _fields(body) for name, body in data["methods"].items()
        }
        self.types: dict[str, dict[str, Field]] = {
            name: _fields(body) for name, body in data["types"].items()
        }
        self._required: dict[str, tuple[str, ...]] = {
            name: tuple(f.name for f in fields.values() if f.required)
            for name, fields in self.types.items()
        }
        self.subtypes: dict[str, tuple[str, ...]] = {
            name: tuple(body["subtypes"])
            for name, body in data["types"].items()
            if body.get("subtypes")
        }
        self.returns: dict[str, tuple[str, ...]] = {
            name: tuple(body.get("returns", ())) for name, body in data["methods"].items()
        }
        self._descriptions: dict[tuple[str, str], str] = {
            (name, f["name"]): " ".join(f.get("description", "").split())
            for name, body in data["types"].items()
            for f in body.get("fields", [])
        }
        self._discriminators: dict[str, tuple[str, str]] = {}
        for name, body in data["types"].items():
            for field in body.get("fields", []):
                match = _TAG_RE.search(field.get("description", ""))
                if field.get("required") and match:
                    self._discriminators[name] = (field["name"], match.group(1) or match.group(2))
                    break

    @classmethod
    def load(cls, path: Path | None = None) -> BotApiSpec:
        return _load_cached(path or default_spec_path())

    def canonical_method(self, name: str) -> str | None:
        """Telegram matches method names case-insensitively."""
        if name in self.methods:
            return name
        lowered = name.lower()
        return next((m for m in self.methods if m.lower() == lowered), None)

    def validate_request(self, method: str, params: Mapping[str, object]) -> list[str]:
        """Problems with one request: [] means Telegram would accept its shape and limits."""
        return self.decode_request(method, params)[1]

    def decode_request(
        self, method: str, params: Mapping[str, object]
    ) -> tuple[dict[str, object], list[str]]:
        """Typed parameters (form strings parsed, JSON fields decoded) and the problems found."""
        canonical = self.canonical_method(method)
        if canonical is None:
            return {}, [f"unknown method {method!r}"]
        fields = self.methods[canonical]
        allowed_extra = EXTRA_FIELDS.get(canonical, frozenset())
        problems: list[str] = []
        decoded: dict[str, object] = {}
        for name, value in params.items():
            field = fields.get(name)
            if field is None:
                if name in allowed_extra:
                    decoded[name] = loose_scalar(value)
                else:
                    problems.append(f"{canonical}: unknown field {name!r}")
                continue
            decoded[name] = self._check(value, field.types, f"{canonical}.{name}", True, problems)
        for field in fields.values():
            if field.required and field.name not in params:
                problems.append(f"{canonical}: missing required field {field.name!r}")
        if not problems:
            problems.extend(limit_problems(canonical, decoded))
        return decoded, problems

    def validate_object(self, type_name: str, value: object) -> list[str]:
        """Problems with an object the fake builds (an Update, a Message...): [] if well-formed."""
        problems: list[str] = []
        self._check(value, (type_name,), type_name, False, problems)
        return problems

    def validate_result(self, method: str, result: object) -> list[str]:
        """Problems with a method's result, checked against the type the spec says it returns."""
        canonical = self.canonical_method(method) or method
        types = self.returns.get(canonical, ())
        if not types:
            return [f"{method}: the spec names no result type"]
        problems: list[str] = []
        self._check(result, types, f"{canonical} result", False, problems)
        return problems

    def quoted_values(self, type_name: str, field: str) -> frozenset[str]:
        """Values a field's description lists in quotes (the emoji a reaction may use...)."""
        text = self._descriptions.get((type_name, field), "")
        return frozenset(_QUOTED_RE.findall(text))

    def _check(
        self, value: object, types: tuple[str, ...], path: str, top: bool, problems: list[str]
    ) -> object:
        """Return the value decoded as the first type it matches; record a problem if none."""
        trials: list[tuple[str, list[str]]] = []
        for type_name in types:
            trial: list[str] = []
            result = self._check_one(value, type_name, path, top, trial)
            if not trial:
                return result
            trials.append((type_name, trial))
        # A value of the wrong kind gets the whole union named; an object of the right kind
        # with a bad part (a button without text) gets that part's problems, judged by which
        # candidate type shares the most field names with it.
        shallow = f"{path}: expected "
        deep = [t for t in trials if not (len(t[1]) == 1 and t[1][0].startswith(shallow))]
        if len(types) == 1 or deep:
            keys = object_keys(value)
            best = min(
                deep or trials,
                key=lambda t: (-len(keys & self.types.get(t[0], {}).keys()), len(t[1])),
            )
            problems.extend(best[1])
        else:
            expected = " or ".join(types)
            problems.append(f"{path}: expected {expected}, got {describe(value)}")
        return value

    def _check_one(
        self, value: object, type_name: str, path: str, top: bool, problems: list[str]
    ) -> object:
        # Form posts carry every scalar as a string and every object as a JSON string.
        if top and isinstance(value, str) and type_name not in ("String", "InputFile"):
            parsed = parse_form_string(value, type_name)
            if parsed is None:
                problems.append(f"{path}: expected {type_name}, got {describe(value)}")
                return value
            value = parsed
        if type_name.startswith("Array of "):
            inner = type_name.removeprefix("Array of ")
            if not isinstance(value, list):
                problems.append(f"{path}: expected {type_name}, got {describe(value)}")
                return value
            return [
                self._check(item, (inner,), f"{path}[{i}]", False, problems)
                for i, item in enumerate(value)
            ]
        if type_name == "String":
            ok = isinstance(value, str)
        elif type_name == "Integer":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif type_name == "Float":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        elif type_name == "Boolean":
            ok = isinstance(value, bool)
        elif type_name == "InputFile":
            ok = isinstance(value, UploadedFile)
        elif type_name in self.types:
            return self._check_object(value, type_name, path, problems)
        else:
            problems.append(f"{path}: spec names unknown type {type_name!r}")
            return value
        if not ok:
            problems.append(f"{path}: expected {type_name}, got {describe(value)}")
        return value

    def _check_object(
        self, value: object, type_name: str, path: str, problems: list[str]
    ) -> object:
        if not isinstance(value, dict):
            problems.append(f"{path}: expected {type_name} object, got {describe(value)}")
            return value
        if type_name in self.subtypes:
            return self._check_union(value, type_name, path, problems)
        fields = self.types[type_name]
        decoded: dict[str, object] = {}
        for name, item in value.items():
            field = fields.get(name)
            if field is None and name in NEWER_FIELDS.get(type_name, ()):
                decoded[name] = item
                continue
            if field is None:
                problems.append(f"{path}: unknown field {name!r} for {type_name}")
                continue
            decoded[name] = self._check(item, field.types, f"{path}.{name}", False, problems)
        for name in self._required[type_name]:
            if name not in value:
                problems.append(f"{path}: missing required field {name!r} of {type_name}")
        return decoded

    def _check_union(
        self, value: dict[str, object], type_name: str, path: str, problems: list[str]
    ) -> object:
        """Abstract types (BotCommandScope, InputMedia...) pick a subtype by its tag field."""
        for subtype in self.subtypes[type_name]:
            tag = self._discriminators.get(subtype)
            if tag is not None and value.get(tag[0]) == tag[1]:
                return self._check_object(value, subtype, path, problems)
        for subtype in self.subtypes[type_name]:
            if subtype in self._discriminators:
                continue  # its tag did not match above
            trial: list[str] = []
            result = self._check_object(value, subtype, path, trial)
            if not trial:
                return result
        problems.append(f"{path}: matches no subtype of {type_name}")
        return value


def _fields(body: Mapping[str, Any]) -> dict[str, Field]:
    return {
        f["name"]: Field(f["name"], tuple(f["types"]), bool(f["required"]))
        for f in body.get("fields", [])
    }


@cache
def _load_cached(path: Path) -> BotApiSpec:
    with path.open(encoding="utf-8") as handle:
        return BotApiSpec(json.load(handle))
