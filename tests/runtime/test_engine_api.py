"""The facade's contract beyond the transcripts: argument checks, purity (inputs untouched,
same inputs same outputs), identity of unchanged states, the public surface."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import engine.runtime as rt
from engine.content import Story, load_story
from engine.runtime import (
    CheckIn,
    Engine,
    FragmentEntered,
    InvalidArgument,
    Outcome,
    PointsAwarded,
    RuntimeMisuse,
    dumps_state,
)

BASE = Path(__file__).parent.parent / "stories" / "_base"
NOW = datetime(2025, 3, 1, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def story() -> Story:
    result = load_story(BASE)
    assert result.story is not None
    return result.story


def test_new_player_awards_the_starting_points_as_an_event(story: Story) -> None:
    step = Engine(story).new_player(seed=5, name="Ana")
    s = step.state
    assert step.outcome is Outcome.NEW_PLAYER
    assert step.events == (PointsAwarded(10, "starting", 10),)
    assert (s.points, s.lifetime_points, s.step, s.fragment, s.started) == (10, 10, 0, None, False)
    assert (s.language, s.timezone, s.seed, s.mood) == ("es", "Europe/Madrid", 5, "guarded")
    assert s.content_version == story.content_hash
    assert dict(s.emotions) == {"trust": 20, "affection": 10}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"language": "fr"}, "language 'fr' is not offered; valid: es, en"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"timezone": "../etc"}, "unknown time zone"),
    ],
)
def test_new_player_checks_its_arguments(
    story: Story, kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(InvalidArgument, match=None) as caught:
        Engine(story).new_player(seed=1, **kwargs)  # type: ignore[arg-type]
    assert message in str(caught.value)


def test_now_must_be_aware(story: Story) -> None:
    e = Engine(story)
    s = e.new_player(seed=1).state
    with pytest.raises(InvalidArgument, match="aware datetime"):
        e.start(s, datetime(2025, 3, 1, 10))
    # Any aware time works and is read as the same instant.
    madrid = e.start(s, NOW.astimezone(ZoneInfo("Europe/Madrid"))).state
    assert madrid == e.start(s, NOW).state
    offset = e.start(s, NOW.astimezone(timezone(timedelta(hours=-5)))).state
    assert offset.last_seen == NOW


def test_not_a_trigger_is_misuse(story: Story) -> None:
    e = Engine(story)
    s = e.new_player(seed=1).state
    with pytest.raises(InvalidArgument, match="not a trigger"):
        e.trigger(s, "check_in", NOW)  # type: ignore[arg-type]


def test_calls_are_pure(story: Story) -> None:
    a, b = Engine(story), Engine(story)
    s = a.start(a.new_player(seed=3).state, NOW).state
    saved = dumps_state(s)
    ref = a.view(s, NOW).buttons[0].ref
    one, two = a.choose(s, ref, NOW), b.choose(s, ref, NOW)
    assert one == two  # same inputs, same state, output and events
    assert dumps_state(s) == saved  # the input state is untouched
    assert a.trigger(s, CheckIn(), NOW) == b.trigger(s, CheckIn(), NOW)


def test_unchanged_calls_return_the_same_state_object(story: Story) -> None:
    e = Engine(story)
    s = e.trigger(e.new_player(seed=1).state, CheckIn(), NOW).state
    again = e.trigger(s, CheckIn(), NOW)
    assert again.outcome is Outcome.ALREADY_CLAIMED
    assert again.state is s
    assert e.migrate(s).state is s
    view = e.view(s)
    assert view.buttons == () and view.parts == ()


def test_a_state_of_other_content_is_relocated(story: Story) -> None:
    e = Engine(story)
    s = e.start(e.new_player(seed=1).state, NOW).state
    foreign = s._replace(content_version="old", fragment="gone", chapter="lost")
    step = e.migrate(foreign, NOW)
    assert step.outcome is Outcome.MIGRATED
    assert step.state.fragment == story.start
    assert step.state.content_version == story.content_hash
    assert any(
        isinstance(ev, rt.PlayerRelocated) and ev.reason == "story_start" for ev in step.events
    )


def test_events_are_frozen_and_serialisable() -> None:
    event = FragmentEntered("inicio", "main", 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.visits = 2  # type: ignore[misc]
    assert event.as_dict() == {
        "type": "FragmentEntered",
        "fragment": "inicio",
        "chapter": "main",
        "visits": 1,
    }
    assert rt.DailyCheckIn(datetime(2025, 3, 1).date(), 2).as_dict()["day"] == "2025-03-01"


def test_every_error_is_runtime_misuse() -> None:
    errors = [
        getattr(rt, n)
        for n in rt.__all__
        if isinstance(getattr(rt, n), type) and issubclass(getattr(rt, n), Exception)
    ]
    assert len(errors) >= 9
    assert all(issubclass(err, RuntimeMisuse) for err in errors)


def test_public_surface() -> None:
    assert rt.__all__ == sorted(rt.__all__, key=lambda n: (not n.isupper(), n))
    assert all(hasattr(rt, name) for name in rt.__all__)
    assert issubclass(rt.PointsCharged, rt.Event)


def test_the_draft_mirrors_the_state() -> None:
    from engine.runtime.state import Draft, PlayerState

    assert tuple(Draft.__dataclass_fields__) == PlayerState._fields
