"""Property-based random walks (Hypothesis) over the shipped story and generated ones.

The generated stories' shapes are drawn too: `generate_story(size, seed)` with a drawn size
(20 to 300 fragments, sometimes 1000, which adds VIP chapters and their upsells) and seed.

Whatever a caller throws at the engine (any offered button, buttons of older screens, made-up
references, unknown chapters and offers, triggers at random times, saving and loading in
between), it answers; it raises RuntimeMisuse exactly where the API says so (a made-up
reference, an unknown chapter, offer or tier, negative VIP days, a press on an ending), and
never for a button it offers: an offered button moves the player when it is available and
otherwise gives the outcome of its lock. Points never go negative, emotions stay in bounds,
the points ledger of the events always equals the balance, the step grows by exactly one per
change, and every state reloads from its JSON to an equal state.
"""

from __future__ import annotations

import functools
import random
import tempfile
from collections.abc import Callable
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
    InvalidArgument,
    MalformedChoiceRef,
    NotStarted,
    Outcome,
    Payment,
    PlayerState,
    PointsAwarded,
    PointsCharged,
    Post,
    Reaction,
    ReturnAfterAbsence,
    RuntimeMisuse,
    Step,
    StoryOver,
    Trigger,
    UnknownChapter,
    UnknownChoice,
    UnknownOffer,
    UnknownTier,
    dumps_state,
    loads_state,
)

CONTENT = Path(__file__).parent.parent.parent / "content"
START = datetime(2025, 3, 29, 20, tzinfo=UTC)  # the night before a DST change in Madrid
LOCK_OUTCOMES = {
    "vip": Outcome.VIP_LOCKED,
    "cost": Outcome.SHORT_OF_POINTS,
    "condition": Outcome.UNAVAILABLE,
}
BAD_REFS = (MalformedChoiceRef, UnknownChoice, NotStarted, StoryOver)
"""What a made-up reference may raise (a made-up one can also happen to be a real one)."""


def _compile(root: Path) -> Story:
    result = load_story(root)
    assert result.story is not None, [str(d) for d in result.diagnostics.errors]
    assert not result.diagnostics.has_errors(), [str(d) for d in result.diagnostics.errors]
    return result.story


@functools.cache
def shipped() -> Story:
    return _compile(CONTENT)


@functools.lru_cache(maxsize=64)
def generated(size: int, seed: int) -> Story:
    """One generated story per shape (Hypothesis replays and shrinks reuse it)."""
    with tempfile.TemporaryDirectory() as tmp:
        return _compile(write_story(Path(tmp), generate_story(size, seed)))


shapes = st.one_of(
    st.tuples(st.integers(20, 300), st.integers(0, 2**32 - 1)),
    st.tuples(st.just(1000), st.integers(0, 1)),  # ten chapters: the tenth is VIP, with upsell
)
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
        days=st.one_of(st.none(), st.integers(-1, 40)),
    ),
    st.just(ExpireVip()),
    st.builds(AdminGrant, points=st.integers(-500, 500), vip_days=st.integers(-1, 3)),
    st.just(ReturnAfterAbsence()),
)
chapters = st.one_of(
    st.none(), words, st.sampled_from(["c0", "c1", "c2", "c9", "llegada", "salones", "divan"])
)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("press"), st.integers(0, 20)),
        st.tuples(st.just("press"), st.integers(0, 20)),
        st.tuples(st.just("press"), st.integers(0, 20)),
        st.tuples(st.just("press_shown"), st.integers(0, 20)),
        st.tuples(st.just("ref"), words),
        st.tuples(st.just("start"), chapters),
        st.tuples(st.just("trigger"), triggers),
        st.tuples(st.just("advance"), st.integers(1, 4 * 86_400)),
        st.tuples(st.just("reload"), st.none()),
    ),
    min_size=1,
    max_size=60,
)


class Walk:
    def __init__(self, story: Story, seed: int) -> None:
        self.story = story
        self.engine = Engine(story)
        self.now = START
        first = self.engine.new_player(seed=seed, timezone="Europe/Madrid")
        self.state = first.state
        self.ledger = 0
        self.shown: tuple[Button, ...] = ()
        """The buttons of the last fragment shown: outdated once time or the player moves on."""
        self.account(first)

    def account(self, step: Step) -> None:
        for e in step.events:
            if isinstance(e, PointsAwarded):
                self.ledger += e.amount
            elif isinstance(e, PointsCharged):
                self.ledger -= e.amount

    def offered(self) -> tuple[Button, ...]:
        """The buttons the engine offers now (on the current fragment, at this moment)."""
        return self.engine.view(self.state, self.now).buttons

    def press_refusal(self) -> type[RuntimeMisuse] | None:
        """What pressing any button raises now: nothing unless the player has not started or
        stands on an ending (once the state is brought up to date, as every call does)."""
        fragment = self.engine.migrate(self.state, self.now).state.fragment
        if fragment is None:
            return NotStarted
        return StoryOver if self.story.fragments[fragment].ending is not None else None

    def trigger_refusal(self, trigger: Trigger) -> type[RuntimeMisuse] | None:
        """The misuse a deliberately invalid trigger must raise; None for a valid one."""
        vip = self.story.vip
        if isinstance(trigger, Payment) and all(o.id != trigger.offer for o in vip.offers):
            return UnknownOffer
        if isinstance(trigger, GrantVip):
            days = vip.invite_days if trigger.days is None else trigger.days
            if days < 0:
                return InvalidArgument
            if trigger.tier is not None and all(t.id != trigger.tier for t in vip.tiers):
                return UnknownTier
        if isinstance(trigger, AdminGrant) and trigger.vip_days < 0:
            return InvalidArgument
        return None

    def act(self, kind: str, arg: Any) -> None:
        e, s = self.engine, self.state
        if kind == "advance":
            self.now += timedelta(seconds=arg)
            return
        if kind == "reload":
            self.state = loads_state(dumps_state(s))
            assert self.state == s
            return
        if kind == "press":  # a button the engine offers: never misuse, never stale
            offered = self.offered()
            if not offered:
                return
            button = offered[arg % len(offered)]
            step = e.choose(s, button.ref, self.now)
            want = Outcome.MOVED if button.available else LOCK_OUTCOMES[str(button.lock)]
            assert step.outcome is want, (button, step.outcome)
        elif kind == "press_shown":  # a button of the last screen shown, maybe outdated
            if not self.shown:
                return
            ref = self.shown[arg % len(self.shown)].ref
            found = self.expect(lambda: e.choose(s, ref, self.now), self.press_refusal())
            if found is None:
                return
            step = found
        elif kind == "ref":  # made up: misuse is the caller's, and allowed
            try:
                step = e.choose(s, arg, self.now)
            except BAD_REFS:
                return
        elif kind == "start":
            unknown = arg is not None and arg not in self.story.chapters
            found = self.expect(
                lambda: e.start(s, self.now, arg), UnknownChapter if unknown else None
            )
            if found is None:
                return
            step = found
        else:
            found = self.expect(lambda: e.trigger(s, arg, self.now), self.trigger_refusal(arg))
            if found is None:
                return
            step = found
        self.check(s, step)
        self.state = step.state
        if any(p.kind == "fragment" for p in step.output.parts):
            self.shown = step.output.buttons

    @staticmethod
    def expect(call: Callable[[], Step], refusal: type[RuntimeMisuse] | None) -> Step | None:
        """`call()`, which must raise exactly `refusal` if one is given, and nothing else."""
        if refusal is None:
            return call()
        with pytest.raises(refusal):
            call()
        return None

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

    def long_walk(self, rng: random.Random, presses: int) -> None:
        """A mostly happy walk: available buttons, a daily check-in, restarts at endings."""
        self.act("start", None)
        for n in range(presses):
            if n % 40 == 0:
                self.act("advance", 86_400)
                self.act("trigger", CheckIn())
            available = [i for i, b in enumerate(self.offered()) if b.available]
            if not available:
                self.act("start", None)
                continue
            self.act("press", rng.choice(available))


WALKS = settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@WALKS
@given(seed=st.integers(0, 2**31), steps=actions)
def test_random_walk_on_the_shipped_story(seed: int, steps: list[tuple[str, Any]]) -> None:
    walk = Walk(shipped(), seed)
    walk.act("start", None)
    for kind, arg in steps:
        walk.act(kind, arg)


@WALKS
@given(shape=shapes, seed=st.integers(0, 2**31), steps=actions)
def test_random_walk_on_generated_shapes(
    shape: tuple[int, int], seed: int, steps: list[tuple[str, Any]]
) -> None:
    walk = Walk(generated(*shape), seed)
    walk.act("start", None)
    for kind, arg in steps:
        walk.act(kind, arg)


def test_long_walk_on_the_shipped_story() -> None:
    """A long, mostly happy walk reaches deep into the story."""
    walk = Walk(shipped(), 7)
    walk.long_walk(random.Random(7), 1_500)
    assert len(walk.state.visits) > 10


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape=shapes, seed=st.integers(0, 2**31))
def test_long_walk_on_generated_shapes(shape: tuple[int, int], seed: int) -> None:
    """Long happy walks on generated shapes: every available button moves the player on (a
    generated fragment may loop to itself, so how far a walk gets is not asserted)."""
    walk = Walk(generated(*shape), seed)
    walk.long_walk(random.Random(seed), 400)
    assert len(walk.state.visits) > 1
