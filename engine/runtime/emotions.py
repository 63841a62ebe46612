"""Diana's emotional model at play time: her named state, decay while away, and which of her
response variants a player hears.

The variant is a pure function of (player seed, response set, state, counter) through a stable
hash, so a replay, a reload from JSON or another process gives the same line; Python's `hash()`
is salted per process and must not be used here.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from engine.content.compiled import Dimension, Story, Text
from engine.runtime.evaluation import Context
from engine.runtime.events import EmotionChanged
from engine.runtime.output import Outcome, Step

if TYPE_CHECKING:
    from engine.runtime.turn import Turn

ANY = "any"
_DAY_SECONDS = 86_400


def derive_mood(story: Story, ctx: Context, current: str) -> str:
    """The first state whose `when` holds; `current` if none does (content forbids that)."""
    for state in story.emotions.states:
        if state.when.fn(ctx):
            return state.id
    return current


def initial_mood(story: Story) -> str:
    """The state of a fresh player: the last state is the catch-all (`when: "true"`)."""
    states = story.emotions.states
    return states[-1].id if states else ""


def decayed(dim: Dimension, value: int, days: int) -> int:
    """`value` moved towards the dimension's start by `decay_per_day` per day, no further."""
    step = dim.decay_per_day * days
    if value > dim.start:
        return max(dim.start, value - step)
    return min(dim.start, value + step)


def responses(story: Story, response_set: str, mood: str) -> tuple[Text, ...]:
    """The variants for `mood`, else the set's `any` variants, else none."""
    by_state = story.emotions.responses.get(response_set)
    if not by_state:
        return ()
    found = by_state.get(mood)
    if found:
        return found
    return by_state.get(ANY, ())


def pick(seed: int, response_set: str, mood: str, counter: int, count: int) -> int:
    """A deterministic variant index in [0, count)."""
    key = f"{seed}:{response_set}:{mood}:{counter}".encode()
    # blake2b, not crc32: crc32 is linear, so seeds differing in one digit would only permute
    # the variants by a fixed XOR (often not at all for two or four variants).
    digest = hashlib.blake2b(key, digest_size=8).digest()
    return int.from_bytes(digest, "big") % count


def return_after_absence(turn: Turn) -> Step:
    """Emotions drift back towards their start by `decay_per_day` per whole day away."""
    d = turn.d
    if d.last_seen is None:
        return turn.finish(Outcome.UNCHANGED)
    days = int((turn.now - d.last_seen).total_seconds() // _DAY_SECONDS)
    if days < 1:
        return turn.finish(Outcome.UNCHANGED)
    emotions = dict(d.emotions)
    for name, dim in turn.story.emotions.dimensions.items():
        before = emotions.get(name, dim.start)
        after = decayed(dim, before, days)
        if after != before:
            emotions[name] = after
            turn.emit(EmotionChanged(name, before, after))
    d.emotions = emotions
    turn.changed = True
    turn.reply("return_after_absence", days=days)
    return turn.finish(Outcome.RETURNED)
