"""An estimate of the memory a player's state holds, for the soak's memory accounting.

The store keeps every active player's state in memory, and a state grows with what the player
has seen (visits, choices taken), so a soak's RSS grows with play even when nothing leaks. To
tell the two apart the soak sums this estimate over the cached states: the containers a state
owns, the PMaps included (a dict up to 128 entries, then a 32 x 32 tree of small dicts).
Objects shared by every state (the empty PMap nodes, strings from the story) are not counted.
Walking 10,000 states takes about a second.
"""

from __future__ import annotations

import sys
from typing import Any

from engine.runtime import pmap
from engine.runtime.state import PlayerState

_SHARED = frozenset(
    {id(pmap._EMPTY_LEAF), id(pmap._EMPTY_NODE), id(pmap._EMPTY_ROOT), id(frozenset())}
)


def pmap_footprint(m: pmap.PMap[Any]) -> int:
    size = sys.getsizeof(m)
    if m._small is not None:
        return size + sys.getsizeof(m._small)
    root = m._root
    if id(root) in _SHARED:
        return size
    size += sys.getsizeof(root)
    for node in root:
        if id(node) in _SHARED:
            continue
        size += sys.getsizeof(node)
        size += sum(sys.getsizeof(leaf) for leaf in node if id(leaf) not in _SHARED)
    return size


def state_footprint(state: PlayerState) -> int:
    """Bytes held by `state`'s own containers (an estimate: see the module docstring)."""
    size = sys.getsizeof(state) + pmap_footprint(state.visits) + pmap_footprint(state.chosen)
    for mapping in (state.variables, state.emotions, state.archetypes, state.engagement):
        size += sys.getsizeof(mapping)
    for members in (state.clues, state.achievements):
        if id(members) not in _SHARED:
            size += sys.getsizeof(members)
    return size
