"""Property-based random walks (Hypothesis) over the shipped story and generated ones.

Whatever a caller throws at the engine (any button, made-up references, unknown chapters and
offers, triggers at random times, saving and loading in between), it either answers or raises
RuntimeMisuse; points never go negative, emotions stay in bounds, the points ledger of the
events always equals the balance, the step grows by exactly one per change, and every state
reloads from its JSON to an equal state.
"""

from __future__ import annotations

import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.content import Story, load_story
from engine.content.generated import generate_story, write_story
from engine.runtime import (
    AdminGrant,
    Button,
    CheckIn,
    Comment,
    Engine,
    ExpireVip,
    GrantVip,
    Payment,
    PlayerState,
    PointsAwarded,
    PointsCharged,
    Post,
    Reaction,
    ReturnAfterAbsence,
    RuntimeMisuse,
    Step,
    dumps_state,
    loads_state,
)

CONTENT = Path(__file__).parent.parent.parent / "content"
START = datetime(2025, 3, 29, 20, tzinfo=UTC)  # the night before a DST change in Madrid

_stories: dict[str, Story] = {}


def story(name: str) -> Story:
    if name not in _stories:
        if name == "content":
            result = load_story(CONTENT)
        else:
            seed = int(name.removeprefix("generated_"))
            with tempfile.TemporaryDirectory() as tmp:
                result = load_story(write_story(Path(tmp), generate_story(250, seed)))
        assert result.story is not None, [str(d) for d in result.diagnostics.errors]
        assert not result.diagnostics.has_errors(), [str(d) for d in result.diagnostics.errors]
        _stories[name] = result.story
    return _stories[name]


STORIES = ["content", "generated_0", "generated_1"]

words = st.text(alphabet="abcdefgxyz_0123456789.", min_size=0, max_size=12)
triggers = st.one_of(
    st.just(CheckIn()),
    st.builds(
        Reaction,
        emoji=st.sampled_from(["❤", "🔥", "😍", "👍", ""]),
        channel=st.one_of(st.none(), st.sampled_from(["los_kinkys", "nope"])),
    ),
    st.builds(Comment, channel=st.one_of(st.none(), st.just("los_kinkys"))),
    st.builds(Post),
    st.builds(Payment, offer=st.sampled_from(["divan_mensual", "mes", "nope"])),
    st.builds(
        GrantVip,
        tier=st.sampled_from([None, "divan", "oro"]),
        days=st.one_of(st.none(), st.integers(0, 40)),
    ),
    st.just(ExpireVip()),
    st.builds(AdminGrant, points=st.integers(-500, 500), vip_days=st.integers(0, 3)),
    st.just(ReturnAfterAbsence()),
)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("press"), st.integers(0, 20)),
        st.tuples(st.just("press"), st.integers(0, 20)),
        st.tuples(st.just("press"), st.integers(0, 20)),
        st.tuples(st.just("ref"), words),
        st.tuples(st.just("start"), st.one_of(st.none(), words, st.just("c1"))),
        st.tuples(st.just("trigger"), triggers),
        st.tuples(st.just("advance"), st.integers(1, 4 * 86_400)),
        st.tuples(st.just("reload"), st.none()),
    ),
    min_size=1,
    max_size=60,
)


class Walk:
    def __init__(self, story: Story, seed: int) -> None:
        self.engine = Engine(story)
        self.now = START
        first = self.engine.new_player(seed=seed, timezone="Europe/Madrid")
        self.state = first.state
        self.ledger = 0
        self.buttons: tuple[Button, ...] = ()
        self.account(first)

    def account(self, step: Step) -> None:
        for e in step.events:
            if isinstance(e, PointsAwarded):
                self.ledger += e.amount
            elif isinstance(e, PointsCharged):
                self.ledger -= e.amount

    def act(self, kind: str, arg: Any) -> None:
        e, s = self.engine, self.state
        if kind == "advance":
            self.now += timedelta(seconds=arg)
            return
        if kind == "reload":
            self.state = loads_state(dumps_state(s))
            assert self.state == s
            return
        try:
            if kind == "press":
                if not self.buttons:
                    return
                step = e.choose(s, self.buttons[arg % len(self.buttons)].ref, self.now)
            elif kind == "ref":
                step = e.choose(s, arg, self.now)
            elif kind == "start":
                step = e.start(s, self.now, arg)
            else:
                step = e.trigger(s, arg, self.now)
        except RuntimeMisuse:
            return
        self.check(s, step)
        self.state = step.state
        if step.output.parts and any(p.kind == "fragment" for p in step.output.parts):
            self.buttons = step.output.buttons
        elif step.state.fragment is not None:
            self.buttons = e.view(step.state, self.now).buttons

    def check(self, before: PlayerState, step: Step) -> None:
        s = step.state
        self.account(step)
        assert s.points >= 0
        assert s.points == self.ledger, (s.points, self.ledger)
        assert s.lifetime_points >= s.points
        for name, dim in self.engine.story.emotions.dimensions.items():
            assert dim.low <= s.emotions[name] <= dim.high, (name, s.emotions[name])
        if s == before:
            assert s.step == before.step
        else:
            assert s.step == before.step + 1
        blob = dumps_state(s)
        assert loads_state(blob) == s
        assert dumps_state(loads_state(blob)) == blob
        if s.fragment is not None:
            assert s.fragment in self.engine.story.fragments
            assert all(b.ref.startswith(s.fragment + ".") for b in step.output.buttons)


@pytest.mark.parametrize("name", STORIES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), steps=actions)
def test_random_walk_keeps_invariants(name: str, seed: int, steps: list[tuple[str, Any]]) -> None:
    walk = Walk(story(name), seed)
    walk.act("start", None)
    for kind, arg in steps:
        walk.act(kind, arg)


@pytest.mark.parametrize("name", STORIES)
def test_long_walk_pressing_available_buttons(name: str) -> None:
    """A long, mostly happy walk (restarting at endings) reaches deep into the story."""
    rng = random.Random(7)
    walk = Walk(story(name), 7)
    walk.act("start", None)
    for n in range(1_500):
        if n % 40 == 0:
            walk.act("advance", 86_400)
            walk.act("trigger", CheckIn())
        available = [i for i, b in enumerate(walk.buttons) if b.available]
        if not available:
            walk.act("start", None)
            continue
        walk.act("press", rng.choice(available))
    assert len(walk.state.visits) > 10
