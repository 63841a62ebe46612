"""What a free player can do: finish the story, see a button everywhere, afford the choices.

A free player cannot take a VIP choice, and one sent to a VIP fragment lands on its upsell
(followed as the runtime does, at most `MAX_UPSELL_HOPS` upsells in a row) or is stopped. That
gives the free player's graph; conditions are ignored (any of them may hold). Points are
bounded over the DAG of its SCCs, so the whole module stays linear in the story's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.content.checks.graph import reach, strongly_connected
from engine.content.compiled import Choice, Story

if TYPE_CHECKING:
    from engine.content.checks import CheckContext

MAX_UPSELL_HOPS = 4
"""As in the runtime (engine.runtime.flow): more upsells in a row than this stop the player."""
EXACT_LOOP_WORK = 50_000
"""Most edge relaxations spent proving a mixed-sign loop is not a money pump; beyond it the
loop is assumed to pay (no D601 warning behind it) so that the check stays fast."""


@dataclass(frozen=True, slots=True)
class FreeGraph:
    land: list[int | None]
    """Where a free player sent to fragment i arrives; None when a VIP gate stops them."""
    succ: list[list[int]]
    via: list[list[Choice]]
    """The choice behind each edge of `succ` (same order)."""
    roots: list[int]


def free_graph(story: Story) -> FreeGraph:
    frags = story.by_index
    land: list[int | None] = []
    for f in frags:
        cur, hops = f, 0
        while cur.vip_rank > 0 and hops < MAX_UPSELL_HOPS:
            nxt = story.fragments.get(cur.upsell or "")
            if nxt is None:
                break
            cur, hops = nxt, hops + 1
        land.append(cur.index if cur.vip_rank == 0 else None)
    succ: list[list[int]] = []
    via: list[list[Choice]] = []
    for f in frags:
        out: list[int] = []
        chosen: list[Choice] = []
        if f.vip_rank == 0 and f.ending is None:
            for c in f.choices:
                t = story.fragments.get(c.target)
                to = land[t.index] if t is not None and c.vip_rank == 0 else None
                if to is not None:
                    out.append(to)
                    chosen.append(c)
        succ.append(out)
        via.append(chosen)
    starts = [story.start, *(ch.start for ch in story.chapters.values())]
    roots = [
        r
        for s in starts
        if s in story.fragments
        for r in [land[story.fragments[s].index]]
        if r is not None
    ]
    return FreeGraph(land, succ, via, roots)


def check(ctx: CheckContext) -> None:
    """D601-D603 for free players; skipped after errors (the graph may be incomplete)."""
    if ctx.has_errors_before:
        return
    story = ctx.story
    start = story.fragments.get(story.start)
    if start is None:
        return
    fg = free_graph(story)
    first = fg.land[start.index]
    seen = reach(fg.succ, [] if first is None else [first])
    # A gated start without an upsell is D505's; from an open start, some ending must be free.
    if first is not None and not any(seen[f.index] for f in story.by_index if f.ending):
        ctx.bag.add("D603", start.pos)
    seen = reach(fg.succ, fg.roots, seen)  # deep links into chapters count for the rest
    for f in story.by_index:
        if (
            seen[f.index]
            and f.ending is None
            and f.choices
            and all(
                not c.show_vip_locked and (c.vip_rank > 0 or _stopped(story, fg, c))
                for c in f.choices
            )
        ):
            ctx.bag.add("D602", f.pos, id=f.id)
    if any(c.cost for via in fg.via for c in via):
        _unaffordable(ctx, fg)


def _stopped(story: Story, fg: FreeGraph, choice: Choice) -> bool:
    target = story.fragments.get(choice.target)
    return target is not None and fg.land[target.index] is None


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
    comp, count = strongly_connected(succ, fg.roots)
    unbounded = _money_pumps(fg, comp, count)
    members: list[list[int]] = [[] for _ in range(count)]
    gained = [0] * count  # first-visit rewards of the SCC's fragments
    once_gain = [0] * count
    once_count = [0] * count
    repeat_gain = [0] * count
    for u, c in enumerate(comp):
        if c < 0:
            continue
        members[c].append(u)
        gained[c] += frags[u].reward
        for v, ch in zip(succ[u], via[u], strict=True):
            if comp[v] == c:
                gain = ch.reward - ch.cost
                if ch.once:
                    once_count[c] += 1
                    once_gain[c] += max(gain, 0)
                else:
                    repeat_gain[c] += max(gain, 0)
    entry = [-1] * count
    for r in fg.roots:
        entry[comp[r]] = max(entry[comp[r]], ctx.story.economy.starting_points)
    best = [0] * count
    for c in range(count - 1, -1, -1):  # sources first; an SCC without a cycle has no gains
        best[c] = entry[c] + gained[c] + once_gain[c] + (once_count[c] + 1) * repeat_gain[c]
        for u in members[c]:
            for v, ch in zip(succ[u], via[u], strict=True):
                d = comp[v]
                if d == c:
                    continue
                if unbounded[c]:
                    unbounded[d] = True
                else:
                    entry[d] = max(entry[d], max(best[c] - ch.cost, 0) + ch.reward)
    for u, c in enumerate(comp):
        if c >= 0 and not unbounded[c]:
            for ch in via[u]:
                if ch.cost > best[c]:
                    ctx.bag.add("D601", ch.pos, cost=ch.cost, best=best[c])


def _money_pumps(fg: FreeGraph, comp: list[int], count: int) -> list[bool]:
    """Per SCC: does a loop of repeatable choices pay more than it costs?

    Only loops of repeatable choices can be taken forever. A loop with a gain is looked for
    among the SCCs of the repeatable choices; one whose choices all gain is a pump, one with
    mixed gains is settled exactly (Bellman-Ford) when small and assumed a pump when large.
    """
    pumps = [False] * count
    rsucc: list[list[int]] = []
    edges: list[tuple[int, int, int]] = []
    for u, (out, chosen) in enumerate(zip(fg.succ, fg.via, strict=True)):
        inner = [
            (v, ch.reward - ch.cost)
            for v, ch in zip(out, chosen, strict=True)
            if not ch.once and comp[u] >= 0 and comp[v] == comp[u]
        ]
        rsucc.append([v for v, _ in inner])
        edges.extend((u, v, gain) for v, gain in inner)
    paying = [u for u, v, gain in edges if gain > 0]
    if not paying:
        return pumps
    rcomp, rcount = strongly_connected(rsucc, paying)
    loops: list[list[tuple[int, int, int]]] = [[] for _ in range(rcount)]
    for u, v, gain in edges:
        if rcomp[u] >= 0 and rcomp[u] == rcomp[v]:
            loops[rcomp[u]].append((u, v, gain))
    for loop in loops:
        if not any(gain > 0 for _, _, gain in loop):
            continue
        c = comp[loop[0][0]]
        if not pumps[c] and _pays(loop):
            pumps[c] = True
    return pumps


def _pays(loop: list[tuple[int, int, int]]) -> bool:
    """Is there a cycle of positive total gain among these edges (one SCC)?"""
    if all(gain >= 0 for _, _, gain in loop):
        return True  # every edge of an SCC lies on a cycle, and one of them gains
    nodes = {u for u, _, _ in loop}
    if len(nodes) * len(loop) > EXACT_LOOP_WORK:
        return True
    best = dict.fromkeys(nodes, 0)
    for _ in range(len(nodes)):
        changed = False
        for u, v, gain in loop:
            if best[u] + gain > best[v]:
                best[v] = best[u] + gain
                changed = True
        if not changed:
            return False
    return True
