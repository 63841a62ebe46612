"""The preview's state machine: one player in one story, every action undoable and replayable.

A `Session` keeps a history of frames (state, clock, the screen shown); `back()` pops one. The
actions that led to the current frame are recorded in a form that survives content edits
(buttons by reference, not by number), so `replay()` can rebuild the session on a reloaded
story the way Inky does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from cli.play.player import enter, prepare, suggest
from engine.content.compiled import Story
from engine.runtime import (
    AdminGrant,
    Button,
    CheckIn,
    Engine,
    Event,
    ExpireVip,
    GrantVip,
    MessagePart,
    Outcome,
    Output,
    PlayerState,
    ReturnAfterAbsence,
    RuntimeMisuse,
    Step,
)
from engine.telegram.formatting import lock_notice

ActionKind = Literal["choose", "checkin", "grant", "vip", "advance", "language", "jump"]
EVENING = time(21, 0)
"""When a preview starts on a given day, in the story's time zone: the invitation says nine."""


_REFUSED = {
    Outcome.STALE: "that button is not on the screen now (stale)",
    Outcome.UNAVAILABLE: "locked: its condition does not hold now",
    Outcome.ALREADY_TAKEN: "already taken: it can be chosen only once",
}


class SessionError(Exception):
    """A mistake at the prompt (no such button, unknown fragment...): shown, never fatal."""


@dataclass(frozen=True, slots=True)
class Setup:
    """Who plays and how the session starts (the preview's options)."""

    seed: int = 1
    name: str = "Ana"
    language: str | None = None
    start: str | None = None
    vip: bool = False
    points: int | None = None
    emotions: Mapping[str, int] = field(default_factory=dict)
    when: datetime | None = None
    """The clock at the start (aware); None: today at nine in the evening, story time."""


@dataclass(frozen=True, slots=True)
class Action:
    """A recorded, replayable action; `str()` gives the prompt command."""

    kind: ActionKind
    arg: str = ""

    def __str__(self) -> str:
        prompt = {"checkin": "d", "vip": "v", "advance": "t", "language": "l", "jump": "j"}
        if self.kind == "choose":
            return f"choose {self.arg}"
        if self.kind == "grant":
            return f"+{self.arg}" if not self.arg.startswith("-") else self.arg
        return f"{prompt[self.kind]} {self.arg}".strip()


@dataclass(frozen=True, slots=True)
class Frame:
    state: PlayerState
    now: datetime
    screen: Output
    """The current fragment and its buttons, as the player sees them now."""
    action: Action | None


@dataclass(frozen=True, slots=True)
class Shown:
    """What one action displays: the step's messages, then the buttons now on screen."""

    parts: tuple[MessagePart, ...]
    buttons: tuple[Button, ...]
    ended: bool
    events: tuple[Event, ...] = ()
    outcome: Outcome | None = None
    note: str | None = None
    popup: str | None = None
    """The pop-up Telegram shows for a refused tap (bot.yaml's wording), when there is one."""

    @property
    def scene(self) -> bool:
        """True when the messages include the fragment (not just a reply or a note)."""
        return any(p.kind == "fragment" for p in self.parts)


def parse_when(text: str, story: Story) -> datetime:
    """`2026-12-01` (nine in the evening, story time) or a full ISO date and time."""
    zone = ZoneInfo(story.timezone)
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), EVENING, zone)
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


class Session:
    """One player playing `story`; every method returns what to show."""

    def __init__(self, story: Story, setup: Setup) -> None:
        self.story = story
        self.engine = Engine(story)
        self.setup = setup
        self.history: list[Frame] = []
        self.opening = self._begin()

    # --- where we are ----------------------------------------------------------------------

    @property
    def frame(self) -> Frame:
        return self.history[-1]

    @property
    def state(self) -> PlayerState:
        return self.frame.state

    @property
    def now(self) -> datetime:
        return self.frame.now

    @property
    def actions(self) -> list[Action]:
        return [f.action for f in self.history if f.action is not None]

    # --- actions ---------------------------------------------------------------------------

    def press(self, number: int) -> Shown:
        """Press the `number`th button on screen (1-based), locked ones included."""
        offered = self.frame.screen.buttons
        if self.frame.screen.ended:
            raise SessionError("the story has ended here: b goes back, j jumps, q quits")
        if not 1 <= number <= len(offered):
            raise SessionError(f"no button {number}; choose 1 to {len(offered)}")
        return self.do(Action("choose", offered[number - 1].ref))

    def press_label(self, label: str) -> Shown:
        offered = self.frame.screen.buttons
        for button in offered:
            if button.label == label:
                return self.do(Action("choose", button.ref))
        labels = ", ".join(repr(b.label) for b in offered) or "none"
        raise SessionError(f"no button {label!r} here; offered: {labels}")

    def do(self, action: Action) -> Shown:
        state, now = self.state, self.now
        try:
            step, now = self._perform(action, state, now)
        except RuntimeMisuse as exc:
            raise SessionError(str(exc)) from None
        screen = self.engine.view(step.state, now)
        if step.state is not state or now != self.now:
            self.history.append(Frame(step.state, now, screen, action))
        note = _REFUSED.get(step.outcome) if action.kind == "choose" else None
        popup = self._popup(action, step, screen)
        return Shown(
            step.output.parts, screen.buttons, screen.ended, step.events, step.outcome, note, popup
        )

    def _popup(self, action: Action, step: Step, screen: Output) -> str | None:
        """What the bot answers a refused tap with (see `formatting.lock_notice`)."""
        if action.kind != "choose" or step.outcome in {Outcome.MOVED, Outcome.UNCHANGED}:
            return None
        if self.story.bot is None:
            return None
        button = None
        if step.outcome is not Outcome.STALE:
            button = next((b for b in screen.buttons if b.ref == action.arg), None)
        return lock_notice(self.engine, step.state, button)

    def back(self) -> bool:
        if len(self.history) <= 1:
            return False
        self.history.pop()
        return True

    def current(self) -> Shown:
        """The current fragment again, as a fresh view."""
        out = self.engine.view(self.state, self.now)
        return Shown(out.parts, out.buttons, out.ended)

    def replay(self, story: Story) -> tuple[Session, str | None]:
        """This session's actions played again on `story`; the reason replay stopped early."""
        fresh = Session(story, self.setup)
        for number, action in enumerate(self.actions, start=1):
            try:
                shown = fresh.do(action)
            except SessionError as exc:
                return fresh, f"step {number} ({action}): {exc}"
            if action.kind == "choose" and shown.outcome is not Outcome.MOVED:
                outcome = shown.outcome.value if shown.outcome else "?"
                return fresh, f"step {number} ({action}) is no longer possible: {outcome}"
        return fresh, None

    # --- the engine calls ------------------------------------------------------------------

    def _perform(self, action: Action, state: PlayerState, now: datetime) -> tuple[Step, datetime]:
        e, kind, arg = self.engine, action.kind, action.arg
        if kind == "choose":
            return e.choose(state, arg, now), now
        if kind == "checkin":
            return e.trigger(state, CheckIn(), now), now
        if kind == "grant":
            return e.trigger(state, AdminGrant(points=int(arg)), now), now
        if kind == "vip":
            if state.vip_active(now):
                return e.trigger(state, ExpireVip(), now), now
            return e.trigger(state, GrantVip(days=0, source="preview"), now), now
        if kind == "advance":
            later = now + timedelta(days=int(arg))
            return e.trigger(state, ReturnAfterAbsence(), later), later
        if kind == "language":
            if arg not in self.story.languages:
                offered = ", ".join(self.story.languages)
                raise SessionError(f"language '{arg}' is not offered; valid: {offered}")
            changed = state._replace(language=arg)
            return Step(changed, self.engine.view(changed, now), (), Outcome.UNCHANGED), now
        return self._jump(state, now, arg), now

    def _jump(self, state: PlayerState, now: datetime, target: str) -> Step:
        """Start at a chapter's start, or enter any fragment (with its gates and effects)."""
        story = self.story
        if target in story.chapters:
            return self.engine.start(state, now, target)
        if target not in story.fragments:
            names = [*story.fragments, *story.chapters]
            raise SessionError(f"no fragment or chapter '{target}'{suggest(target, names)}")
        return enter(self.engine, state, now, target)

    def _begin(self) -> Shown:
        story, setup = self.story, self.setup
        now = setup.when or datetime.combine(
            datetime.now(ZoneInfo(story.timezone)).date(), EVENING, ZoneInfo(story.timezone)
        )
        try:
            state, events = prepare(
                self.engine,
                now,
                seed=setup.seed,
                name=setup.name,
                language=setup.language,
                vip=setup.vip,
                points=setup.points,
                emotions=setup.emotions,
            )
        except (RuntimeMisuse, ValueError) as exc:
            raise SessionError(str(exc)) from None
        try:
            if setup.start:
                step = self._jump(state, now, setup.start)
            else:
                step = self.engine.start(state, now)
        except RuntimeMisuse as exc:
            raise SessionError(str(exc)) from None
        screen = self.engine.view(step.state, now)
        self.history.append(Frame(step.state, now, screen, None))
        return Shown(
            step.output.parts, screen.buttons, screen.ended, (*events, *step.events), step.outcome
        )
