"""Story flow: can every fragment be reached, and can every player always move on and finish?

Conditions are ignored here (any of them may hold), and so are VIP gates: these are questions
about the shape of the story. What a free player can do is the economy module's business.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.content.checks import CheckContext


def check(ctx: CheckContext) -> None:
    """D501-D505; skipped after errors, when a dangling target would make them misleading."""
    if ctx.has_errors_before:
        return
    story, bag, g = ctx.story, ctx.bag, ctx.graph
    comp, cyclic = g.comp, g.cyclic
    for f in g.fragments:
        c = comp[f.index]
        if c < 0:
            bag.add("D501", f.pos, id=f.id)
        if f.ending is not None:
            continue
        if not f.choices:
            bag.add("D502", f.pos, id=f.id)
        elif c >= 0 and cyclic[c] and all(ch.once for ch in f.choices):
            bag.add("D504", f.pos, id=f.id)
    _no_exit(ctx)
    start = story.fragments.get(story.start)
    if start is not None and start.vip_rank > 0:
        bag.add("D505", start.pos, id=start.id)


def _no_exit(ctx: CheckContext) -> None:
    """D503 once per closed loop: a reachable SCC with a cycle that no edge leaves.

    Endings have no edges, so such an SCC holds none and can reach none. Fragments that merely
    lead into a closed loop are not reported (fixing the loop fixes them), and a fragment
    without choices is D502's.
    """
    g = ctx.graph
    comp, cyclic, succ = g.comp, g.cyclic, g.succ
    leaves = [not c for c in cyclic]  # only SCCs with a cycle are of interest
    for v in g.topo:
        c = comp[v]
        if not leaves[c]:
            for w in succ[v]:
                if comp[w] != c:
                    leaves[c] = True
                    break
    closed: dict[int, list[int]] = {}
    for v in g.topo:
        if not leaves[comp[v]]:
            closed.setdefault(comp[v], []).append(v)
    for members in closed.values():
        f = g.fragments[min(members)]
        ctx.bag.add("D503", f.pos, id=f.id, size=len(members))
