"""The story as a graph of fragment indices, with reachability and strongly connected components.

Flow, economy and emotion checks all ask the same questions (what can be reached, what lies on
a cycle), so the adjacency is built once per load and shared. Stories may have tens of
thousands of fragments: every algorithm here is linear and iterative (no recursion), and works
on plain lists of ints because that is what Python walks fastest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from engine.content.compiled import Fragment, Story

Adjacency = Sequence[Sequence[int]]


@dataclass(frozen=True, slots=True)
class Graph:
    """Edges: every choice's target and, for a VIP fragment, its upsell. Endings lead nowhere
    (the story is over there), so their choices are not edges.
    """

    fragments: tuple[Fragment, ...]
    succ: list[list[int]]
    roots: list[int]
    """The story start and every chapter start (deep links enter there)."""
    reachable: list[bool]
    comp: list[int]
    """SCC per fragment, numbered sinks first (an edge u->v between SCCs has comp[u] > comp[v]);
    -1 for unreachable fragments."""
    comp_count: int
    cyclic: list[bool]
    """Per SCC: it holds a cycle (more than one fragment, or a choice back to itself)."""


def build_graph(story: Story) -> Graph:
    frags = story.by_index
    index = {f.id: f.index for f in frags}
    succ: list[list[int]] = []
    for f in frags:
        out: list[int] = []
        if f.ending is None:
            for c in f.choices:
                t = index.get(c.target)
                if t is not None:
                    out.append(t)
        if f.vip_rank > 0 and f.upsell is not None and f.upsell in index:
            out.append(index[f.upsell])
        succ.append(out)
    roots = [index[s] for s in _starts(story) if s in index]
    reachable = reach(succ, roots)
    comp, count = strongly_connected(succ, roots)
    return Graph(frags, succ, roots, reachable, comp, count, cyclic_components(succ, comp, count))


def _starts(story: Story) -> list[str]:
    return [story.start, *(ch.start for ch in story.chapters.values())]


def reach(succ: Adjacency, roots: Iterable[int], seen: list[bool] | None = None) -> list[bool]:
    """Which nodes can be reached from `roots`; extends `seen` in place when given."""
    if seen is None:
        seen = [False] * len(succ)
    todo = [r for r in roots if not seen[r]]
    for r in todo:
        seen[r] = True
    while todo:
        for w in succ[todo.pop()]:
            if not seen[w]:
                seen[w] = True
                todo.append(w)
    return seen


def strongly_connected(succ: Adjacency, roots: Iterable[int]) -> tuple[list[int], int]:
    """Tarjan's algorithm without recursion, over the nodes reachable from `roots`.

    Returns (component per node, number of components); components come out in reverse
    topological order, so an edge between two components always goes to a lower number.
    Unvisited nodes keep -1.
    """
    n = len(succ)
    order = [-1] * n  # discovery index
    low = [0] * n
    comp = [-1] * n
    on_stack = [False] * n
    stack: list[int] = []
    counter = 0
    count = 0
    for root in roots:
        if order[root] >= 0:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        path = [root]
        iters = [iter(succ[root])]
        while path:
            v = path[-1]
            for w in iters[-1]:
                if order[w] < 0:
                    order[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    path.append(w)
                    iters.append(iter(succ[w]))
                    break
                if on_stack[w] and order[w] < low[v]:
                    low[v] = order[w]
            else:  # every edge of v is done
                path.pop()
                iters.pop()
                if path and low[v] < low[path[-1]]:
                    low[path[-1]] = low[v]
                if low[v] == order[v]:
                    while True:
                        w = stack.pop()
                        on_stack[w] = False
                        comp[w] = count
                        if w == v:
                            break
                    count += 1
    return comp, count


def cyclic_components(succ: Adjacency, comp: Sequence[int], count: int) -> list[bool]:
    """Per component: does it hold a cycle (two or more nodes, or a self-loop)?"""
    size = [0] * count
    cyclic = [False] * count
    for v, c in enumerate(comp):
        if c >= 0:
            size[c] += 1
            if not cyclic[c] and v in succ[v]:
                cyclic[c] = True
    return [cyclic[c] or size[c] > 1 for c in range(count)]


def can_reach(succ: Adjacency, targets: Iterable[int]) -> list[bool]:
    """Which nodes have a path to one of `targets` (a search over the reversed edges)."""
    pred: list[list[int]] = [[] for _ in succ]
    for v, out in enumerate(succ):
        for w in out:
            pred[w].append(v)
    return reach(pred, targets)
