"""`diana playtest --exhaustive`: breadth-first over distinct (fragment, relevant state) pairs.

Every available button of every distinct state is pressed (and every locked VIP or cost button
tapped, to play Diana's answer); states that agree on everything a condition can read are
explored once (see `relevance`). Paywalls count states: those where every way on needs VIP or
more points, or that a VIP gate's redirect to an upsell led to (as in random runs, see
`playtest`), and those showing a locked VIP or cost button. Bounded by `max_states`: meant for
small stories or one chapter.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime

from cli.play.playtest import (
    PAYWALL_LOCKS,
    Coverage,
    Tally,
    in_scope,
    locked_shown,
    paywalled,
    paywalls,
    record_ending,
    redirected,
)
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
    redirects: tuple[str, ...] = ()
    """Gated fragments whose VIP gate sent the player here, to an upsell."""


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
    first = (*events, *step.events)
    coverage.record(first)
    tally.paywall_events.update(paywalls(first))
    queue = deque([_Node(step.state, now, (), 0, redirects=tuple(redirected(first)))])
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
    tally.redirects.update(node.redirects)
    scoped = in_scope(chapter, state)
    walled = scoped and paywalled(engine, state, now)
    if walled:
        tally.blocked_at[state.fragment or "?"] += 1
    tally.blocked += bool(walled or node.redirects)
    if not scoped:
        return
    tally.saw_locked += locked_shown(view.buttons)
    if profile.session and node.pressed >= profile.session and node.checkins < MAX_CHECKINS:
        back, later = next_day(engine, state, now)
        gates = tuple(redirected(back.events))
        push(_Node(back.state, later, (*node.path, "checkin"), node.checkins + 1, 0, gates))
        return
    available = [b for b in view.buttons if b.available]
    dear = [b for b in view.buttons if b.lock == "cost"]
    for button in view.buttons:
        if button.lock in PAYWALL_LOCKS:
            tally.paywall_events.update(paywalls(engine.choose(state, button.ref, now).events))
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
        tally.paywall_events.update(paywalls(step.events))
        path = (*node.path, button.ref)
        gates = tuple(redirected(step.events))
        push(_Node(step.state, now, path, node.checkins, node.pressed + 1, gates))
    if dear and profile.checkins and node.checkins < MAX_CHECKINS:
        back, later = next_day(engine, state, now)
        gates = tuple(redirected(back.events))
        push(_Node(back.state, later, (*node.path, "checkin"), node.checkins + 1, 0, gates))
