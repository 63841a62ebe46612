"""Players made to order for the play tools: VIP, a balance or Diana's emotions set up front,
and entering any fragment directly (the preview's `j` and `--start`).

These are tool-only shortcuts: a real player gets VIP from a payment and points from the
economy. Entering a fragment goes through the runtime's own `flow.enter`, so VIP gates, upsells,
rewards and `on_enter` effects apply exactly as they would after a button.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from datetime import datetime

from engine.runtime import (
    Engine,
    Event,
    GrantVip,
    Outcome,
    PlayerState,
    PointsAwarded,
    Step,
    flow,
)
from engine.runtime.emotions import derive_mood
from engine.runtime.evaluation import Context
from engine.runtime.migrate import migrate
from engine.runtime.state import Draft
from engine.runtime.turn import Turn


def suggest(name: str, options: list[str]) -> str:
    """A `; did you mean 'x'?` suffix, or nothing."""
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def prepare(
    engine: Engine,
    now: datetime,
    *,
    seed: int,
    name: str,
    language: str | None = None,
    vip: bool = False,
    points: int | None = None,
    emotions: Mapping[str, int] | None = None,
    source: str = "preview",
) -> tuple[PlayerState, list[Event]]:
    """A new player (not started yet) and the events that made them.

    Raises `InvalidArgument` for an unknown language and `ValueError` for an unknown emotion.
    """
    first = engine.new_player(seed=seed, language=language, name=name)
    state, events = first.state, list(first.events)
    if vip:
        granted = engine.trigger(state, GrantVip(days=0, source=source), now)
        state, events = granted.state, events + list(granted.events)
    if points is not None:  # the balance is set, not the starting points awarded
        state = state._replace(points=points, lifetime_points=max(state.lifetime_points, points))
        events = [e for e in events if not _starting(e)]
    if emotions:
        state = with_emotions(engine, state, now, emotions)
    return state, events


def _starting(event: Event) -> bool:
    return isinstance(event, PointsAwarded) and event.reason == "starting"


def with_emotions(
    engine: Engine, state: PlayerState, now: datetime, values: Mapping[str, int]
) -> PlayerState:
    """`state` with some of Diana's emotions set (clamped) and her state derived again."""
    story = engine.story
    dims = story.emotions.dimensions
    for name in values:
        if name not in dims:
            raise ValueError(f"no emotion '{name}'{suggest(name, list(dims))}")
    emotions = {**state.emotions, **{k: dims[k].clamp(v) for k, v in values.items()}}
    draft = Draft.of(state._replace(emotions=emotions))
    draft.mood = derive_mood(story, Context(story, draft, now), draft.mood)
    return draft.freeze()


def enter(engine: Engine, state: PlayerState, now: datetime, fragment: str) -> Step:
    """Put the player on `fragment` as if a button led there (a VIP gate may stop them)."""
    turn = Turn(engine.plan, state, now)
    migrate(turn)
    if not flow.enter(turn, fragment):
        turn.reply("vip_locked")
        return turn.finish(Outcome.VIP_LOCKED)
    turn.scene = True
    return turn.finish(Outcome.MOVED)
