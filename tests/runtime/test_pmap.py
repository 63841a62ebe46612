"""PMap behaves like an immutable dict, whatever the keys and the order of updates."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engine.runtime.pmap import PMap

keys = st.text(min_size=0, max_size=6)


@given(st.lists(st.tuples(keys, st.integers()), max_size=200))
def test_pmap_matches_a_dict(updates: list[tuple[str, int]]) -> None:
    model: dict[str, int] = {}
    m: PMap[int] = PMap()
    history = []
    for key, value in updates:
        before = m
        snapshot = before.to_dict()
        m = m.set(key, value)
        model[key] = value
        assert before.to_dict() == snapshot  # the old map is untouched
        history.append(before)
    assert m.to_dict() == dict(sorted(model.items()))
    assert len(m) == len(model)
    assert set(m) == set(model)
    assert all(m.get(k, None) == v and k in m for k, v in model.items())
    assert m == PMap(model)
    assert "\0missing" not in m and m.get("\0missing", -1) == -1


def test_equality_and_repr() -> None:
    a = PMap({"b": 2, "a": 1})
    assert a == PMap({"a": 1}).set("b", 2)
    assert a != PMap({"a": 1})
    assert a != {"a": 1, "b": 2}
    assert repr(a) == "PMap({'a': 1, 'b': 2})"
    assert 3 not in a


@given(st.lists(st.tuples(st.text(max_size=3), st.integers()), min_size=120, max_size=280))
def test_small_and_tree_layouts_agree_across_the_threshold(updates: list[tuple[str, int]]) -> None:
    """A map is a dict up to SMALL entries and a tree beyond: equal contents, equal maps."""
    from engine.runtime.pmap import SMALL

    m: PMap[int] = PMap()
    model: dict[str, int] = {}
    for key, value in updates:
        m = m.set(key, value)
        model[key] = value
        assert m == PMap(model) and len(m) == len(model)
        assert (m._small is None) == (len(model) > SMALL)
    assert m.to_dict() == dict(sorted(model.items()))
