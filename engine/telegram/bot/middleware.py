"""Update middlewares: an idempotency key per update, per-user throttling, and errors that
reach the user as a polite notice instead of silence.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, Update

from engine.telegram.bot.delivery import Delivery, Tracker
from engine.telegram.bot.present import Outgoing
from engine.telegram.bot.service import BotService, Person

log = logging.getLogger("diana.bot")

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class IdempotencyKey(BaseMiddleware):
    """`key` for the store: the callback query's id for taps (a double tap is two queries, a
    redelivered one is the same), the update id for everything else."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        if event.callback_query is not None:
            data["key"] = f"cb:{event.callback_query.id}"
        else:
            data["key"] = f"upd:{event.update_id}"
        return await handler(event, data)


class Throttle(BaseMiddleware):
    """At most `burst` taps or messages in a row per user, refilled at `rate` per second; the
    rest get a short "slow down" (taps) or nothing (messages) and change nothing."""

    def __init__(
        self,
        service: BotService,
        *,
        rate: float = 2.0,
        burst: int = 6,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.service = service
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._buckets: dict[int, tuple[float, float]] = {}
        self.dropped = 0

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user = getattr(event, "from_user", None)
        if user is None or self._allow(user.id):
            return await handler(event, data)
        self.dropped += 1
        if isinstance(event, CallbackQuery):
            state = await self.service.player(Person(user.id, user.first_name, user.language_code))
            await event.answer(self.service.presenter.plain(state, "slow_down"))
        return None

    def _allow(self, user_id: int) -> bool:
        now = self.clock()
        tokens, stamp = self._buckets.get(user_id, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - stamp) * self.rate)
        if tokens < 1:
            self._buckets[user_id] = (tokens, now)
            return False
        self._buckets[user_id] = (tokens - 1, now)
        if len(self._buckets) > 100_000:
            self._buckets.pop(next(iter(self._buckets)))
        return True


class Errors(BaseMiddleware):
    """A handler that fails is logged, and the user told (in their language) instead of left
    waiting; what was committed stays committed, what was not is retried by the user."""

    def __init__(self, service: BotService, delivery: Delivery, tracker: Tracker) -> None:
        self.service = service
        self.delivery = delivery
        self.tracker = tracker

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except Exception:
            log.exception("update failed")
            user = getattr(event, "from_user", None)
            if user is None:
                return None
            try:
                state = await self.service.store.state(user.id)
                text = self.service.presenter.text(state, "error")
                if isinstance(event, CallbackQuery):
                    await event.answer(self.service.presenter.plain(state, "error"))
                elif isinstance(event, Message):
                    self.tracker.spawn(self.delivery.show(event.chat.id, [Outgoing(text)]))
            except Exception:
                log.exception("could not tell the user about the failure")
            return None
