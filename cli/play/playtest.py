"""`diana playtest`: seeded random playthroughs for several player profiles.

Like ChoiceScript's randomtest, each run prefers the choices taken least often so far, so a few
hundred runs cover a story far better than uniform choices would. A curious player also taps a
locked (VIP or too dear) button now and then, so Diana's answers to those taps are played too.

Paywalls are measured from what the player meets, not from those taps: a run is *blocked* when
it reaches a screen where every way on needs VIP or more points (no available button but a
fallback; `paywalled`) or a VIP gate sends it to an upsell (entering a gated chapter or
fragment and landing on its upsell); it *saw a lock* when a locked VIP or cost button was on
screen. Everything is derived from `--seed`: the same seed gives the same report. Who plays is
in `profiles`; what random runs miss, `seek` then searches for.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cli.play.profiles import MAX_CHECKINS, Profile, begin, next_day
from engine.content.compiled import Story
from engine.runtime import (
    Button,
    ChoiceMade,
    Engine,
    Event,
    FragmentEntered,
    NotEnoughPoints,
    Outcome,
    PlayerState,
    VipGateBlocked,
)
from engine.runtime.choices import Status, assess
from engine.runtime.evaluation import Context, vip_rank

TAP_LOCKED = 0.2
"""How often a random player taps a locked VIP/cost button when one is shown (to play Diana's
answer; paywalls are not counted from these taps)."""
PAYWALL_LOCKS = frozenset({"vip", "cost"})


@dataclass
class Tally:
    """What one profile's runs found."""

    profile: Profile
    runs: int = 0
    endings: Counter[str] = field(default_factory=Counter)
    ending_types: Counter[str] = field(default_factory=Counter)
    points_at_endings: list[int] = field(default_factory=list)
    blocked: int = 0
    """Runs (states, exhaustive) blocked by a paywall: a screen where every way on needs VIP or
    more points, or a VIP gate that sent the player to an upsell."""
    saw_locked: int = 0
    """Runs (states) shown a locked VIP or cost button."""
    blocked_at: Counter[str] = field(default_factory=Counter)
    """Fragment -> runs (states) where every way on needed VIP or more points."""
    redirects: Counter[str] = field(default_factory=Counter)
    """Gated fragment -> runs (states) a VIP gate sent to its upsell."""
    paywall_events: Counter[str] = field(default_factory=Counter)
    """Every VipGateBlocked / NotEnoughPoints event: redirects and taps on locked buttons."""
    soft_locks: dict[str, list[str]] = field(default_factory=dict)
    """fragment -> the first path that got stuck there (button references)."""
    errors: list[dict[str, Any]] = field(default_factory=list)
    unfinished: int = 0
    steps: int = 0
    states: int = 0
    truncated: bool = False


@dataclass
class Coverage:
    fragments: set[str] = field(default_factory=set)
    choices: set[str] = field(default_factory=set)

    def record(self, events: Iterable[Event]) -> None:
        for e in events:
            if isinstance(e, FragmentEntered):
                self.fragments.add(e.fragment)
            elif isinstance(e, ChoiceMade):
                self.choices.add(f"{e.fragment}.{e.choice}")


def paywalls(events: Iterable[Event]) -> list[str]:
    return [e.kind for e in events if isinstance(e, VipGateBlocked | NotEnoughPoints)]


def redirected(events: Iterable[Event]) -> list[str]:
    """The gated fragments a VIP gate sent the player away from, to an upsell."""
    return [e.fragment for e in events if isinstance(e, VipGateBlocked) and e.upsell is not None]


def paywalled(engine: Engine, state: PlayerState, now: datetime) -> bool:
    """Every way on from the player's screen needs VIP or more points: no choice but a
    fallback is available, and some (shown or hidden) is locked by VIP or its cost."""
    fragment = state.fragment
    if fragment is None or fragment not in engine.plan.options:
        return False
    story = engine.story
    ctx = Context(story, state, now)
    rank = vip_rank(story, state, now)
    paywall = False
    for option in engine.plan.options[fragment]:
        if option.choice.fallback:
            continue
        status = assess(ctx, rank, option)[0]
        if status is Status.AVAILABLE:
            return False
        paywall = paywall or status in {Status.VIP, Status.COST}
    return paywall


def locked_shown(buttons: Iterable[Button]) -> bool:
    return any(b.lock in PAYWALL_LOCKS for b in buttons)


def in_scope(chapter: str | None, state: PlayerState) -> bool:
    return chapter is None or state.chapter == chapter


def random_runs(
    story: Story,
    profile: Profile,
    coverage: Coverage,
    *,
    seed: int,
    runs: int,
    max_steps: int,
    now: datetime,
    chapter: str | None = None,
) -> Tally:
    engine = Engine(story)
    rng = random.Random(f"{seed}/{profile.name}")
    taken: Counter[str] = Counter()
    tally = Tally(profile)
    for _ in range(runs):
        tally.runs += 1
        walk = _Walk(engine, profile, rng, taken, coverage, tally, now, chapter)
        try:
            walk.run(max_steps)
        except Exception as exc:  # any crash is a finding, not the end of the report
            tally.errors.append({"error": f"{type(exc).__name__}: {exc}", "path": walk.path})
    return tally


def play_on(
    story: Story,
    profile: Profile,
    coverage: Coverage,
    tally: Tally,
    origin: tuple[PlayerState, datetime, Sequence[str]],
    *,
    seed: int,
    max_steps: int,
    chapter: str | None = None,
) -> None:
    """Play on at random from `origin` (state, clock, the path there) to an ending: what a
    directed search found is then checked like any run. Soft-locks and errors go to `tally`;
    its runs and endings stay those of the random runs."""
    rng = random.Random(f"{seed}/{profile.name}/{len(origin[2])}")
    scratch = Tally(profile)
    state, now, path = origin
    engine = Engine(story)
    walk = _Walk(engine, profile, rng, Counter(), coverage, scratch, now, chapter, (state, path))
    try:
        walk.run(max_steps)
    except Exception as exc:
        scratch.errors.append({"error": f"{type(exc).__name__}: {exc}", "path": walk.path})
    for fid, stuck in scratch.soft_locks.items():
        tally.soft_locks.setdefault(fid, stuck)
    tally.errors.extend(scratch.errors)


def record_ending(tally: Tally, story: Story, state: PlayerState) -> None:
    fid = state.fragment or "?"
    ending = story.fragments[fid].ending if fid in story.fragments else None
    tally.endings[fid] += 1
    tally.ending_types[ending.type if ending else "?"] += 1
    tally.points_at_endings.append(state.points)


class _Walk:
    """One random playthrough."""

    def __init__(
        self,
        engine: Engine,
        profile: Profile,
        rng: random.Random,
        taken: Counter[str],
        coverage: Coverage,
        tally: Tally,
        now: datetime,
        chapter: str | None,
        origin: tuple[PlayerState, Sequence[str]] | None = None,
    ) -> None:
        self.engine, self.profile, self.rng, self.taken = engine, profile, rng, taken
        self.coverage, self.tally, self.now, self.chapter = coverage, tally, now, chapter
        self.path: list[str] = []
        self.blocked_at: set[str] = set()
        self.redirects: set[str] = set()
        self.saw_locked = False
        self.checkins = 0
        self.pressed = 0
        """Buttons pressed since the player last came back (see `Profile.session`)."""
        if origin is not None:  # play on from where a route led
            self.state, self.path = origin[0], list(origin[1])
            self.checkins = self.path.count("checkin")
            last = max((i for i, p in enumerate(self.path) if p == "checkin"), default=-1)
            self.pressed = len(self.path) - last - 1
            return
        state, events = begin(engine, profile, rng.randrange(1 << 30), now)
        step = engine.start(state, now, chapter)
        self.state = step.state
        self._record((*events, *step.events))

    def _record(self, events: Iterable[Event]) -> None:
        events = tuple(events)
        self.coverage.record(events)
        self.tally.paywall_events.update(paywalls(events))
        self.redirects.update(redirected(events))

    def run(self, max_steps: int) -> None:
        for _ in range(max_steps):
            self.tally.steps += 1
            if not self._step():
                break
        else:
            self.tally.unfinished += 1
        tally = self.tally
        tally.blocked += bool(self.blocked_at or self.redirects)
        tally.saw_locked += self.saw_locked
        tally.blocked_at.update(self.blocked_at)
        tally.redirects.update(self.redirects)

    def _step(self) -> bool:
        """One button press (or a day's wait); False when the run is over."""
        engine, state, rng = self.engine, self.state, self.rng
        view = engine.view(state, self.now)
        if view.ended:
            record_ending(self.tally, engine.story, state)
            return False
        if not in_scope(self.chapter, state):
            return False
        self.saw_locked = self.saw_locked or locked_shown(view.buttons)
        if paywalled(engine, state, self.now):
            self.blocked_at.add(state.fragment or "?")
        session = self.profile.session
        if session and self.pressed >= session and self.checkins < MAX_CHECKINS:
            self._come_back()
            return True
        available = [b for b in view.buttons if b.available]
        dear = [b for b in view.buttons if b.lock == "cost"]
        locked = [b for b in view.buttons if b.lock in PAYWALL_LOCKS]
        stuck = not available and not (self.profile.checkins and dear)
        if locked and (stuck or rng.random() < TAP_LOCKED):
            self._tap(rng.choice(locked))
        if stuck:
            self.tally.soft_locks.setdefault(state.fragment or "?", list(self.path))
            return False
        pool = available + (dear if self.profile.checkins else [])
        least = min(self.taken[b.ref] for b in pool)
        wants = rng.choice([b for b in pool if self.taken[b.ref] == least])
        if not wants.available:
            self._tap(wants)
            return True
        self.taken[wants.ref] += 1
        step = engine.choose(state, wants.ref, self.now)
        if step.outcome is not Outcome.MOVED:
            raise RuntimeError(
                f"{wants.ref} was shown available but pressing it gave {step.outcome.value}"
            )
        self.path.append(wants.ref)
        self.pressed += 1
        self._record(step.events)
        self.state = step.state
        return True

    def _tap(self, button: Button) -> None:
        """Press a locked button (Diana answers, nothing moves); short of points, a player
        who checks in comes back tomorrow."""
        self._record(self.engine.choose(self.state, button.ref, self.now).events)
        if button.lock == "cost" and self.profile.checkins and self.checkins < MAX_CHECKINS:
            self._come_back()

    def _come_back(self) -> None:
        """Leave, come back tomorrow and check in."""
        self.checkins += 1
        self.pressed = 0
        back, self.now = next_day(self.engine, self.state, self.now)
        self._record(back.events)
        self.state = back.state
        self.path.append("checkin")
