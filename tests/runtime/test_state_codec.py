"""PlayerState JSON: round trips, versioning (too-new formats refused precisely, newer
compatible ones read), and precise errors for damaged data."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.content import load_story
from engine.runtime import (
    STATE_FORMAT,
    Engagement,
    Engine,
    PlayerState,
    StateFormatError,
    StateFormatTooNew,
    dumps_state,
    loads_state,
)
from engine.runtime.pmap import PMap

BASE = Path(__file__).parent.parent / "stories" / "_base"
NOW = datetime(2025, 3, 1, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine() -> Engine:
    result = load_story(BASE)
    assert result.story is not None
    return Engine(result.story)


def sample(engine: Engine) -> PlayerState:
    state = engine.new_player(seed=42, name="Ana", timezone="America/New_York").state
    return state._replace(
        fragment="inicio",
        chapter="main",
        visits=PMap({"inicio": 2, "fin": 1}),
        chosen=PMap({"inicio.fin": 1}),
        clues=frozenset({"llave"}),
        vip_tier="divan",
        vip_until=NOW,
        last_checkin=date(2025, 3, 1),
        streak=3,
        engagement={"reaction": Engagement(NOW, date(2025, 3, 1), 4)},
        achievements=frozenset({"a", "b"}),
        step=9,
        last_seen=NOW,
    )


def test_round_trip_is_exact(engine: Engine) -> None:
    state = sample(engine)
    blob = dumps_state(state)
    assert loads_state(blob) == state
    assert loads_state(blob.decode()) == state
    assert dumps_state(loads_state(blob)) == blob


def test_json_is_compact_and_versioned(engine: Engine) -> None:
    data = orjson.loads(dumps_state(sample(engine)))
    assert data["v"] == STATE_FORMAT
    assert data["min"] == 1
    assert data["visits"] == {"fin": 1, "inicio": 2}  # sorted: equal states, equal bytes
    assert data["vip_until"] == "2025-03-01T10:00:00+00:00"


def test_a_too_new_format_is_refused_precisely(engine: Engine) -> None:
    data = orjson.loads(dumps_state(sample(engine)))
    data.update(v=3, min=2)
    with pytest.raises(StateFormatTooNew) as caught:
        loads_state(orjson.dumps(data))
    message = str(caught.value)
    assert "format 3 needs a reader of format 2 or newer" in message
    assert f"reads state formats up to {STATE_FORMAT}" in message
    assert isinstance(caught.value, StateFormatError)


def test_a_newer_but_compatible_format_is_read(engine: Engine) -> None:
    state = sample(engine)
    data = orjson.loads(dumps_state(state))
    data.update(v=2, min=1, a_field_from_the_future=[1, 2])
    assert loads_state(orjson.dumps(data)) == state


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pts": "10"}, "field 'pts' must be int, got str"),
        ({"pts": True}, "field 'pts' must be int, got bool"),
        ({"visits": {"inicio": "x"}}, "field 'visits.inicio' must be a whole number"),
        ({"vars": {"flag": [1]}}, "field 'vars.flag' must be true/false"),
        ({"clues": "llave"}, "field 'clues' must be a list of str"),
        ({"seen": "yesterday"}, "field 'seen'"),
        ({"seen": "2025-03-01T10:00:00"}, "time without a UTC offset"),
        ({"eng": {"reaction": [1, 2]}}, "field 'eng.reaction' must be [last time"),
        ({"checkin": "2025-13-01"}, "field 'checkin'"),
        ({"tz": "Mars/Olympus"}, "field 'tz': unknown time zone 'Mars/Olympus'"),
    ],
)
def test_damaged_fields_are_named(engine: Engine, change: dict[str, object], message: str) -> None:
    data = orjson.loads(dumps_state(sample(engine)))
    data.update(change)
    with pytest.raises(StateFormatError, match=None) as caught:
        loads_state(orjson.dumps(data))
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pts": -1}, "player state field 'pts' must be 0 or more, got -1"),
        ({"life": -5}, "player state field 'life' must be 0 or more, got -5"),
        ({"streak": -1}, "player state field 'streak' must be 0 or more, got -1"),
        ({"step": -2}, "player state field 'step' must be 0 or more, got -2"),
        (
            {"visits": {"inicio": 0}},
            "player state field 'visits.inicio' must be a whole number of 1 or more, got 0",
        ),
        (
            {"visits": {"fin": -3}},
            "player state field 'visits.fin' must be a whole number of 1 or more, got -3",
        ),
        (
            {"chosen": {"inicio.fin": 0}},
            "player state field 'chosen.inicio.fin' must be a whole number of 1 or more, got 0",
        ),
        (
            {"chosen": {"inicio.fin": 1.5}},
            "player state field 'chosen.inicio.fin' must be a whole number of 1 or more, got 1.5",
        ),
        (
            {"chosen": {"inicio.fin": True}},
            "player state field 'chosen.inicio.fin' must be a whole number of 1 or more, got True",
        ),
    ],
)
def test_impossible_counts_and_balances_are_refused(
    engine: Engine, change: dict[str, object], message: str
) -> None:
    """No engine writes these; a damaged or hand-edited state says which field is wrong."""
    data = orjson.loads(dumps_state(sample(engine)))
    data.update(change)
    with pytest.raises(StateFormatError) as caught:
        loads_state(orjson.dumps(data))
    assert str(caught.value) == message


def test_zero_balances_and_counts_at_one_are_read(engine: Engine) -> None:
    state = sample(engine)._replace(
        points=0, lifetime_points=0, streak=0, step=0, visits=PMap({"inicio": 1})
    )
    assert loads_state(dumps_state(state)) == state


def test_missing_fields_and_non_json(engine: Engine) -> None:
    data = orjson.loads(dumps_state(sample(engine)))
    del data["mood"]
    with pytest.raises(StateFormatError, match="no field 'mood'"):
        loads_state(orjson.dumps(data))
    with pytest.raises(StateFormatError, match="not JSON"):
        loads_state(b"{nope")
    with pytest.raises(StateFormatError, match="must be a JSON object"):
        loads_state(b"[1, 2]")


@given(
    visits=st.dictionaries(
        st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True), st.integers(1, 10**6), max_size=40
    ),
    points=st.integers(0, 10**9),
    variables=st.dictionaries(
        st.from_regex(r"[a-z]{1,8}", fullmatch=True),
        st.one_of(st.booleans(), st.integers(-(10**9), 10**9), st.text(max_size=20)),
        max_size=8,
    ),
    name=st.text(max_size=30),
)
def test_any_state_round_trips(
    visits: dict[str, int], points: int, variables: dict[str, object], name: str
) -> None:
    state = PlayerState(
        seed=1,
        language="es",
        timezone="UTC",
        name=name,
        content_version="x",
        fragment=None,
        chapter=None,
        visits=PMap(visits),
        chosen=PMap(),
        variables=variables,  # type: ignore[arg-type]
        emotions={"trust": 3},
        archetypes={},
        clues=frozenset(),
        mood="guarded",
        vip_tier=None,
        vip_until=None,
        points=points,
        lifetime_points=points,
        streak=0,
        last_checkin=None,
        engagement={},
        achievements=frozenset(),
        step=0,
        last_seen=None,
    )
    assert loads_state(dumps_state(state)) == state


def test_a_draft_has_the_state_fields_in_the_same_order(engine: Engine) -> None:
    """`Draft.of` unpacks the state positionally, so the two must list the same fields."""
    import dataclasses

    from engine.runtime.state import Draft, PlayerState

    assert [f.name for f in dataclasses.fields(Draft)] == list(PlayerState._fields)
    state = engine.new_player(seed=3, name="Ana").state
    assert Draft.of(state).freeze() == state
