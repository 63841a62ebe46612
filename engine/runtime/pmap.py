"""A small persistent map from str: an update copies a few small nodes, not the whole map.

Visit counts and taken choices grow with every step of a long play; copying a dict of
thousands of entries on each step would dominate `choose()`. Keys are spread by the
interpreter's string hash over a two-level, 32-way tree of small dicts, so an update copies
two 32-slot tuples and one small dict (every allocation stays small, which matters as much as
the copying). The layout lives in memory only: JSON gets a flat, sorted dict, so the
per-process hash seed never leaks into saved data.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Generic, TypeVar

V = TypeVar("V")

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

    __slots__ = ("_len", "_root")

    def __init__(self, items: Mapping[str, V] | None = None) -> None:
        self._root: tuple[Node[V], ...] = _EMPTY_ROOT  # type: ignore[assignment]
        self._len = 0
        if items:
            nodes = [list(node) for node in self._root]
            for key, value in items.items():
                h = hash(key)
                node = nodes[h & _MASK]
                j = (h >> _BITS) & _MASK
                if node[j] is _EMPTY_LEAF:
                    node[j] = {}
                node[j][key] = value
            self._root = tuple(tuple(node) for node in nodes)
            self._len = len(items)

    def get(self, key: str, default: V) -> V:
        h = hash(key)
        return self._root[h & _MASK][(h >> _BITS) & _MASK].get(key, default)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        h = hash(key)
        return key in self._root[h & _MASK][(h >> _BITS) & _MASK]

    def set(self, key: str, value: V) -> PMap[V]:
        """A new map with `key` bound to `value`; this one is unchanged."""
        h = hash(key)
        i = h & _MASK
        j = (h >> _BITS) & _MASK
        root = self._root
        node = root[i]
        old = node[j]
        leaf = old.copy()
        leaf[key] = value
        new = PMap.__new__(PMap)
        new._root = (*root[:i], (*node[:j], leaf, *node[j + 1 :]), *root[i + 1 :])
        new._len = self._len + (key not in old)
        return new

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[str]:
        for node in self._root:
            for leaf in node:
                yield from leaf

    def items(self) -> Iterator[tuple[str, V]]:
        if not self._len:
            return
        for node in self._root:
            if node is _EMPTY_NODE:  # most of a small player's tree is shared empties
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
        # Equal keys land in equal leaves within one process, so the trees compare directly.
        return self._len == other._len and self._root == other._root

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PMap({self.to_dict()!r})"
