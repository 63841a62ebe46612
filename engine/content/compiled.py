"""The compiled story: the immutable model the runtime plays.

Authored YAML (`model.py`) is compiled into these slotted, frozen dataclasses once: ids are
resolved, expressions compiled to closures, VIP tiers turned into ranks, and every fragment and
choice keeps its source position so a runtime error can name the file and line. Nothing here
imports the compiler, pydantic or YAML; the runtime depends on this module alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from engine.content.diagnostics import Position
from engine.content.expressions import Expression

Scalar = bool | int | str
Target = Literal["variable", "emotion", "archetype"]


@dataclass(frozen=True, slots=True)
class Text:
    """A player-visible string with a stable id, in every language it was written in."""

    id: str
    values: Mapping[str, str]

    def get(self, language: str, default: str) -> str:
        got = self.values.get(language)
        return got if got is not None else self.values.get(default, "")


@dataclass(frozen=True, slots=True)
class Effects:
    sets: tuple[tuple[str, Scalar], ...] = ()
    adds: tuple[tuple[Target, str, int], ...] = ()
    clues: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Media:
    kind: Literal["photo", "video", "voice", "animation"]
    file: str
    caption: Text | None = None


@dataclass(frozen=True, slots=True)
class Ending:
    title: Text
    type: str


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    index: int
    label: Text
    target: str
    condition: Expression | None
    show_when_locked: bool
    """Show the button locked (with a reason) when its condition fails, instead of hiding it."""
    show_vip_locked: bool
    locked_reason: Text | None
    once: bool
    fallback: bool
    cost: int
    reward: int
    vip_rank: int
    """0: free; n: needs VIP tier n or higher (tiers ranked from 1, lowest first)."""
    effects: Effects | None
    response: str | None
    pos: Position


@dataclass(frozen=True, slots=True)
class Fragment:
    id: str
    index: int
    chapter: str
    speaker: str | None
    text: Text
    media: Media | None
    pause: float
    on_enter: Effects | None
    reward: int
    vip_rank: int
    upsell: str | None
    choices: tuple[Choice, ...]
    ending: Ending | None
    pos: Position


@dataclass(frozen=True, slots=True)
class Chapter:
    id: str
    title: Text
    start: str
    vip_rank: int
    fragments: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Participation:
    points: int
    cooldown_seconds: int
    daily_cap: int


@dataclass(frozen=True, slots=True)
class Reactions:
    emoji: Mapping[str, int]
    default: int
    cooldown_seconds: int
    daily_cap: int

    def points_for(self, emoji: str) -> int:
        return self.emoji.get(emoji, self.default)


@dataclass(frozen=True, slots=True)
class Channel:
    id: str
    chat: int | str
    reactions: bool
    comments: bool
    posts: bool


@dataclass(frozen=True, slots=True)
class Level:
    id: str
    name: Text
    min_points: int


@dataclass(frozen=True, slots=True)
class Achievement:
    id: str
    name: Text
    description: Text | None
    when: Expression
    reward: int


@dataclass(frozen=True, slots=True)
class Economy:
    currency_name: Text
    currency_symbol: str
    starting_points: int
    daily_gift: int
    streak_every: int
    """0 when the story pays no streak bonus."""
    streak_bonus: int
    streak_grace_days: int
    reactions: Reactions | None
    comments: Participation | None
    posts: Participation | None
    channels: tuple[Channel, ...]
    vip_multiplier_percent: int
    levels: tuple[Level, ...]
    achievements: tuple[Achievement, ...]

    def level_for(self, lifetime_points: int) -> Level:
        best = self.levels[0]
        for level in self.levels:
            if lifetime_points >= level.min_points:
                best = level
        return best


@dataclass(frozen=True, slots=True)
class Tier:
    id: str
    rank: int
    name: Text


@dataclass(frozen=True, slots=True)
class Offer:
    id: str
    tier: str
    title: Text
    description: Text
    stars: int
    period_days: int


@dataclass(frozen=True, slots=True)
class Vip:
    tiers: tuple[Tier, ...]
    offers: tuple[Offer, ...]
    invite_days: int
    admin_grant_days: int
    channel_chat: int | str | None
    """The VIP channel: join requests are approved for VIP players only."""
    channel_tier: str | None
    reminder_days: tuple[int, ...]
    channel_counts_as_vip: bool = False
    """Membership of the VIP channel makes a player VIP (while a member)."""

    def rank(self, tier: str | None) -> int:
        for t in self.tiers:
            if t.id == tier:
                return t.rank
        return 0


@dataclass(frozen=True, slots=True)
class Dimension:
    name: str
    low: int
    high: int
    start: int
    decay_per_day: int

    def clamp(self, value: int) -> int:
        return self.low if value < self.low else self.high if value > self.high else value


@dataclass(frozen=True, slots=True)
class EmotionalState:
    id: str
    name: Text
    when: Expression


@dataclass(frozen=True, slots=True)
class Emotions:
    character: str
    dimensions: Mapping[str, Dimension]
    states: tuple[EmotionalState, ...]
    responses: Mapping[str, Mapping[str, tuple[Text, ...]]]
    """response set -> state id (or "any") -> variants."""


@dataclass(frozen=True, slots=True)
class BotTexts:
    """The Telegram bot's own texts (bot.yaml), by the field names of the authored model."""

    languages: Mapping[str, str]
    commands: Mapping[str, Text]
    admin_commands: Mapping[str, Text]
    reasons: Mapping[str, Text]
    texts: Mapping[str, Text]


@dataclass(frozen=True, slots=True)
class Story:
    id: str
    title: Text
    format_version: int
    content_hash: str
    default_language: str
    languages: tuple[str, ...]
    start: str
    timezone: str
    characters: Mapping[str, Text]
    variables: Mapping[str, Scalar]
    archetypes: Mapping[str, Text]
    clues: Mapping[str, Text]
    fragments: Mapping[str, Fragment]
    by_index: tuple[Fragment, ...]
    chapters: Mapping[str, Chapter]
    economy: Economy
    vip: Vip
    emotions: Emotions
    bot: BotTexts | None = None
    """The Telegram bot's texts; None when the content has no bot.yaml (preview-only stories)."""
    replaced: Mapping[str, str] = field(default_factory=dict)
    """Removed fragment id -> the fragment declared to replace it (`replaces:`): where a
    player saved on a fragment a content release removed continues."""
