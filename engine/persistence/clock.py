"""Time for persistence and the store, injected so tests can move across days and time zones.

Nothing under engine/persistence reads the wall clock except `SystemClock`: the daily gift, the
streak and VIP expiry all depend on "now", and a test that must cross midnight in Madrid seven
times cannot wait for it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The real clock (UTC)."""

    __slots__ = ()

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until a test moves it."""

    __slots__ = ("_now",)

    def __init__(self, now: datetime) -> None:
        _check_aware(now)
        self._now = now

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        _check_aware(now)
        self._now = now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move forward by `delta` or by timedelta keywords (`days=1`); returns the new now."""
        self._now += delta if delta is not None else timedelta(**kwargs)
        return self._now


def _check_aware(now: datetime) -> None:
    if now.utcoffset() is None:
        raise ValueError(f"a clock needs an aware datetime, got {now!r}")


SYSTEM_CLOCK = SystemClock()
