"""The kinds of player the playtester plays as: built in, or declared by writers in
`<story>/tests/_profiles.yaml`, and how each one starts and comes back another day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import yaml

from cli.play.player import prepare
from engine.runtime import CheckIn, Engine, Event, PlayerState, ReturnAfterAbsence, Step

MAX_CHECKINS = 60
"""Days a player comes back at most in one run (then plays on without leaving)."""
SESSION = 8
"""Buttons the built-in regular player presses an evening before leaving until tomorrow."""
PROFILES_FILE = "_profiles.yaml"
_KEYS = {"description", "vip", "points", "checkins", "session", "emotions"}


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    description: str
    vip: bool = False
    points: int | None = None
    checkins: bool = False
    """Comes back the next day and checks in whenever short of points."""
    emotions: Mapping[str, int] = field(default_factory=dict)
    session: int = 0
    """Checks in on arrival, presses this many buttons, then comes back the next day (and
    checks in) to play on: a regular, whose streak grows. 0: plays in one sitting."""


BUILTIN = (
    Profile("free", "free player, no income: the starting points only"),
    Profile("daily", "free player who checks in daily when short of points", checkins=True),
    Profile("vip", "VIP (no expiry)", vip=True),
    Profile("low", "free player who starts with no points", points=0),
    Profile(
        "regular",
        f"free player who comes every evening: checks in, plays {SESSION} scenes, back tomorrow",
        session=SESSION,
    ),
)


def declared_profiles(story_dir: Path) -> list[Profile]:
    """Profiles writers declare in `<story>/tests/_profiles.yaml`: `profiles: {saver:
    {points: 40, checkins: true, session: 5, vip: false, emotions: {trust: 50}}}`.

    Raises `ValueError` for an unknown key (a misspelt key would silently play a free player).
    """
    path = story_dir / "tests" / PROFILES_FILE
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for name, given in (data.get("profiles") or {}).items():
        spec = given or {}
        unknown = sorted(set(spec) - _KEYS)
        if unknown:
            known = ", ".join(sorted(_KEYS))
            raise ValueError(f"{PROFILES_FILE}: profile {name!r}: no key {unknown[0]!r}; {known}")
        out.append(
            Profile(
                str(name),
                str(spec.get("description", "declared in " + PROFILES_FILE)),
                vip=bool(spec.get("vip", False)),
                points=spec.get("points"),
                checkins=bool(spec.get("checkins", False)),
                emotions={str(k): int(v) for k, v in (spec.get("emotions") or {}).items()},
                session=max(0, int(spec.get("session", 0))),
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


def begin(
    engine: Engine, profile: Profile, seed: int, now: datetime
) -> tuple[PlayerState, list[Event]]:
    """A new player shaped by `profile`, not started yet (a regular has checked in)."""
    state, events = prepare(
        engine,
        now,
        seed=seed,
        name="Playtest",
        vip=profile.vip,
        points=profile.points,
        emotions=profile.emotions,
        source="playtest",
    )
    if profile.session:
        step = engine.trigger(state, CheckIn(), now)
        state, events = step.state, [*events, *step.events]
    return state, events


def next_day(engine: Engine, state: PlayerState, now: datetime) -> tuple[Step, datetime]:
    """Come back tomorrow (Diana's emotions drift back) and check in."""
    later = now + timedelta(days=1)
    back = engine.trigger(state, ReturnAfterAbsence(), later)
    step = engine.trigger(back.state, CheckIn(), later)
    return step._replace(events=back.events + step.events), later
