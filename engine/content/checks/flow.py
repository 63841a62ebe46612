"""Story flow: can every fragment be reached, and can every player always move on and finish?

Conditions are ignored here (any of them may hold), and so are VIP gates: these are questions
about the shape of the story. What a free player can do is the economy module's business.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.content.checks.graph import can_reach

if TYPE_CHECKING:
    from engine.content.checks import CheckContext


def check(ctx: CheckContext) -> None:
    """D501-D505; skipped after errors, when a dangling target would make them misleading."""
    if ctx.has_errors_before:
        return
    story, bag, g = ctx.story, ctx.bag, ctx.graph
    frags = g.fragments
    for f in frags:
        if not g.reachable[f.index]:
            bag.add("D501", f.pos, id=f.id)
        if f.ending is None and not f.choices:
            bag.add("D502", f.pos, id=f.id)
    _no_exit(ctx)
    for f in frags:
        if (
            g.reachable[f.index]
            and f.ending is None
            and f.choices
            and g.cyclic[g.comp[f.index]]
            and all(c.once for c in f.choices)
        ):
            bag.add("D504", f.pos, id=f.id)
    start = story.fragments.get(story.start)
    if start is not None and start.vip_rank > 0:
        bag.add("D505", start.pos, id=start.id)


def _no_exit(ctx: CheckContext) -> None:
    """D503 once per closed loop: a reachable SCC with a cycle that no edge leaves, and from
    which no ending can be reached. Fragments that merely lead into such a loop are not
    reported: fixing the loop fixes them. Dead ends (no choices) are D502's.
    """
    g = ctx.graph
    finishes = can_reach(g.succ, [f.index for f in g.fragments if f.ending is not None])
    leaves = [False] * g.comp_count
    first: list[int | None] = [None] * g.comp_count
    size = [0] * g.comp_count
    for v, c in enumerate(g.comp):
        if c < 0 or finishes[v]:
            continue
        size[c] += 1
        if first[c] is None:
            first[c] = v  # fragments are visited in index order
        if any(g.comp[w] != c for w in g.succ[v]):
            leaves[c] = True
    for c in range(g.comp_count):
        head = first[c]
        if head is not None and g.cyclic[c] and not leaves[c]:
            f = g.fragments[head]
            ctx.bag.add("D503", f.pos, id=f.id, size=size[c])
