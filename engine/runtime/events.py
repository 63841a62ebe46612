"""Domain events: what happened in a step, for persistence (the points ledger), analytics and
the bot's side effects. Every event is a frozen dataclass deriving from `Event`.

Points events carry a `reason` ("choice:salon.vino", "daily", "streak_bonus", "reaction",
"comment", "post", "achievement:<id>", "fragment:<id>", "starting", "admin", "payment:<offer>")
so a ledger written from them always sums to the state's balance.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Event:
    """Base of every domain event."""

    @property
    def kind(self) -> str:
        return type(self).__name__

    def as_dict(self) -> dict[str, object]:
        """The event as plain data: `{"type": "PointsAwarded", "amount": 5, ...}`."""
        out: dict[str, object] = {"type": self.kind}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = value.isoformat() if isinstance(value, date | datetime) else value
        return out


@dataclass(frozen=True, slots=True)
class FragmentEntered(Event):
    fragment: str
    chapter: str
    visits: int


@dataclass(frozen=True, slots=True)
class ChoiceMade(Event):
    fragment: str
    choice: str
    target: str


@dataclass(frozen=True, slots=True)
class PointsAwarded(Event):
    amount: int
    reason: str
    balance_after: int


@dataclass(frozen=True, slots=True)
class PointsCharged(Event):
    amount: int
    reason: str
    balance_after: int


@dataclass(frozen=True, slots=True)
class NotEnoughPoints(Event):
    cost: int
    balance: int
    choice: str


@dataclass(frozen=True, slots=True)
class VipGateBlocked(Event):
    fragment: str
    """The gated fragment the player was kept out of."""
    required_rank: int
    upsell: str | None
    choice: str | None


@dataclass(frozen=True, slots=True)
class VipGranted(Event):
    tier: str
    until: datetime | None
    source: str


@dataclass(frozen=True, slots=True)
class VipExpired(Event):
    tier: str


@dataclass(frozen=True, slots=True)
class DailyCheckIn(Event):
    day: date
    streak: int


@dataclass(frozen=True, slots=True)
class StreakIncreased(Event):
    streak: int


@dataclass(frozen=True, slots=True)
class StreakBroken(Event):
    previous: int
    missed_days: int


@dataclass(frozen=True, slots=True)
class ReactionCounted(Event):
    emoji: str
    points: int
    channel: str | None


@dataclass(frozen=True, slots=True)
class CommentCounted(Event):
    points: int
    channel: str | None


@dataclass(frozen=True, slots=True)
class PostCounted(Event):
    points: int
    channel: str | None


@dataclass(frozen=True, slots=True)
class EmotionChanged(Event):
    dimension: str
    before: int
    after: int


@dataclass(frozen=True, slots=True)
class EmotionalStateChanged(Event):
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class ClueFound(Event):
    clue: str


@dataclass(frozen=True, slots=True)
class AchievementUnlocked(Event):
    achievement: str


@dataclass(frozen=True, slots=True)
class LevelUp(Event):
    level: str
    previous: str


@dataclass(frozen=True, slots=True)
class PlayerRelocated(Event):
    from_fragment: str
    to_fragment: str
    reason: str


@dataclass(frozen=True, slots=True)
class ContentUpdated(Event):
    from_version: str
    to_version: str


@dataclass(frozen=True, slots=True)
class StoryEnded(Event):
    fragment: str
    ending: str
    """The ending's type: good, bad, neutral or secret."""
