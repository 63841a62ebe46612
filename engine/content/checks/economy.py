"""What a free player can do: finish the story, see a button everywhere, afford the choices.

A free player cannot take a VIP choice, and one sent to a VIP fragment lands on its upsell
(followed as the runtime does, at most `MAX_UPSELL_HOPS` upsells in a row) or is stopped. That
gives the free player's graph; conditions are ignored (any of them may hold). Points are
bounded over the DAG of its SCCs, so the whole module stays linear in the story's size.
It runs only on stories without errors, so every choice's target is a known fragment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter, mul
from typing import TYPE_CHECKING

from engine.content.checks.graph import Graph, strongly_connected
from engine.content.compiled import Choice, Story

if TYPE_CHECKING:
    from engine.content.checks import CheckContext

MAX_UPSELL_HOPS = 4
"""As in the runtime (engine.runtime.flow): more upsells in a row than this stop the player."""
EXACT_LOOP_WORK = 50_000
"""Largest SCC (fragments x choices inside it) whose loops are settled exactly; a larger one
with any paying repeatable choice is assumed to be a money pump (no D601 warning behind it),
which keeps the check linear."""


@dataclass(frozen=True, slots=True)
class FreeGraph:
    land: list[int]
    """Where a free player sent to fragment i arrives; -1 when a VIP gate stops them."""
    succ: Sequence[Sequence[int]]
    via: Sequence[Sequence[Choice]]
    """The choice behind each edge of `succ` (same order)."""
    roots: list[int]
    scc: tuple[list[int], list[bool], list[int]]
    """`strongly_connected` of the free graph from its roots: what free players can reach."""


def free_graph(story: Story, g: Graph) -> FreeGraph:
    """The free player's graph; the story graph itself when nothing is VIP-gated."""
    frags = g.fragments
    land = list(range(len(frags)))
    gated = [f for f in frags if f.vip_rank > 0]
    if not gated and not any(map(attrgetter("vip_rank"), g.choices)):
        choices = [() if f.ending is not None else f.choices for f in frags]
        return FreeGraph(land, g.succ, choices, g.roots, (g.comp, g.cyclic, g.topo))
    upsell: dict[int, int] = {}
    for f in gated:
        to = story.fragments.get(f.upsell or "")
        if to is not None:
            upsell[f.index] = to.index
    for f in gated:
        cur, hops = f.index, 0
        while frags[cur].vip_rank > 0 and hops < MAX_UPSELL_HOPS and cur in upsell:
            cur, hops = upsell[cur], hops + 1
        land[f.index] = cur if frags[cur].vip_rank == 0 else -1
    succ: list[Sequence[int]] = []
    via: list[Sequence[Choice]] = []
    for f, ts in zip(frags, g.targets, strict=True):
        out: list[int] = []
        chosen: list[Choice] = []
        if not f.vip_rank and f.ending is None:
            for c, t in zip(f.choices, ts, strict=True):
                if not c.vip_rank and land[t] >= 0:
                    out.append(land[t])
                    chosen.append(c)
        succ.append(out)
        via.append(chosen)
    roots = [land[r] for r in g.roots if land[r] >= 0]
    return FreeGraph(land, succ, via, roots, strongly_connected(succ, roots))


def check(ctx: CheckContext) -> None:
    """D601-D603 for free players; skipped after errors (the graph may be incomplete)."""
    if ctx.has_errors_before:
        return
    story, g = ctx.story, ctx.graph
    start = story.fragments.get(story.start)
    if start is None:
        return
    fg = free_graph(story, g)
    first = fg.land[start.index]
    comp = fg.scc[0]
    # A gated start without an upsell is D505's; from an open start, some ending must be free.
    # The start is the first root, so what it reaches are the SCCs numbered up to its own.
    if first >= 0 and not any(
        0 <= comp[f.index] <= comp[first] for f in g.fragments if f.ending is not None
    ):
        ctx.bag.add("D603", start.pos)
    # every choice hidden means the first one is: a cheap filter before the real test
    hiding = [f for f in g.fragments if f.choices and not f.choices[0].show_vip_locked]
    for f in hiding:
        if comp[f.index] >= 0 and all(
            not c.show_vip_locked and (c.vip_rank > 0 or fg.land[t] < 0)
            for c, t in zip(f.choices, g.targets[f.index], strict=True)
        ):
            ctx.bag.add("D602", f.pos, id=f.id)
    if any(map(attrgetter("cost"), g.choices)):
        _unaffordable(ctx, fg)


def _unaffordable(ctx: CheckContext, fg: FreeGraph) -> None:
    """D601: the most points a free player can hold on arriving, as an upper bound.

    Over the DAG of SCCs (sources first): a fragment on its own adds its first-visit reward;
    an edge between SCCs charges its cost (never below zero: the player may have waited for
    daily gifts) and pays its reward. Inside an SCC with a cycle, a player can collect every
    first-visit reward and every once-only gain, and repeat the repeatable gains once per
    once-only choice taken (a cycle of repeatable choices alone never pays, or the SCC is
    unbounded). Unbounded SCCs, and everything after them, are never warned about.
    """
    frags = ctx.story.by_index
    succ, via = fg.succ, fg.via
    comp, cyclic, topo = fg.scc
    count = len(cyclic)
    gained = [0] * count  # inside an SCC with a cycle, see above
    once_count = [0] * count
    repeat_gain = [0] * count
    size = [0] * count
    inner = [0] * count
    for v in topo:
        c = comp[v]
        if cyclic[c]:
            gained[c] += frags[v].reward
            size[c] += 1
            for w, ch in zip(succ[v], via[v], strict=True):
                if comp[w] == c:
                    inner[c] += 1
                    gain = ch.reward - ch.cost
                    if ch.once:
                        once_count[c] += 1
                        if gain > 0:
                            gained[c] += gain
                    elif gain > 0:
                        repeat_gain[c] += gain
    work = list(map(mul, size, inner))  # what settling an SCC's loops exactly may cost
    unbounded = _money_pumps(fg, repeat_gain, work)
    entry = [-1] * count
    for r in fg.roots:
        entry[comp[r]] = max(entry[comp[r]], ctx.story.economy.starting_points)
    best = 0
    current = -1
    for v in reversed(topo):  # sources first; an SCC's members are contiguous
        c = comp[v]
        if c != current:
            current = c
            if cyclic[c]:
                best = entry[c] + gained[c] + (once_count[c] + 1) * repeat_gain[c]
            else:
                best = entry[c] + frags[v].reward
        if unbounded[c]:
            for w in succ[v]:
                unbounded[comp[w]] = True
            continue
        for w, ch in zip(succ[v], via[v], strict=True):
            cost = ch.cost
            if cost > best:
                ctx.bag.add("D601", ch.pos, cost=cost, best=best)
            arrival = (best - cost if best > cost else 0) + ch.reward
            d = comp[w]  # an edge inside the SCC updates an entry no longer read: harmless
            entry[d] = max(entry[d], arrival)


def _money_pumps(fg: FreeGraph, repeat_gain: list[int], work: list[int]) -> list[bool]:
    """Per SCC: does a loop of repeatable choices pay more than it costs?

    Only loops of repeatable choices can be taken forever. An SCC without a paying repeatable
    choice has none; one too large to settle quickly (`work` over `EXACT_LOOP_WORK`) is assumed
    to have one. Otherwise, among the SCCs of its repeatable choices, one whose choices all
    gain is a pump, and one with mixed gains is settled exactly (Bellman-Ford).
    """
    comp, _, topo = fg.scc
    pumps = [g > 0 and w > EXACT_LOOP_WORK for g, w in zip(repeat_gain, work, strict=True)]
    exact = [gain > 0 and not pump for gain, pump in zip(repeat_gain, pumps, strict=True)]
    if not any(exact):
        return pumps
    rsucc: list[Sequence[int]] = [()] * len(fg.succ)
    edges: list[tuple[int, int, int]] = []
    for v in topo:
        c = comp[v]
        if exact[c]:
            moves = [
                (w, ch.reward - ch.cost)
                for w, ch in zip(fg.succ[v], fg.via[v], strict=True)
                if not ch.once and comp[w] == c
            ]
            rsucc[v] = [w for w, _ in moves]
            edges.extend((v, w, gain) for w, gain in moves)
    rcomp, rcyclic, _ = strongly_connected(rsucc, [v for v, _, gain in edges if gain > 0])
    loops: list[list[tuple[int, int, int]]] = [[] for _ in rcyclic]
    for v, w, gain in edges:
        if rcomp[v] >= 0 and rcomp[v] == rcomp[w]:
            loops[rcomp[v]].append((v, w, gain))
    for loop in loops:
        if any(gain > 0 for _, _, gain in loop) and _pays(loop):
            pumps[comp[loop[0][0]]] = True
    return pumps


def _pays(loop: list[tuple[int, int, int]]) -> bool:
    """Is there a cycle of positive total gain among these edges (one SCC, small)?"""
    if all(gain >= 0 for _, _, gain in loop):
        return True  # every edge of an SCC lies on a cycle, and one of them gains
    nodes = {v for v, _, _ in loop}
    best = dict.fromkeys(nodes, 0)
    for _ in range(len(nodes)):
        changed = False
        for v, w, gain in loop:
            if best[v] + gain > best[w]:
                best[w] = best[v] + gain
                changed = True
        if not changed:
            return False
    return True
