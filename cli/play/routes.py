"""How many buttons lie between each fragment and a goal, for the directed search (`seek`).

The story's graph ignores conditions and prices (they are the search's job), but not the ways
a player has closed for good: a once-only choice taken, `not visited("x")` after visiting x.
Visits, clues and choices only grow, so such a way never reopens, and a state from which the
goal is out of reach is not worth searching.
"""

from __future__ import annotations

from collections import deque

from cli.play.distance import closable, closed
from engine.content.compiled import Choice, Story
from engine.runtime.evaluation import Context


class Routes:
    """Fewest buttons from each fragment to a goal for a player of one VIP rank, ignoring
    conditions and prices (a VIP gate sends a player to its upsell, as in play), except the
    ways a state has closed for good: a once-only choice taken, `not visited(...)` visited."""

    def __init__(self, story: Story, goal: str, rank: int) -> None:
        self.story, self.goal = story, goal
        self.edges: list[tuple[str, str, str, Choice]] = []
        for f in story.by_index:
            for c in f.choices:
                to = story.fragments.get(c.target)
                if c.vip_rank > rank or to is None:
                    continue
                if to.vip_rank > rank:
                    if to.upsell is None or to.upsell not in story.fragments:
                        continue
                    to = story.fragments[to.upsell]
                self.edges.append((f.id, to.id, f"{f.id}.{c.id}", c))
        self.closing = [
            (i, ref, c)
            for i, (_, _, ref, c) in enumerate(self.edges)
            if c.once or (c.condition is not None and closable(c.condition))
        ]
        self._cache: dict[frozenset[int], dict[str, int]] = {}

    def away(self, fragment: str | None, ctx: Context) -> int | None:
        """Buttons from `fragment` to the goal for the state in `ctx`; None when it cannot get
        there any more."""
        s = ctx.s
        shut = frozenset(
            i
            for i, ref, c in self.closing
            if (c.once and ref in s.chosen)
            or (c.condition is not None and closed(self.story, c.condition, ctx))
        )
        dist = self._cache.get(shut)
        if dist is None:
            dist = self._cache[shut] = self._distances(shut)
        return dist.get(fragment or "")

    def _distances(self, shut: frozenset[int]) -> dict[str, int]:
        into: dict[str, list[str]] = {}
        for i, (src, dst, _, _) in enumerate(self.edges):
            if i not in shut:
                into.setdefault(dst, []).append(src)
        dist = {self.goal: 0}
        queue = deque([self.goal])
        while queue:
            here = queue.popleft()
            for before in into.get(here, ()):
                if before not in dist:
                    dist[before] = dist[here] + 1
                    queue.append(before)
        return dist
