"""`diana playtest --exhaustive`: breadth-first over distinct (fragment, relevant state) pairs.

Every available button of every distinct state is pressed (and every locked VIP or cost button
tapped, to count paywalls); states that agree on everything a condition can read are explored
once (see `relevance`). Bounded by `max_states`: meant for small stories or one chapter.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime

from cli.play.playtest import Coverage, Tally, in_scope, paywalls, record_ending
from cli.play.profiles import MAX_CHECKINS, Profile, begin, next_day
from cli.play.relevance import Relevance
from engine.content.compiled import Story
from engine.runtime import Engine, Outcome, PlayerState


@dataclass(frozen=True, slots=True)
class _Node:
    state: PlayerState
    now: datetime
    path: tuple[str, ...]
    checkins: int
    pressed: int = 0
    """Buttons pressed since the player last came back (see `Profile.session`)."""


def explore(
    story: Story,
    profile: Profile,
    coverage: Coverage,
    *,
    max_states: int,
    now: datetime,
    chapter: str | None = None,
    seed: int = 1,
) -> Tally:
    engine = Engine(story)
    relevance = Relevance.of(story)
    tally = Tally(profile, runs=1)
    state, events = begin(engine, profile, seed, now)
    try:
        step = engine.start(state, now, chapter)
    except Exception as exc:
        tally.errors.append({"error": f"{type(exc).__name__}: {exc}"})
        return tally
    coverage.record((*events, *step.events))
    tally.paywall_events.update(paywalls((*events, *step.events)))
    queue = deque([_Node(step.state, now, (), 0)])
    session = profile.session

    def key_of(node: _Node) -> Hashable:
        return (relevance.key(node.state, node.now), node.pressed if session else 0)

    seen: set[Hashable] = {key_of(queue[0])}

    def push(node: _Node) -> None:
        key = key_of(node)
        if key not in seen:
            seen.add(key)
            queue.append(node)

    while queue:
        if len(seen) >= max_states:
            tally.truncated = True
            break
        node = queue.popleft()
        tally.steps += 1
        try:
            _expand(engine, profile, node, tally, coverage, push, chapter)
        except Exception as exc:  # a crash is a finding: keep exploring the rest
            tally.errors.append({"error": f"{type(exc).__name__}: {exc}", "path": list(node.path)})
    tally.states = len(seen)
    return tally


def _expand(
    engine: Engine,
    profile: Profile,
    node: _Node,
    tally: Tally,
    coverage: Coverage,
    push: Callable[[_Node], None],
    chapter: str | None,
) -> None:
    state, now = node.state, node.now
    view = engine.view(state, now)
    if view.ended:
        record_ending(tally, engine.story, state)
        return
    if not in_scope(chapter, state):
        return
    if profile.session and node.pressed >= profile.session and node.checkins < MAX_CHECKINS:
        back, later = next_day(engine, state, now)
        push(_Node(back.state, later, (*node.path, "checkin"), node.checkins + 1))
        return
    available = [b for b in view.buttons if b.available]
    dear = [b for b in view.buttons if b.lock == "cost"]
    for button in view.buttons:
        if button.lock in {"vip", "cost"}:
            found = paywalls(engine.choose(state, button.ref, now).events)
            tally.paywall_events.update(found)
            tally.paywall_runs += bool(found)
    if not available and not (profile.checkins and dear):
        tally.soft_locks.setdefault(state.fragment or "?", list(node.path))
        return
    for button in available:
        step = engine.choose(state, button.ref, now)
        if step.outcome is not Outcome.MOVED:
            raise RuntimeError(
                f"{button.ref} was shown available but pressing it gave {step.outcome.value}"
            )
        coverage.record(step.events)
        found = paywalls(step.events)
        tally.paywall_events.update(found)
        tally.paywall_runs += bool(found)
        push(_Node(step.state, now, (*node.path, button.ref), node.checkins, node.pressed + 1))
    if dear and profile.checkins and node.checkins < MAX_CHECKINS:
        back, later = next_day(engine, state, now)
        push(_Node(back.state, later, (*node.path, "checkin"), node.checkins + 1))
