"""Conditions read one player's state through `Context`, the runtime's `EvalContext`.

Names are unique across kinds (the compiler refuses clashes), so a lookup tries the player's
emotions, variables and archetypes, then the built-ins; a name a content release added but the
state has not seen yet reads as its declared default.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Protocol

from engine.content.compiled import Scalar, Story
from engine.content.expressions import Expression, Value
from engine.runtime.pmap import PMap

_MISSING = object()


class StateLike(Protocol):
    """What conditions read: satisfied by `PlayerState` and by the mutable `Draft`."""

    @property
    def visits(self) -> PMap[int]: ...
    @property
    def chosen(self) -> PMap[int]: ...
    @property
    def variables(self) -> Mapping[str, Scalar]: ...
    @property
    def emotions(self) -> Mapping[str, int]: ...
    @property
    def archetypes(self) -> Mapping[str, int]: ...
    @property
    def clues(self) -> frozenset[str]: ...
    @property
    def mood(self) -> str: ...
    @property
    def points(self) -> int: ...
    @property
    def lifetime_points(self) -> int: ...
    @property
    def streak(self) -> int: ...
    @property
    def last_checkin(self) -> date | None: ...
    @property
    def vip_tier(self) -> str | None: ...
    @property
    def vip_until(self) -> datetime | None: ...


def level_number(story: Story, lifetime_points: int) -> int:
    """1 for the first level: `level >= 2` reads as writers count."""
    number = 1
    for i, level in enumerate(story.economy.levels, start=1):
        if lifetime_points >= level.min_points:
            number = i
    return number


def vip_rank(story: Story, s: StateLike, now: datetime) -> int:
    """The player's VIP rank at `now`; 0 when free or expired."""
    if s.vip_tier is None or (s.vip_until is not None and now >= s.vip_until):
        return 0
    return story.vip.rank(s.vip_tier)


class Context:
    """An `EvalContext` over one state at one moment (VIP expiry depends on `now`)."""

    __slots__ = ("now", "s", "story")

    def __init__(self, story: Story, s: StateLike, now: datetime) -> None:
        self.story = story
        self.s = s
        self.now = now

    def value(self, name: str) -> Value:
        s = self.s
        got: object = s.emotions.get(name, _MISSING)
        if got is _MISSING:
            got = s.variables.get(name, _MISSING)
        if got is _MISSING:
            got = s.archetypes.get(name, _MISSING)
        if got is not _MISSING:
            return got  # type: ignore[return-value]
        return self._builtin(name)

    def _builtin(self, name: str) -> Value:
        s = self.s
        story = self.story
        if name == "points":
            return s.points
        if name == "lifetime_points":
            return s.lifetime_points
        if name == "streak":
            return s.streak
        if name == "level":
            return level_number(story, s.lifetime_points)
        if name == "vip":
            return vip_rank(story, s, self.now) > 0
        if name == "state":
            return s.mood
        if name in story.variables:
            return story.variables[name]
        dim = story.emotions.dimensions.get(name)
        if dim is not None:
            return dim.start
        return 0  # an archetype, or a name only newer content knows

    def visits(self, fragment_id: str) -> int:
        return self.s.visits.get(fragment_id, 0)

    def has_clue(self, clue_id: str) -> bool:
        return clue_id in self.s.clues

    def chose(self, ref: str) -> bool:
        return ref in self.s.chosen

    def holds(self, condition: Expression) -> bool:
        return bool(condition.fn(self))
