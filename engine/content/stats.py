"""Figures about a compiled story for writers: size, reading time and the besitos economy.

Text is measured per language as a player reads it: each fragment's text, its media caption and
its button labels, with Telegram HTML tags removed and entities decoded in messages and captions
(button labels are plain text in Telegram, so they count as written). A text not written in a
language counts as untranslated there (nothing falls back to the default language), so the
per-language figures also show translation gaps. Reading time assumes `WORDS_PER_MINUTE`.
Choice costs, choice rewards and first-visit rewards are totalled per chapter and for the story.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from engine.content.checks.telegram import parse_html
from engine.content.compiled import Fragment, Story, Text

WORDS_PER_MINUTE = 200


def visible_text(source: str, *, markup: bool = True) -> str:
    """What the player reads: for Telegram HTML (`markup`), tags removed and entities decoded."""
    return parse_html(source)[0] if markup else source


def fragment_texts(fragment: Fragment) -> list[tuple[Text, bool]]:
    """What a player reads at `fragment`, each with whether it is HTML: its text, its media
    caption and its button labels (plain text)."""
    texts = [(fragment.text, True)]
    if fragment.media is not None and fragment.media.caption is not None:
        texts.append((fragment.media.caption, True))
    texts.extend((c.label, False) for c in fragment.choices)
    return texts


@dataclass(slots=True)
class TextCount:
    words: int = 0
    characters: int = 0
    untranslated: int = 0
    """Texts with no value in this language."""

    @property
    def reading_minutes(self) -> float:
        return self.words / WORDS_PER_MINUTE

    def add(self, text: Text, language: str, *, markup: bool = True) -> None:
        value = text.values.get(language)
        if value is None:
            self.untranslated += 1
            return
        plain = visible_text(value, markup=markup)
        self.words += len(plain.split())
        self.characters += len(plain)

    def merge(self, other: TextCount) -> None:
        self.words += other.words
        self.characters += other.characters
        self.untranslated += other.untranslated

    def to_json(self) -> dict[str, object]:
        return {
            "words": self.words,
            "characters": self.characters,
            "reading_minutes": round(self.reading_minutes, 1),
            "untranslated": self.untranslated,
        }


@dataclass(slots=True)
class ChapterStats:
    id: str
    title: str
    vip: bool
    fragments: int = 0
    choices: int = 0
    vip_fragments: int = 0
    endings: Counter[str] = field(default_factory=Counter)
    """Ending type -> how many."""
    text: dict[str, TextCount] = field(default_factory=dict)
    """Language -> what is written in it."""
    costs: Tally = field(default_factory=lambda: Tally(0, 0, 0))
    """The chapter's choices that cost points."""
    choice_rewards: Tally = field(default_factory=lambda: Tally(0, 0, 0))
    fragment_rewards: Tally = field(default_factory=lambda: Tally(0, 0, 0))
    """Paid on a fragment's first visit."""

    def merge(self, other: ChapterStats) -> None:
        self.fragments += other.fragments
        self.choices += other.choices
        self.vip_fragments += other.vip_fragments
        self.endings.update(other.endings)
        for lang, count in other.text.items():
            self.text.setdefault(lang, TextCount()).merge(count)
        self.costs = self.costs.plus(other.costs)
        self.choice_rewards = self.choice_rewards.plus(other.choice_rewards)
        self.fragment_rewards = self.fragment_rewards.plus(other.fragment_rewards)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "vip": self.vip,
            "fragments": self.fragments,
            "choices": self.choices,
            "vip_fragments": self.vip_fragments,
            "endings": sum(self.endings.values()),
            "endings_by_type": dict(sorted(self.endings.items())),
            "languages": {lang: t.to_json() for lang, t in self.text.items()},
            "costs": self.costs.to_json(),
            "rewards": {
                "choices": self.choice_rewards.to_json(),
                "fragments_first_visit": self.fragment_rewards.to_json(),
            },
        }


@dataclass(frozen=True, slots=True)
class Tally:
    """How many things pay (or cost) points, the sum and the largest single amount."""

    count: int
    sum: int
    max: int

    @staticmethod
    def of(amounts: list[int]) -> Tally:
        paid = [a for a in amounts if a > 0]
        return Tally(len(paid), sum(paid), max(paid, default=0))

    def plus(self, other: Tally) -> Tally:
        return Tally(self.count + other.count, self.sum + other.sum, max(self.max, other.max))

    def to_json(self) -> dict[str, int]:
        return {"count": self.count, "sum": self.sum, "max": self.max}


@dataclass(frozen=True, slots=True)
class EconomySummary:
    currency: str
    symbol: str
    starting_points: int
    daily_gift: int
    streak_every: int
    """0: no streak bonus."""
    streak_bonus: int
    streak_grace_days: int
    vip_multiplier_percent: int
    achievements: int
    levels: tuple[tuple[str, str, int], ...]
    """(id, name, min_points), lowest first."""

    def to_json(self) -> dict[str, object]:
        return {
            "currency": self.currency,
            "symbol": self.symbol,
            "starting_points": self.starting_points,
            "daily_gift": self.daily_gift,
            "streak": {
                "every_days": self.streak_every,
                "bonus": self.streak_bonus,
                "grace_days": self.streak_grace_days,
            },
            "vip_multiplier_percent": self.vip_multiplier_percent,
            "achievements": self.achievements,
            "levels": [{"id": i, "name": n, "min_points": p} for i, n, p in self.levels],
        }


@dataclass(frozen=True, slots=True)
class StoryStats:
    story: str
    title: str
    languages: tuple[str, ...]
    chapters: tuple[ChapterStats, ...]
    total: ChapterStats
    costs: Tally
    choice_rewards: Tally
    fragment_rewards: Tally
    """Paid on a fragment's first visit."""
    achievement_rewards: Tally
    economy: EconomySummary

    def to_json(self) -> dict[str, object]:
        return {
            "story": self.story,
            "title": self.title,
            "languages": list(self.languages),
            "words_per_minute": WORDS_PER_MINUTE,
            "chapters": [c.to_json() for c in self.chapters],
            "totals": self.total.to_json(),
            "costs": self.costs.to_json(),
            "rewards": {
                "choices": self.choice_rewards.to_json(),
                "fragments_first_visit": self.fragment_rewards.to_json(),
                "achievements": self.achievement_rewards.to_json(),
            },
            "economy": self.economy.to_json(),
        }


def story_stats(story: Story, language: str | None = None) -> StoryStats:
    """Measure `story`; titles are given in `language` (the story's default when None)."""
    lang = language or story.default_language
    default = story.default_language
    chapters: list[ChapterStats] = []
    for chapter in story.chapters.values():
        stats = ChapterStats(
            chapter.id,
            chapter.title.get(lang, default),
            chapter.vip_rank > 0,
            text={code: TextCount() for code in story.languages},
        )
        for fid in chapter.fragments:
            fragment = story.fragments[fid]
            stats.fragments += 1
            stats.choices += len(fragment.choices)
            stats.vip_fragments += fragment.vip_rank > 0
            if fragment.ending is not None:
                stats.endings[fragment.ending.type] += 1
            for text, markup in fragment_texts(fragment):
                for code, count in stats.text.items():
                    count.add(text, code, markup=markup)
        frags = [story.fragments[fid] for fid in chapter.fragments]
        stats.costs = Tally.of([c.cost for f in frags for c in f.choices])
        stats.choice_rewards = Tally.of([c.reward for f in frags for c in f.choices])
        stats.fragment_rewards = Tally.of([f.reward for f in frags])
        chapters.append(stats)
    total = ChapterStats(
        "total", "Total", False, text={code: TextCount() for code in story.languages}
    )
    for stats in chapters:
        total.merge(stats)
    choices = [c for f in story.by_index for c in f.choices]
    eco = story.economy
    return StoryStats(
        story=story.id,
        title=story.title.get(lang, default),
        languages=story.languages,
        chapters=tuple(chapters),
        total=total,
        costs=Tally.of([c.cost for c in choices]),
        choice_rewards=Tally.of([c.reward for c in choices]),
        fragment_rewards=Tally.of([f.reward for f in story.by_index]),
        achievement_rewards=Tally.of([a.reward for a in eco.achievements]),
        economy=EconomySummary(
            currency=eco.currency_name.get(lang, default),
            symbol=eco.currency_symbol,
            starting_points=eco.starting_points,
            daily_gift=eco.daily_gift,
            streak_every=eco.streak_every,
            streak_bonus=eco.streak_bonus,
            streak_grace_days=eco.streak_grace_days,
            vip_multiplier_percent=eco.vip_multiplier_percent,
            achievements=len(eco.achievements),
            levels=tuple((lv.id, lv.name.get(lang, default), lv.min_points) for lv in eco.levels),
        ),
    )
