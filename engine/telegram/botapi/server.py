"""`FakeBotAPI`: a local Telegram Bot API server that the real aiogram `Bot` talks to.

It listens on 127.0.0.1 at a random port and serves `/bot{token}/{method}` like
api.telegram.org. Every request is checked against the official spec first; a violation is
answered with 400 (404 for an unknown method) and recorded in `violations`, so a test fails
even when the bot swallows the error.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from engine.telegram.botapi.methods import HANDLERS, ApiError, get_updates
from engine.telegram.botapi.spec import BotApiSpec, UploadedFile
from engine.telegram.botapi.state import BotState, JsonDict, User
from engine.telegram.botapi.users import ScriptedUser

DEFAULT_TOKEN = "123456789:TEST-diana-fake-bot-api"  # noqa: S105 (a fake, not a secret)
_FAULT_TEXT = {
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
class _Fault:
    status: int
    description: str
    retry_after: int | None


class FakeBotAPI:
    """The server, its Telegram state, fault injection and scripted users."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        spec: BotApiSpec | None = None,
        spec_path: Path | None = None,
        bot_username: str = "diana_test_bot",
    ) -> None:
        self.token = token
        self.spec = spec or BotApiSpec.load(spec_path)
        bot_id = int(token.split(":", 1)[0])
        self.state = BotState(bot=User(bot_id, "Diana", bot_username, is_bot=True))
        self.violations: list[Violation] = []
        self.calls: list[Call] = []
        self._faults: dict[str, deque[_Fault]] = {}
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._closing = False
        self._inflight = 0
        self._last_activity = time.monotonic()

    # lifecycle

    async def start(self) -> Self:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        self._closing = True
        self.state.new_update.set()  # wake long polls so shutdown does not wait for them
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """Base URL for aiogram's `TelegramAPIServer.from_base(url)`."""
        if not self._port:
            raise RuntimeError("FakeBotAPI is not started")
        return f"http://127.0.0.1:{self._port}"

    # test controls

    def user(
        self, id: int, first_name: str = "Test", *, username: str | None = None
    ) -> ScriptedUser:
        """A scripted user with a private chat, whose id equals the user id."""
        person = User(id, first_name, username)
        self.state.add_user(person)
        return ScriptedUser(self.state, person)

    def fail_next(
        self,
        method: str,
        status: int = 429,
        *,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """Answer the next valid call of `method` with an error, once (queue several calls)."""
        if status == 429 and retry_after is None:
            retry_after = 2
        text = description or _FAULT_TEXT.get(status, f"Error {status}")
        fault = _Fault(status, text.format(retry_after=retry_after), retry_after)
        self._faults.setdefault(method, deque()).append(fault)

    def take_violations(self) -> list[Violation]:
        """Violations so far, cleared: for tests that provoke them on purpose."""
        taken, self.violations = self.violations, []
        return taken

    def assert_no_violations(self) -> None:
        if self.violations:
            lines = "\n".join(f"  - {v}" for v in self.violations)
            raise AssertionError(f"requests broke the Bot API spec:\n{lines}")

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_idle(self, timeout: float = 5.0, settle: float = 0.05) -> None:
        """Wait until the bot fetched every update and has made no call for `settle` seconds.

        The bot handles updates in its own tasks, so "idle" can only be observed from outside:
        nothing pending, nothing in flight, and a short quiet period.
        """
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            quiet = now - self._last_activity >= settle
            if self.state.all_delivered and self._inflight == 0 and quiet:
                return
            if now >= deadline:
                raise TimeoutError(
                    f"bot not idle after {timeout}s: {self._inflight} call(s) in flight, "
                    f"updates delivered up to {self.state.delivered_update_id} "
                    f"of {self.state.last_update_id}"
                )
            await asyncio.sleep(0.01)

    # HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        name = request.match_info["method"]
        params, files = await _read_params(request)
        method = self.spec.canonical_method(name) or name
        # A part named after a field is that field (curl style); others are attach:// targets.
        fields = self.spec.methods.get(method, {})
        for key, attached in files.items():
            if key in fields:
                params.setdefault(key, attached)
        polling = method == "getUpdates"
        if not polling:
            self._inflight += 1
            self._last_activity = time.monotonic()
        try:
            response = await self._respond(method, params)
        finally:
            if not polling:
                self._inflight -= 1
            self._last_activity = time.monotonic()
        self.calls.append(Call(method, params, response.status))
        return response

    async def _respond(self, method: str, params: dict[str, object]) -> web.Response:
        decoded, problems = self.spec.decode_request(method, params)
        if problems:
            self.violations.append(Violation(method, tuple(problems)))
            if method not in self.spec.methods:
                return _error(404, "Not Found")
            return _error(400, "Bad Request: " + "; ".join(problems))
        faults = self._faults.get(method)
        if faults:
            fault = faults.popleft()
            extra = {"retry_after": fault.retry_after} if fault.retry_after else None
            return _error(fault.status, fault.description, extra)
        handler = HANDLERS.get(method)
        if handler is None:
            self.violations.append(Violation(method, ("not implemented by FakeBotAPI",)))
            return _error(501, f"Not Implemented: {method} is not modelled by FakeBotAPI")
        try:
            if method == "getUpdates":
                result: Any = await self._long_poll(decoded)
            else:
                result = await handler(self.state, decoded)
        except ApiError as error:
            return _error(error.code, error.description, error.parameters)
        return web.json_response({"ok": True, "result": result})

    async def _long_poll(self, params: dict[str, Any]) -> list[JsonDict]:
        deadline = time.monotonic() + float(params.get("timeout", 0))
        while True:
            updates = await get_updates(self.state, params)
            remaining = deadline - time.monotonic()
            if updates or self._closing or remaining <= 0:
                return updates
            try:
                await asyncio.wait_for(self.state.new_update.wait(), remaining)
            except TimeoutError:
                return []

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        file_id = request.match_info["path"].removeprefix("files/")
        content = self.state.files.get(file_id)
        if content is None:
            return _error(404, "Not Found")
        return web.Response(body=content)


async def _read_params(
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
    for key, raw in list(params.items()):
        if isinstance(raw, str) and raw.startswith("attach://"):
            attached = files.get(raw.removeprefix("attach://"))
            if attached is not None:
                params[key] = attached
    return params, files


def _error(code: int, description: str, parameters: JsonDict | None = None) -> web.Response:
    body: JsonDict = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=code)
