"""`diana playtest`: seeded random playthroughs for several player profiles.

Like ChoiceScript's randomtest, each run prefers the choices taken least often so far, so a few
hundred runs cover a story far better than uniform choices would. A curious player also taps a
locked (VIP or too dear) button now and then, which is how paywalls are counted. Everything is
derived from `--seed`: the same seed gives the same report.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from cli.play.player import prepare
from engine.content.compiled import Story
from engine.runtime import (
    Button,
    CheckIn,
    ChoiceMade,
    Engine,
    Event,
    FragmentEntered,
    NotEnoughPoints,
    Outcome,
    PlayerState,
    ReturnAfterAbsence,
    Step,
    VipGateBlocked,
)

TAP_LOCKED = 0.2
"""How often a random player taps a locked VIP/cost button when one is shown."""
MAX_CHECKINS = 60
PROFILES_FILE = "_profiles.yaml"


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    description: str
    vip: bool = False
    points: int | None = None
    checkins: bool = False
    """Comes back the next day and checks in whenever short of points."""
    emotions: Mapping[str, int] = field(default_factory=dict)


BUILTIN = (
    Profile("free", "free player, no income: the starting points only"),
    Profile("daily", "free player who checks in daily when short of points", checkins=True),
    Profile("vip", "VIP (no expiry)", vip=True),
    Profile("low", "free player who starts with no points", points=0),
)


def declared_profiles(story_dir: Path) -> list[Profile]:
    """Profiles writers declare in `<story>/tests/_profiles.yaml`:
    `profiles: {saver: {points: 40, checkins: true, vip: false, emotions: {trust: 50}}}`."""
    path = story_dir / "tests" / PROFILES_FILE
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for name, given in (data.get("profiles") or {}).items():
        spec = given or {}
        out.append(
            Profile(
                str(name),
                str(spec.get("description", "declared in " + PROFILES_FILE)),
                vip=bool(spec.get("vip", False)),
                points=spec.get("points"),
                checkins=bool(spec.get("checkins", False)),
                emotions={str(k): int(v) for k, v in (spec.get("emotions") or {}).items()},
            )
        )
    return out


def select(available: Iterable[Profile], names: list[str]) -> list[Profile]:
    """The profiles named (all built-in and declared ones when none is)."""
    by_name = {p.name: p for p in available}
    if not names:
        return list(by_name.values())
    missing = [n for n in names if n not in by_name]
    if missing:
        raise KeyError(f"no profile {', '.join(missing)}; known: {', '.join(by_name)}")
    return [by_name[n] for n in names]


@dataclass
class Tally:
    """What one profile's runs found."""

    profile: Profile
    runs: int = 0
    endings: Counter[str] = field(default_factory=Counter)
    ending_types: Counter[str] = field(default_factory=Counter)
    points_at_endings: list[int] = field(default_factory=list)
    paywall_runs: int = 0
    paywall_events: Counter[str] = field(default_factory=Counter)
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


def begin(
    engine: Engine, profile: Profile, seed: int, now: datetime
) -> tuple[PlayerState, list[Event]]:
    """A new player shaped by `profile`, not started yet."""
    return prepare(
        engine,
        now,
        seed=seed,
        name="Playtest",
        vip=profile.vip,
        points=profile.points,
        emotions=profile.emotions,
        source="playtest",
    )


def next_day(engine: Engine, state: PlayerState, now: datetime) -> tuple[Step, datetime]:
    """Come back tomorrow (Diana's emotions drift back) and check in."""
    later = now + timedelta(days=1)
    back = engine.trigger(state, ReturnAfterAbsence(), later)
    step = engine.trigger(back.state, CheckIn(), later)
    return step._replace(events=back.events + step.events), later


def paywalls(events: Iterable[Event]) -> list[str]:
    return [e.kind for e in events if isinstance(e, VipGateBlocked | NotEnoughPoints)]


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
    ) -> None:
        self.engine, self.profile, self.rng, self.taken = engine, profile, rng, taken
        self.coverage, self.tally, self.now, self.chapter = coverage, tally, now, chapter
        self.path: list[str] = []
        self.hit = False
        self.checkins = 0
        state, events = begin(engine, profile, rng.randrange(1 << 30), now)
        step = engine.start(state, now, chapter)
        self.state = step.state
        self._record((*events, *step.events))

    def _record(self, events: Iterable[Event]) -> None:
        events = tuple(events)
        self.coverage.record(events)
        found = paywalls(events)
        self.hit = self.hit or bool(found)
        self.tally.paywall_events.update(found)

    def run(self, max_steps: int) -> None:
        for _ in range(max_steps):
            self.tally.steps += 1
            if not self._step():
                break
        else:
            self.tally.unfinished += 1
        self.tally.paywall_runs += self.hit

    def _step(self) -> bool:
        """One button press (or a day's wait); False when the run is over."""
        engine, state, rng = self.engine, self.state, self.rng
        view = engine.view(state, self.now)
        if view.ended:
            record_ending(self.tally, engine.story, state)
            return False
        if not in_scope(self.chapter, state):
            return False
        available = [b for b in view.buttons if b.available]
        dear = [b for b in view.buttons if b.lock == "cost"]
        locked = [b for b in view.buttons if b.lock in {"vip", "cost"}]
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
        self._record(step.events)
        self.state = step.state
        return True

    def _tap(self, button: Button) -> None:
        """Press a locked button (Diana answers, nothing moves); short of points, a player
        who checks in comes back tomorrow."""
        self._record(self.engine.choose(self.state, button.ref, self.now).events)
        if button.lock == "cost" and self.profile.checkins and self.checkins < MAX_CHECKINS:
            self.checkins += 1
            back, self.now = next_day(self.engine, self.state, self.now)
            self.state = back.state
            self.path.append("checkin")
