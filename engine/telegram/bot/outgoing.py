"""Outgoing requests: stay within Telegram's limits, wait out flood control, retry 5xx.

A request middleware on the bot's session, so every call the bot makes goes through it:

- rate limits (token buckets): about 30 messages a second overall, and per chat a short burst
  then one a second (20 a minute in groups), as Telegram documents. Only calls that post or
  change messages count; answering callbacks, polling and reads pass straight through.
- 429 `TelegramRetryAfter`: wait the `retry_after` Telegram asks for, then retry (a few times).
- 5xx and network errors: retry with a short backoff; 4xx other than 429 are the caller's.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

log = logging.getLogger("diana.bot.outgoing")

LIMITED_PREFIXES = ("send", "edit", "copy", "forward")
UNLIMITED = frozenset({"sendChatAction"})
"""Starts like a message call but posts nothing (a typing indicator)."""


@dataclass(frozen=True, slots=True)
class RateLimits:
    overall_per_second: float = 30.0
    chat_per_second: float = 1.0
    chat_burst: int = 3
    group_per_minute: float = 20.0
    max_retries: int = 4
    backoff: float = 0.5
    """First wait after a 5xx or a network error (doubles each time)."""


class _Bucket:
    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = now

    def wait(self, now: float) -> float:
        """Take a token; how long to wait before using it (0: now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class OutgoingLimiter(BaseRequestMiddleware):
    def __init__(
        self,
        limits: RateLimits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.limits = limits or RateLimits()
        self.clock = clock
        self.sleep = sleep
        # A second's worth of burst: Telegram's "about 30 a second" tolerates short bursts,
        # and spacing every message 33 ms apart would slow each multi-message reply.
        self._overall = _Bucket(self.limits.overall_per_second, self.limits.overall_per_second, 0)
        self._chats: dict[object, _Bucket] = {}
        self.waited = 0.0
        """Seconds spent waiting for rate limits or flood control (for logs and tests)."""
        self.retries = 0

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        name = type(method).__api_method__ if hasattr(type(method), "__api_method__") else ""
        if name.startswith(LIMITED_PREFIXES) and name not in UNLIMITED:
            await self._throttle(getattr(method, "chat_id", None))
        limits = self.limits
        delay = limits.backoff
        for attempt in range(limits.max_retries + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if attempt == limits.max_retries:
                    raise
                log.warning("%s: flood control, waiting %ss", name, error.retry_after)
                await self._wait(float(error.retry_after))
            except (TelegramServerError, TelegramNetworkError) as error:
                if attempt == limits.max_retries:
                    raise
                log.warning("%s failed (%s); retrying in %.1fs", name, error, delay)
                await self._wait(delay)
                delay *= 2
            self.retries += 1
        raise AssertionError("unreachable")  # pragma: no cover

    async def _throttle(self, chat_id: object) -> None:
        now = self.clock()
        limits = self.limits
        bucket = self._chats.get(chat_id)
        if bucket is None:
            group = isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0)
            rate = limits.group_per_minute / 60 if group else limits.chat_per_second
            # No burst in groups: 3 at once plus 20/min would make 22 in the first minute.
            burst = 1 if group else limits.chat_burst
            bucket = self._chats[chat_id] = _Bucket(rate, burst, now)
            if len(self._chats) > 50_000:
                self._chats.pop(next(iter(self._chats)))
        wait = max(bucket.wait(now), self._overall.wait(now))
        if wait > 0:
            await self._wait(wait)

    async def _wait(self, seconds: float) -> None:
        self.waited += seconds
        await self.sleep(seconds)
