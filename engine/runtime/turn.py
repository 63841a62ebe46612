"""One engine call in progress: a mutable draft of the state plus what happened so far.

Every rule (flow, effects, economy) works on a `Turn`, and `finish` settles the consequences
once at the end: Diana's state, achievements (whose rewards may unlock more), levels; then it
renders the replies and the scene against the settled state and freezes the next state with
its step incremented. A call that changed nothing returns the very same state object.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from engine.content.compiled import Text
from engine.runtime import economy
from engine.runtime.emotions import derive_mood, pick, responses
from engine.runtime.evaluation import Context, vip_rank
from engine.runtime.events import EmotionalStateChanged, Event, PointsAwarded, PointsCharged
from engine.runtime.output import Button, MessagePart, Outcome, Output, PartKind, Step
from engine.runtime.plan import Plan
from engine.runtime.render import Renderer
from engine.runtime.state import Draft, PlayerState


class Turn:
    __slots__ = (
        "base",
        "changed",
        "ctx",
        "d",
        "events",
        "notes",
        "now",
        "plan",
        "replies",
        "scene",
        "story",
    )

    def __init__(self, plan: Plan, state: PlayerState, now: datetime) -> None:
        self.plan = plan
        self.story = plan.story
        self.base = state
        self.d = Draft.of(state)
        self.now = now
        self.ctx = Context(self.story, self.d, now)
        """Conditions read the draft, so they see every change made so far."""
        self.events: list[Event] = []
        self.replies: list[tuple[str, Mapping[str, Any]]] = []
        self.notes: list[tuple[PartKind, Text]] = []
        """Achievements and levels to announce, rendered after settling."""
        self.changed = False
        self.scene = False
        """Show the current fragment (with its buttons) after the replies."""

    def rank(self) -> int:
        if self.d.vip_tier is None:  # the common case, without a call
            return 0
        return vip_rank(self.story, self.d, self.now)

    def boost(self, amount: int) -> int:
        """Engagement rewards for active VIPs: `vip_multiplier_percent`, rounded down."""
        if self.d.vip_active(self.now):
            return amount * self.story.economy.vip_multiplier_percent // 100
        return amount

    def award(self, amount: int, reason: str) -> int:
        if amount <= 0:
            return 0
        d = self.d
        d.points += amount
        d.lifetime_points += amount
        self.events.append(PointsAwarded(amount, reason, d.points))
        self.changed = True
        return amount

    def charge(self, amount: int, reason: str) -> int:
        """Take up to `amount` (never below zero); callers check the balance when it matters."""
        amount = min(amount, self.d.points)
        if amount <= 0:
            return 0
        self.d.points -= amount
        self.events.append(PointsCharged(amount, reason, self.d.points))
        self.changed = True
        return amount

    def emit(self, event: Event) -> None:
        self.events.append(event)

    def reply(self, response_set: str, **extra: Any) -> None:
        """Answer with one of Diana's variants from `response_set` (if the story has it)."""
        self.replies.append((response_set, extra))

    def finish(self, outcome: Outcome) -> Step:
        d = self.d
        story = self.story
        if self.changed:
            self._settle()
            d.step += 1
            d.last_seen = self.now
        renderer = Renderer(self.plan, d)
        parts: list[MessagePart] = []
        for response_set, extra in self.replies:
            variants = responses(story, response_set, d.mood)
            if variants:
                text = variants[pick(d.seed, response_set, d.mood, d.step, len(variants))]
                parts.append(
                    MessagePart(
                        "response", renderer.text(text, extra), text.id, story.emotions.character
                    )
                )
        for kind, text in self.notes:
            parts.append(MessagePart(kind, renderer.text(text), text.id))
        buttons: tuple[Button, ...] = ()
        ended = False
        if self.scene and d.fragment is not None:
            fragment = story.fragments.get(d.fragment)
            if fragment is not None:
                parts.extend(renderer.fragment(fragment))
                buttons = renderer.buttons(fragment.id, self.ctx, self.rank())
                ended = fragment.ending is not None
        state = d.freeze() if self.changed else self.base
        return Step(state, Output(tuple(parts), buttons, ended), tuple(self.events), outcome)

    def _settle(self) -> None:
        self._update_mood()
        if economy.unlock_achievements(self, self.ctx):
            self._update_mood()
        economy.level_ups(self)

    def _update_mood(self) -> None:
        d = self.d
        mood = derive_mood(self.story, self.ctx, d.mood)
        if mood != d.mood:
            self.events.append(EmotionalStateChanged(d.mood, mood))
            d.mood = mood
