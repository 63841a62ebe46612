"""Directed search for the choices random play never pressed.

Some routes need a deliberate player: Diana withdrawn after two rebuffs at the bar, fond of
you by the greenhouse, or not yet trusting at dawn. Random runs rarely line those up, so after
them every choice still unpressed whose fragment was reached becomes a target, and a best-first
search plays towards it from the start, as each profile in turn. A state's score is how far the
target's condition and price are from being met (`distance`) plus the buttons between its
fragment and the target's (`routes`). States that bring their fragment a fact not seen at their
score go first (the novelty of best-first width search), so one branch's many near-copies
cannot starve another; states that agree on everything a condition reads are searched once
(`relevance`). What is found is a real route, replayable with `diana preview`, and is played on
at random to an ending like any run.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from cli.play.distance import closed, distance
from cli.play.playtest import Coverage, Tally, in_scope, play_on
from cli.play.profiles import MAX_CHECKINS, Profile, begin, next_day
from cli.play.relevance import Relevance
from cli.play.routes import Routes
from engine.content.compiled import Choice, Story
from engine.runtime import Engine, Outcome, PlayerState
from engine.runtime.evaluation import Context, vip_rank

DETOUR = 10
"""Buttons of detour worth one unit nearer the target's condition (`distance`)."""
ROUNDS = 3
"""Searches again while a round reaches new fragments (their choices become targets)."""


@dataclass(frozen=True, slots=True)
class Found:
    choice: str
    """The target, `fragment.choice`."""
    profile: Profile
    path: tuple[str, ...]
    """Button references and `checkin`s from the start, the target's button last."""
    state: PlayerState
    now: datetime
    states: int
    """States searched to find it."""


@dataclass(frozen=True, slots=True)
class _Node:
    state: PlayerState
    now: datetime
    path: tuple[str, ...]
    checkins: int
    pressed: int
    """Buttons pressed since the player last came back (for `Profile.session`)."""


def targets(story: Story, coverage: Coverage, chapter: str | None = None) -> list[str]:
    """Choices never pressed whose own fragment was reached, in story order."""
    return [
        f"{f.id}.{c.id}"
        for f in story.by_index
        if f.id in coverage.fragments and (chapter is None or f.chapter == chapter)
        for c in f.choices
        if f"{f.id}.{c.id}" not in coverage.choices
    ]


def seek(
    story: Story,
    tallies: Sequence[Tally],
    coverage: Coverage,
    *,
    budget: int,
    now: datetime,
    seed: int,
    max_steps: int,
    chapter: str | None = None,
) -> list[Found]:
    """Search for every target as each tally's profile in turn (first find wins); record
    what the routes reach in `coverage`, and soft-locks or errors past them in the tally.

    Every profile first gets a tenth of the budget, so a cheap find as the right profile
    (a player with income, say) is not preceded by a full, fruitless search as another."""
    searches = []
    for tally in tallies:
        try:
            searches.append(Search(story, tally, coverage, now=now, seed=seed, chapter=chapter))
        except Exception as exc:  # a crash is a finding (random runs have met it too)
            tally.errors.append({"error": f"{type(exc).__name__}: {exc}", "path": []})
    found: list[Found] = []
    tried: set[str] = set()
    for _ in range(ROUNDS):
        reached = len(coverage.fragments)
        for ref in targets(story, coverage, chapter):
            if ref in tried:
                continue
            tried.add(ref)
            hit = _first(searches, ref, sorted({max(1, budget // 10), budget}), coverage)
            if hit is not None:
                found.append(hit)
                origin = (hit.state, hit.now, hit.path)
                play_on(
                    story,
                    hit.profile,
                    coverage,
                    next(s.tally for s in searches if s.profile is hit.profile),
                    origin,
                    seed=seed,
                    max_steps=max_steps,
                    chapter=chapter,
                )
        if len(coverage.fragments) == reached:
            break
    return found


def _first(
    searches: Sequence[Search], ref: str, budgets: Sequence[int], coverage: Coverage
) -> Found | None:
    for budget in budgets:
        for search in searches:
            if ref in coverage.choices:  # pressed meanwhile, by another route
                return None
            hit = search.find(ref, budget)
            if hit is not None:
                return hit
    return None


class Search:
    """Best-first search towards one choice at a time, for one profile."""

    def __init__(
        self,
        story: Story,
        tally: Tally,
        coverage: Coverage,
        *,
        now: datetime,
        seed: int,
        chapter: str | None = None,
    ) -> None:
        """`tally` is the profile's: a crash while searching is reported there."""
        self.story, self.tally, self.coverage, self.chapter = story, tally, coverage, chapter
        self.profile = profile = tally.profile
        self.broken = False
        self.engine = Engine(story)
        self.relevance = Relevance.of(story)
        state, events = begin(self.engine, profile, seed, now)
        step = self.engine.start(state, now, chapter)
        coverage.record((*events, *step.events))
        self.first = _Node(step.state, now, (), 0, 0)
        self.rank = vip_rank(story, step.state, now)

    def find(self, ref: str, budget: int) -> Found | None:
        """A route that presses `ref`, seeing at most `budget` states; None if none found
        (or if searching crashed: reported once, then this profile searches no more)."""
        if self.broken:
            return None
        fid, _, cid = ref.partition(".")
        choice = next(c for c in self.story.fragments[fid].choices if c.id == cid)
        routes = Routes(self.story, fid, self.rank)
        heap: list[tuple[bool, int, int, _Node]] = []
        seen: set[Hashable] = set()
        known: dict[int, set[Hashable]] = {}

        def push(node: _Node) -> None:
            key = (self.relevance.key(node.state, node.now), self._today(node))
            if key in seen:
                return
            seen.add(key)
            ctx = Context(self.story, node.state, node.now)
            far = routes.away(node.state.fragment, ctx)
            if far is None or (choice.condition and closed(self.story, choice.condition, ctx)):
                return
            score = DETOUR * self._score(choice, ctx) + far
            facts = Relevance.facts(key[0]) | {("today", key[1])}
            old = known.setdefault(score, set())
            heapq.heappush(heap, (facts <= old, score, len(seen), node))
            old |= facts

        push(self.first)
        while heap and len(seen) <= budget:
            node = heapq.heappop(heap)[3]
            try:
                if node.state.fragment == fid:
                    step = self.engine.choose(node.state, ref, node.now)
                    if step.outcome is Outcome.MOVED:
                        self.coverage.record(step.events)
                        path = (*node.path, ref)
                        return Found(ref, self.profile, path, step.state, node.now, len(seen))
                for child in self._moves(node):
                    push(child)
            except Exception as exc:  # a crash is a finding; one is enough to give up
                error = f"{type(exc).__name__}: {exc}"
                self.tally.errors.append({"error": error, "path": list(node.path)})
                self.broken = True
                return None
        return None

    def _today(self, node: _Node) -> int:
        return node.pressed if self.profile.session else 0

    def _score(self, choice: Choice, ctx: Context) -> int:
        price = max(0, choice.cost - ctx.s.points)
        if choice.condition is None:
            return price
        return price + distance(self.story, choice.condition, ctx)

    def _moves(self, node: _Node) -> Iterator[_Node]:
        """Every button pressable from `node`, and coming back tomorrow when the profile would
        (a regular must after an evening's buttons; a daily player may when short of points)."""
        engine, profile, state, now = self.engine, self.profile, node.state, node.now
        view = engine.view(state, now)
        if view.ended or not in_scope(self.chapter, state):
            return
        more = node.checkins < MAX_CHECKINS
        if profile.session and node.pressed >= profile.session and more:
            yield self._tomorrow(node)
            return
        for button in view.buttons:
            if button.available:
                step = engine.choose(state, button.ref, now)
                self.coverage.record(step.events)
                path = (*node.path, button.ref)
                yield _Node(step.state, now, path, node.checkins, node.pressed + 1)
        short = any(b.lock == "cost" for b in view.buttons)
        if short and profile.checkins and more:
            yield self._tomorrow(node)

    def _tomorrow(self, node: _Node) -> _Node:
        back, later = next_day(self.engine, node.state, node.now)
        self.coverage.record(back.events)
        return _Node(back.state, later, (*node.path, "checkin"), node.checkins + 1, 0)
