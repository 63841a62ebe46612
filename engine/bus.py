"""The event bus: the runtime's typed domain events, delivered to subscribers after the commit.

Why it looks like this:

- Subscribers are chosen by event type (a subscriber to a base class, `Event` included, gets
  every subclass) and resolved once per concrete type, so `publish` is a dict lookup and a loop.
- Subscribers are awaited one after the other in the publishing task. A task per subscriber
  (or `asyncio.gather`) costs about 40x more (shared/perf-floor.md: ~10,000 vs ~410,000 events/s
  with 5 subscribers); a subscriber with slow work should hand it off itself (a queue, a task).
- A subscriber that raises is isolated: the error is logged with the event and the subscriber's
  name, counted in `failures`, and the remaining subscribers still run. Cancellation (a
  `BaseException`) is not swallowed.
- The bus knows nothing about storage: the store writes every event to its outbox in the same
  transaction as the state, publishes after the commit, and an outbox relay re-publishes what a
  crash left undelivered (`EventContext.replayed`), so delivery is at least once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from engine.runtime.events import Event

E = TypeVar("E", bound=Event)

log = logging.getLogger("diana.bus")


@dataclass(frozen=True, slots=True)
class EventContext:
    """What an event belongs to: built once per user action and shared by all its events."""

    player_id: int
    at: datetime
    action_id: str
    """Unique per committed action; the outbox rows of the action carry it too."""
    replayed: bool = False
    """True when the outbox relay delivers the event after a restart (it may be a repeat)."""


Handler = Callable[[E, EventContext], Awaitable[None] | None]
"""A subscriber: a plain function or a coroutine function taking (event, context)."""

_AnyHandler = Callable[[Any, EventContext], Awaitable[None] | None]


class EventBus:
    """Typed publish/subscribe with per-subscriber failure isolation; see the module docstring."""

    __slots__ = ("_routes", "_subscriptions", "failures")

    def __init__(self) -> None:
        self._subscriptions: list[tuple[type[Event], _AnyHandler]] = []
        self._routes: dict[type[Event], tuple[_AnyHandler, ...]] = {}
        self.failures = 0
        """How many subscriber calls raised since the bus was made."""

    def subscribe(self, event_type: type[E], handler: Handler[E]) -> Callable[[], None]:
        """Call `handler` for every published `event_type` (or subclass); returns an unsubscribe."""
        entry: tuple[type[Event], _AnyHandler] = (event_type, handler)
        self._subscriptions.append(entry)
        self._routes.clear()

        def unsubscribe() -> None:
            if entry in self._subscriptions:
                self._subscriptions.remove(entry)
                self._routes.clear()

        return unsubscribe

    def subscribers(self, event_type: type[Event]) -> tuple[_AnyHandler, ...]:
        """The subscribers an event of exactly `event_type` goes to, in subscription order."""
        route = self._routes.get(event_type)
        if route is None:
            route = tuple(h for t, h in self._subscriptions if issubclass(event_type, t))
            self._routes[event_type] = route
        return route

    async def publish(self, event: Event, context: EventContext) -> int:
        """Deliver `event` to its subscribers in turn; returns how many of them raised."""
        route = self._routes.get(type(event))
        if route is None:
            route = self.subscribers(type(event))
        failed = 0
        for handler in route:
            try:
                pending = handler(event, context)
                if pending is not None:
                    await pending
            except Exception:
                failed += 1
                self._report(handler, event, context)
        return failed

    async def publish_all(self, events: Iterable[Event], context: EventContext) -> int:
        """Deliver events in order (one action's events share a context); returns failures."""
        failed = 0
        for event in events:
            failed += await self.publish(event, context)
        return failed

    def _report(self, handler: _AnyHandler, event: Event, context: EventContext) -> None:
        self.failures += 1
        name = getattr(handler, "__qualname__", None) or repr(handler)
        log.exception(
            "event subscriber %s failed on %s for player %s (action %s); the others still ran",
            name,
            event.kind,
            context.player_id,
            context.action_id,
        )
