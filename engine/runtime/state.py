"""One player's state: an immutable value the runtime turns into the next one.

Nothing here knows the story beyond ids: the state survives content releases (`migrate`) and
is saved as compact JSON by `codec`. Big, ever-growing collections (visits, taken choices) are
persistent maps so a step copies only what it changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from engine.content.compiled import Scalar
from engine.runtime.pmap import PMap


@dataclass(frozen=True, slots=True)
class Engagement:
    """Counters for one kind of engagement (reaction, comment, post): cooldown and daily cap."""

    last_at: datetime
    day: date
    """The player's calendar day that `earned` counts for."""
    earned: int


class PlayerState(NamedTuple):
    """Everything the runtime remembers about one player.

    `step` is the state version: it grows by one with every call that changes anything, so an
    unchanged state (a stale button, too few points) keeps its step and compares equal.

    A named tuple rather than a frozen dataclass: just as immutable, and built several times
    faster, which matters because every step builds one (use `_replace` to derive by hand).
    """

    seed: int
    language: str
    timezone: str
    name: str
    content_version: str
    fragment: str | None
    """Where the player stands; None before the first start()."""
    chapter: str | None
    """The chapter of `fragment`, kept so a removed fragment can be relocated within it."""
    visits: PMap[int]
    chosen: PMap[int]
    """Every choice taken ("fragment.choice" -> times): once-only choices and `chose()`."""
    variables: Mapping[str, Scalar]
    emotions: Mapping[str, int]
    archetypes: Mapping[str, int]
    clues: frozenset[str]
    mood: str
    """Diana's emotional state id, derived from `emotions` after every change."""
    vip_tier: str | None
    vip_until: datetime | None
    """None with a tier: VIP without expiry. Expired VIP counts as free."""
    points: int
    lifetime_points: int
    streak: int
    last_checkin: date | None
    engagement: Mapping[str, Engagement]
    achievements: frozenset[str]
    step: int
    last_seen: datetime | None

    @property
    def started(self) -> bool:
        return self.fragment is not None

    def vip_active(self, now: datetime) -> bool:
        return self.vip_tier is not None and (self.vip_until is None or now < self.vip_until)


FIELDS: tuple[str, ...] = PlayerState._fields


@dataclass(slots=True)
class Draft:
    """A mutable copy of a `PlayerState` for the duration of one call.

    Containers are still shared with the original; code replaces a container (copy-on-write)
    rather than mutating it, so building the next state never touches the previous one.
    """

    seed: int
    language: str
    timezone: str
    name: str
    content_version: str
    fragment: str | None
    chapter: str | None
    visits: PMap[int]
    chosen: PMap[int]
    variables: Mapping[str, Scalar]
    emotions: Mapping[str, int]
    archetypes: Mapping[str, int]
    clues: frozenset[str]
    mood: str
    vip_tier: str | None
    vip_until: datetime | None
    points: int
    lifetime_points: int
    streak: int
    last_checkin: date | None
    engagement: Mapping[str, Engagement]
    achievements: frozenset[str]
    step: int
    last_seen: datetime | None

    @classmethod
    def of(cls, s: PlayerState) -> Draft:
        # Fields are declared in PlayerState's order (a test holds them equal): unpacking
        # the tuple is a third cheaper than naming 24 fields, and this runs on every call.
        return cls(*s)

    def freeze(self) -> PlayerState:
        return PlayerState(
            self.seed,
            self.language,
            self.timezone,
            self.name,
            self.content_version,
            self.fragment,
            self.chapter,
            self.visits,
            self.chosen,
            self.variables,
            self.emotions,
            self.archetypes,
            self.clues,
            self.mood,
            self.vip_tier,
            self.vip_until,
            self.points,
            self.lifetime_points,
            self.streak,
            self.last_checkin,
            self.engagement,
            self.achievements,
            self.step,
            self.last_seen,
        )

    def vip_active(self, now: datetime) -> bool:
        return self.vip_tier is not None and (self.vip_until is None or now < self.vip_until)
