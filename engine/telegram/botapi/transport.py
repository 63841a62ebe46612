"""The HTTP side of the fake: reading requests as Telegram does, and its error bodies.

Also the records a test reads afterwards: each `Call` the bot made and each `Violation` of
the spec, by the bot's requests or by what the fake itself generated.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web

from engine.telegram.botapi.spec_values import UploadedFile
from engine.telegram.botapi.state import JsonDict

FAULT_TEXT = {
    400: "Bad Request",
    403: "Forbidden: bot was blocked by the user",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass(frozen=True)
class Violation:
    method: str
    problems: tuple[str, ...]

    def __str__(self) -> str:
        return "; ".join(self.problems)  # each problem already names its method


@dataclass(frozen=True)
class Call:
    """One request as the bot sent it (raw params) and how the fake answered it."""

    method: str
    params: dict[str, object]
    status: int


@dataclass(frozen=True)
class Fault:
    status: int
    description: str
    retry_after: int | None


async def read_params(
    request: web.Request,
) -> tuple[dict[str, object], dict[str, UploadedFile]]:
    """Query, JSON body or form fields, with `attach://name` resolved to the uploaded part."""
    params: dict[str, object] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.can_read_body:
        if request.content_type == "application/json":
            body = json.loads(await request.text() or "{}")
            if isinstance(body, dict):
                params.update(body)
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = UploadedFile(value.filename, value.file.read())
                else:
                    params[key] = value
    return params, files


def attach_files(
    params: dict[str, object], files: Mapping[str, UploadedFile], fields: Mapping[str, object]
) -> None:
    """Resolve `attach://name` values; a part named after a field is that field (curl style)."""
    for key, raw in list(params.items()):
        if isinstance(raw, str) and raw.startswith("attach://"):
            attached = files.get(raw.removeprefix("attach://"))
            if attached is not None:
                params[key] = attached
    for key, attached in files.items():
        if key in fields:
            params.setdefault(key, attached)


def error_response(code: int, description: str, parameters: JsonDict | None = None) -> web.Response:
    body: JsonDict = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=code)
