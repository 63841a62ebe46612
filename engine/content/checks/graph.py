"""The story as a graph of fragment indices, with reachability and strongly connected components.

Flow, economy and emotion checks all ask the same questions (where does each choice lead, what
can be reached, what lies on a cycle, where do effects happen), so one pass over the fragments
answers them for all, once per load. Stories may have tens of thousands of fragments: every
algorithm here is linear and iterative (no recursion) on plain lists of ints, and every
fragment and choice is visited once, because on a large story touching objects is the cost.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from engine.content.compiled import Choice, Effects, Fragment, Story
from engine.content.expressions import Expression

Adjacency = Sequence[Sequence[int]]


@dataclass(frozen=True, slots=True)
class Graph:
    """Edges: every choice's target and, for a VIP fragment, its upsell (where free players
    land instead). An ending's choices are not edges: the story is over there.
    """

    fragments: tuple[Fragment, ...]
    targets: list[list[int]]
    """Per fragment, the index of each choice's target (in choice order); -1 if unknown."""
    succ: list[list[int]]
    roots: list[int]
    """The story start first, then every chapter start (deep links enter there)."""
    comp: list[int]
    """SCC per fragment, numbered sinks first (an edge u->v between SCCs has comp[u] > comp[v]);
    -1 for a fragment no start reaches."""
    cyclic: list[bool]
    """Per SCC: it holds a cycle (more than one fragment, or a choice back to itself)."""
    topo: list[int]
    """The reachable fragments, grouped by SCC, sinks first."""
    choices: list[Choice]
    """Every fragment's choices, in order, in one list."""
    on_enter: list[tuple[int, Effects]]
    """Every fragment's `on_enter` effects: (fragment, effects)."""
    choice_effects: list[tuple[int, int, Effects]]
    """Every choice's effects: (fragment, target or -1, effects); an ending's never run."""
    conditions: list[Expression]
    """Every choice's condition."""


def build_graph(story: Story) -> Graph:
    frags = story.by_index
    get = {f.id: f.index for f in frags}.get
    targets: list[list[int]] = []
    succ: list[list[int]] = []
    choices: list[Choice] = []
    on_enter: list[tuple[int, Effects]] = []
    choice_effects: list[tuple[int, int, Effects]] = []
    conditions: list[Expression] = []
    for f in frags:  # one pass over every fragment and choice: touching each is what costs
        u, ts = f.index, []
        for c in f.choices:
            t = get(c.target, -1)
            ts.append(t)
            choices.append(c)
            if c.effects is not None and f.ending is None:
                choice_effects.append((u, t, c.effects))
            if c.condition is not None:
                conditions.append(c.condition)
        targets.append(ts)
        out = [] if f.ending is not None else ts if -1 not in ts else [t for t in ts if t >= 0]
        if f.vip_rank > 0 and f.upsell is not None and get(f.upsell, -1) >= 0:
            out = [*out, get(f.upsell, -1)]  # where free players land instead
        succ.append(out)
        if f.on_enter is not None:
            on_enter.append((u, f.on_enter))
    starts = [story.start, *(ch.start for ch in story.chapters.values())]
    roots = [r for r in map(get, starts) if r is not None]
    comp, cyclic, topo = strongly_connected(succ, roots)
    return Graph(
        frags,
        targets,
        succ,
        roots,
        comp,
        cyclic,
        topo,
        choices,
        on_enter,
        choice_effects,
        conditions,
    )


def strongly_connected(
    succ: Adjacency, roots: Iterable[int]
) -> tuple[list[int], list[bool], list[int]]:
    """Tarjan's algorithm without recursion, over the nodes reachable from `roots`.

    Returns (component per node or -1 if unreached, whether each component holds a cycle,
    the reached nodes grouped by component). Components come out sinks first: an edge between
    two components always goes to a lower number. What the first root reaches is exactly the
    components numbered up to the first root's own (its search completes them all first).
    """
    n = len(succ)
    order = [0] * n  # discovery number, from 1; 0: not yet seen
    low = [0] * n
    comp = [-1] * n  # a seen node without a component is on the stack
    cyclic: list[bool] = []
    stack: list[int] = []
    topo: list[int] = []
    counter = 0
    for root in roots:
        if order[root]:
            continue
        counter += 1
        order[root] = low[root] = counter
        stack.append(root)
        path = [root]
        iters = [iter(succ[root])]
        while path:
            v = path[-1]
            for w in iters[-1]:
                if not order[w]:
                    counter += 1
                    order[w] = low[w] = counter
                    stack.append(w)
                    path.append(w)
                    iters.append(iter(succ[w]))
                    break
                if comp[w] < 0 and order[w] < low[v]:
                    low[v] = order[w]
            else:  # every edge of v is done
                path.pop()
                iters.pop()
                lv = low[v]
                if lv == order[v]:
                    c = len(cyclic)
                    w = stack.pop()
                    comp[w] = c
                    topo.append(w)
                    single = w == v
                    while w != v:
                        w = stack.pop()
                        comp[w] = c
                        topo.append(w)
                    cyclic.append(not single or v in succ[v])
                elif lv < low[path[-1]]:
                    low[path[-1]] = lv
    return comp, cyclic, topo
