"""`FakeBotAPI`: a local Telegram Bot API server that the real aiogram `Bot` talks to.

It listens on 127.0.0.1 at a random port and serves `/bot{token}/{method}` like
api.telegram.org. Every request is checked against the official spec first; a violation is
answered with 400 (404 for an unknown method) and recorded in `violations`, so a test fails
even when the bot swallows the error. What the fake answers and every update it sends are
checked against the spec too, and recorded as violations if they ever stray from it.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from engine.telegram.botapi import methods, methods_chats, methods_payments, methods_webhook
from engine.telegram.botapi.controls import WorldControls
from engine.telegram.botapi.errors import ApiError, Handler
from engine.telegram.botapi.spec import BotApiSpec, UploadedFile
from engine.telegram.botapi.state import BotState, JsonDict, User, update_kind
from engine.telegram.botapi.transport import (
    FAULT_TEXT,
    Call,
    Fault,
    Violation,
    attach_files,
    error_response,
    read_params,
)
from engine.telegram.botapi.webhook import WebhookDelivery

__all__ = ["DEFAULT_TOKEN", "HANDLERS", "Call", "FakeBotAPI", "Violation"]

DEFAULT_TOKEN = "123456789:TEST-diana-fake-bot-api"  # noqa: S105 (a fake, not a secret)
HANDLERS: dict[str, Handler] = {
    **methods.HANDLERS,
    **methods_chats.HANDLERS,
    **methods_payments.HANDLERS,
    **methods_webhook.HANDLERS,
}
POLL_ENDED_BY_WEBHOOK = "Conflict: terminated by setWebhook request"


class FakeBotAPI(WorldControls):
    """The server, its Telegram state, fault injection, scripted users, groups and channels."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        spec: BotApiSpec | None = None,
        spec_path: Path | None = None,
        bot_username: str = "diana_test_bot",
        clock: Callable[[], float] | None = None,
        check_results: bool = True,
    ) -> None:
        self.token = token
        self.spec = spec or BotApiSpec.load(spec_path)
        bot_id = int(token.split(":", 1)[0])
        self.state = BotState(bot=User(bot_id, "Diana", bot_username, is_bot=True))
        self.state.reaction_emojis = self.spec.quoted_values("ReactionTypeEmoji", "emoji")
        if clock is not None:
            self.state.clock = clock  # dates in messages and updates, expiry of links...
        self.check_results = check_results
        self.violations: list[Violation] = []
        self.calls: list[Call] = []
        self.webhooks = WebhookDelivery(self.state, self._check_update, self._execute)
        self._faults: dict[str, deque[Fault]] = {}
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._closing = False
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._last_fetch = 0.0  # when getUpdates last handed out updates
        self._last_call = 0.0  # when a call other than getUpdates last ended

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
        await self.webhooks.start()
        return self

    async def stop(self) -> None:
        self._closing = True
        self.state.new_update.set()  # wake long polls so shutdown does not wait for them
        await self.webhooks.stop()
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
        text = description or FAULT_TEXT.get(status, f"Error {status}")
        fault = Fault(status, text.format(retry_after=retry_after), retry_after)
        self._faults.setdefault(method, deque()).append(fault)

    def take_violations(self) -> list[Violation]:
        """Violations so far, cleared: for tests that provoke them on purpose."""
        taken, self.violations = self.violations, []
        return taken

    def assert_no_violations(self) -> None:
        if self.violations:
            lines = "\n".join(f"  - {v}" for v in self.violations)
            raise AssertionError(
                f"requests (or the fake's answers) broke the Bot API spec:\n{lines}"
            )

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_idle(
        self, timeout: float = 5.0, settle: float = 0.05, unanswered: float = 0.5
    ) -> None:
        """Wait until the bot fetched every update and has made no call for `settle` seconds.

        The bot handles updates in its own tasks, so "idle" can only be observed from outside:
        nothing pending (or being POSTed to a webhook), nothing in flight, a short quiet time.
        A bot that has not made a single call since it last fetched updates may simply not
        have been scheduled yet (a loaded CI machine): then it gets `unanswered` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            quiet = now - self._last_activity >= settle
            answered = self._last_call >= self._last_fetch
            patient = answered or now - self._last_fetch >= unanswered
            if self.state.all_delivered and self._inflight == 0 and quiet and patient:
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
            return error_response(401, "Unauthorized")
        params, files = await read_params(request)
        method = self.spec.canonical_method(request.match_info["method"])
        method = method or request.match_info["method"]
        attach_files(params, files, self.spec.methods.get(method, {}))
        polling = method == "getUpdates"
        if not polling:
            self._inflight += 1
            self._last_activity = time.monotonic()
        try:
            response = await self._respond(method, params)
        finally:
            if not polling:
                self._inflight -= 1
                self._last_call = time.monotonic()
            self._last_activity = time.monotonic()
        self.calls.append(Call(method, params, response.status))
        return response

    async def _respond(self, method: str, params: dict[str, object]) -> web.Response:
        decoded, problems = self.spec.decode_request(method, params)
        if problems:
            self.violations.append(Violation(method, tuple(problems)))
            if method not in self.spec.methods:
                return error_response(404, "Not Found")
            return error_response(400, "Bad Request: " + "; ".join(problems))
        faults = self._faults.get(method)
        if faults:
            fault = faults.popleft()
            extra = {"retry_after": fault.retry_after} if fault.retry_after else None
            return error_response(fault.status, fault.description, extra)
        handler = HANDLERS.get(method)
        if handler is None:
            self.violations.append(Violation(method, ("not implemented by FakeBotAPI",)))
            return error_response(501, f"Not Implemented: {method} is not modelled by FakeBotAPI")
        try:
            if method == "getUpdates":
                result: Any = await self._long_poll(decoded)
            else:
                result = await handler(self.state, decoded)
        except ApiError as error:
            return error_response(error.code, error.description, error.parameters)
        self._check_result(method, result)
        return web.json_response({"ok": True, "result": result})

    def _check_result(self, method: str, result: object) -> None:
        if not self.check_results:
            return
        if method == "getUpdates" and isinstance(result, list):
            for update in result:
                self._check_update(update)
            return
        problems = self.spec.validate_result(method, result)
        if problems:
            self.violations.append(Violation(method, tuple(f"FakeBotAPI: {p}" for p in problems)))

    def _check_update(self, update: JsonDict) -> None:
        """Every update the fake sends must be an Update with exactly one kind in it."""
        if not self.check_results:
            return
        problems = self.spec.validate_object("Update", update)
        if len(update) != 2:
            problems.append(f"Update: one kind per update, got {sorted(update)}")
        if problems:
            kind = update_kind(update) if len(update) > 1 else "?"
            tagged = tuple(f"FakeBotAPI sent a bad {kind} update: {p}" for p in problems)
            self.violations.append(Violation("Update", tagged))

    async def _execute(
        self, method: str, params: dict[str, object], files: dict[str, UploadedFile]
    ) -> None:
        """A method call answered in a webhook response: run it, the result goes nowhere."""
        name = self.spec.canonical_method(method) or method
        attach_files(params, files, self.spec.methods.get(name, {}))
        self._inflight += 1
        try:
            response = await self._respond(name, params)
        finally:
            self._inflight -= 1
            self._last_activity = self._last_call = time.monotonic()
        self.calls.append(Call(name, params, response.status))

    async def _long_poll(self, params: dict[str, Any]) -> list[JsonDict]:
        deadline = time.monotonic() + float(params.get("timeout", 0))
        updates = await methods.get_updates(self.state, params)
        while not updates and not self._closing:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            try:
                await asyncio.wait_for(self.state.new_update.wait(), remaining)
            except TimeoutError:
                return []
            if self.state.webhook is not None:
                raise ApiError(409, POLL_ENDED_BY_WEBHOOK)
            updates = await methods.get_updates(self.state, params)
        if updates:
            self._last_fetch = time.monotonic()
        return updates

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return error_response(401, "Unauthorized")
        file_id = request.match_info["path"].removeprefix("files/")
        content = self.state.files.get(file_id)
        if content is None:
            return error_response(404, "Not Found")
        return web.Response(body=content)
