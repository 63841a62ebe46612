"""A small persistent map from str: an update copies a few small pieces, not the whole map.

Visit counts and taken choices grow with every step of a long play; copying a dict of
thousands of entries on each step would dominate `choose()`. A map of up to `SMALL` entries
is one plain dict, copied on update (copying 128 entries and adding one took 0.28 µs here,
about what rebuilding two tree nodes costs, and the dict holds 3.3 KB where a tree of 100
entries holds 27 KB: it dominated the memory of the store's cached states). A bigger map
spreads its keys by the interpreter's string hash over a two-level, 32-way tree of small
dicts, so an update copies two 32-slot tuples and one small dict. Maps never shrink, and the
layout follows from the number of entries alone, so equal maps always share it. The layout
lives in memory only: JSON gets a flat, sorted dict, so the per-process hash seed never leaks
into saved data.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Generic, TypeVar

V = TypeVar("V")

SMALL = 128
"""Up to this many entries a map is one plain dict (the shipped story has 75 fragments)."""
_BITS = 5
_WIDTH = 1 << _BITS
_MASK = _WIDTH - 1

Leaf = dict[str, V]
Node = tuple[Leaf[V], ...]

_EMPTY_LEAF: dict[str, object] = {}
_EMPTY_NODE: tuple[dict[str, object], ...] = (_EMPTY_LEAF,) * _WIDTH
_EMPTY_ROOT: tuple[tuple[dict[str, object], ...], ...] = (_EMPTY_NODE,) * _WIDTH


class PMap(Generic[V]):
    """An immutable str-keyed map with cheap `set`; equal when the contents are equal."""

    __slots__ = ("_len", "_root", "_small")

    def __init__(self, items: Mapping[str, V] | None = None) -> None:
        self._root: tuple[Node[V], ...] = _EMPTY_ROOT  # type: ignore[assignment]
        self._small: dict[str, V] | None = None
        self._len = 0
        if not items:
            self._small = {}
        elif len(items) <= SMALL:
            self._small = dict(items)
            self._len = len(items)
        else:
            self._root = _tree(items.items())
            self._len = len(items)

    def get(self, key: str, default: V) -> V:
        small = self._small
        if small is not None:
            return small.get(key, default)
        h = hash(key)
        return self._root[h & _MASK][(h >> _BITS) & _MASK].get(key, default)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        small = self._small
        if small is not None:
            return key in small
        h = hash(key)
        return key in self._root[h & _MASK][(h >> _BITS) & _MASK]

    def set(self, key: str, value: V) -> PMap[V]:
        """A new map with `key` bound to `value`; this one is unchanged."""
        new = PMap.__new__(PMap)
        small = self._small
        if small is not None:
            if len(small) < SMALL or key in small:
                copy = small.copy()
                copy[key] = value
                new._small, new._root, new._len = copy, self._root, len(copy)
                return new
            new._small, new._root, new._len = None, _tree({**small, key: value}.items()), SMALL + 1
            return new
        h = hash(key)
        i = h & _MASK
        j = (h >> _BITS) & _MASK
        root = self._root
        node = root[i]
        old = node[j]
        leaf = old.copy()
        leaf[key] = value
        new._small = None
        new._root = (*root[:i], (*node[:j], leaf, *node[j + 1 :]), *root[i + 1 :])
        new._len = self._len + (key not in old)
        return new

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[str]:
        if self._small is not None:
            yield from self._small
            return
        for node in self._root:
            for leaf in node:
                yield from leaf

    def items(self) -> Iterator[tuple[str, V]]:
        if self._small is not None:
            yield from self._small.items()
            return
        for node in self._root:
            if node is _EMPTY_NODE:
                continue
            for leaf in node:
                if leaf:
                    yield from leaf.items()

    def to_dict(self) -> dict[str, V]:
        """A plain dict sorted by key: stable for JSON and for reading."""
        return dict(sorted(self.items()))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PMap):
            return NotImplemented
        if self._len != other._len:
            return False
        if self._small is not None and other._small is not None:
            return self._small == other._small
        # Equal keys land in equal leaves within one process, so trees compare directly.
        return self._root == other._root

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PMap({self.to_dict()!r})"


def _tree(items: Iterable[tuple[str, V]]) -> tuple[Node[V], ...]:
    nodes = [list(node) for node in _EMPTY_ROOT]
    for key, value in items:
        h = hash(key)
        node = nodes[h & _MASK]
        j = (h >> _BITS) & _MASK
        if node[j] is _EMPTY_LEAF:
            node[j] = {}
        node[j][key] = value
    return tuple(tuple(node) for node in nodes)  # type: ignore[arg-type]
