"""Webhook delivery: while a webhook is set, queued updates are POSTed to it one at a time.

As Telegram does: each update is a JSON body, with the `X-Telegram-Bot-Api-Secret-Token`
header when a secret was set; an answer other than 2xx (or no answer) is retried after a
backoff, and the same update is sent again until it is acknowledged, so order is kept. A 2xx
answer may carry a method call (`{"method": ...}` as JSON or a form), which Telegram runs.
The fake sends only to loopback addresses: a public URL must be routed to one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

import aiohttp

from engine.telegram.botapi.methods_webhook import is_loopback
from engine.telegram.botapi.spec_values import UploadedFile
from engine.telegram.botapi.state import BotState, JsonDict, WebhookConfig

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)

Check = Callable[[JsonDict], None]
Execute = Callable[[str, dict[str, object], dict[str, UploadedFile]], Awaitable[None]]


@dataclass(frozen=True)
class WebhookAttempt:
    """One POST of one update: the answer's status, or the error that stood for one."""

    update_id: int
    url: str
    status: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookDelivery:
    """The background task that POSTs updates while `state.webhook` is set."""

    def __init__(self, state: BotState, check: Check, execute: Execute) -> None:
        self.state = state
        self.check = check  # validates each update against the spec before it is sent
        self.execute = execute  # runs a method call found in a webhook's answer
        self.routes: dict[str, str] = {}
        self.attempts: list[WebhookAttempt] = []
        self.backoff = 0.05  # first retry delay in seconds, doubled up to max_backoff
        self.max_backoff = 1.0
        self.timeout = 10.0
        self._checked = 0  # update_id last checked: a retried update is checked once
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    def route(self, public_url: str, local_url: str) -> None:
        """Deliver what is sent to `public_url` (a prefix) to `local_url` on loopback."""
        if not is_loopback(local_url):
            raise ValueError(f"webhooks are delivered only to loopback, not {local_url!r}")
        self.routes[public_url] = local_url

    def target(self, url: str) -> str | None:
        for public, local in sorted(self.routes.items(), key=lambda r: -len(r[0])):
            if url.startswith(public):
                return local + url[len(public) :]
        return url if is_loopback(url) else None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        delay = self.backoff
        while True:
            hook = self.state.webhook
            update = self.state.next_for_webhook() if hook is not None else None
            if hook is None or update is None:
                self.state.webhook_wakeup.clear()
                await self.state.webhook_wakeup.wait()
                continue
            if await self._deliver(hook, update):
                if self.state.webhook is hook:
                    self.state.confirm(update)
                delay = self.backoff
            else:
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_backoff)

    async def _deliver(self, hook: WebhookConfig, update: JsonDict) -> bool:
        if update["update_id"] != self._checked:
            self._checked = update["update_id"]
            self.check(update)
        target = self.target(hook.url)
        status: int | None = None
        if target is None:
            error: str | None = f"no route to {hook.url} (FakeBotAPI.route_webhook)"
        else:
            status, error = await self._post(hook, target, update)
        self.attempts.append(WebhookAttempt(update["update_id"], hook.url, status, error))
        if error is not None:
            hook.last_error_date = self.state.now()
            hook.last_error_message = error
            return False
        return True

    async def _post(
        self, hook: WebhookConfig, target: str, update: JsonDict
    ) -> tuple[int | None, str | None]:
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if hook.secret_token is not None:
            headers[SECRET_HEADER] = hook.secret_token
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            async with self._session.post(
                target, data=json.dumps(update), headers=headers, timeout=timeout
            ) as response:
                if not 200 <= response.status < 300:
                    return response.status, (
                        f"Wrong response from the webhook: {response.status} {response.reason}"
                    )
                call = await _reply_call(response)
        except TimeoutError:
            return None, "Read timeout expired"
        except aiohttp.ClientConnectorError:
            return None, "Connection refused"
        except aiohttp.ClientError as error:
            return None, f"Connection error: {error}"
        if call is not None:
            await self.execute(*call)
        return response.status, None


async def _reply_call(
    response: aiohttp.ClientResponse,
) -> tuple[str, dict[str, object], dict[str, UploadedFile]] | None:
    """A method call in a webhook's answer, as JSON, a urlencoded form or a multipart form."""
    params: dict[str, object] = {}
    files: dict[str, UploadedFile] = {}
    kind = response.content_type
    if kind == "application/json":
        body = await response.json(content_type=None)
        if isinstance(body, dict):
            params = {str(k): v for k, v in body.items()}
    elif kind == "application/x-www-form-urlencoded":
        params = dict(parse_qsl(await response.text()))
    elif kind.startswith("multipart/"):
        reader = aiohttp.MultipartReader.from_response(response)
        while (part := await reader.next()) is not None:
            if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
                continue
            if part.filename:
                files[part.name] = UploadedFile(part.filename, bytes(await part.read()))
            else:
                params[part.name] = await part.text()
    method = params.pop("method", None)
    return (method, params, files) if isinstance(method, str) else None
