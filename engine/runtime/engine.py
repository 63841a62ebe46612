"""The runtime's facade: one `Engine` per compiled story, a handful of pure methods.

Every method takes a state and the current time (an aware datetime; the runtime never reads a
clock) and returns a `Step`: the next state, the output to show and the domain events. A state
saved under another content version is migrated first, transparently.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.content.compiled import Story, Text
from engine.runtime import economy, flow
from engine.runtime.emotions import derive_mood, initial_mood, return_after_absence
from engine.runtime.errors import InvalidArgument
from engine.runtime.evaluation import Context
from engine.runtime.events import PointsAwarded
from engine.runtime.migrate import migrate
from engine.runtime.output import Outcome, Output, Step
from engine.runtime.plan import Plan
from engine.runtime.pmap import PMap
from engine.runtime.render import Renderer
from engine.runtime.state import Draft, PlayerState
from engine.runtime.triggers import (
    AdminGrant,
    CheckIn,
    Comment,
    ExpireVip,
    GrantVip,
    Payment,
    Post,
    Reaction,
    ReturnAfterAbsence,
    Trigger,
)
from engine.runtime.turn import Turn

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Engine:
    """Plays `story` for any number of players; holds no player data."""

    __slots__ = ("plan", "story")

    def __init__(self, story: Story) -> None:
        self.story = story
        self.plan = Plan(story)

    def new_player(
        self,
        *,
        seed: int,
        language: str | None = None,
        timezone: str | None = None,
        name: str = "",
    ) -> Step:
        """A player who has not started yet, with the starting points (as an event)."""
        story = self.story
        language = language or story.default_language
        if language not in story.languages:
            raise InvalidArgument(
                f"language '{language}' is not offered; valid: {', '.join(story.languages)}"
            )
        timezone = timezone or story.timezone
        _check_timezone(timezone)
        start = story.economy.starting_points
        state = PlayerState(
            seed=seed,
            language=language,
            timezone=timezone,
            name=name,
            content_version=story.content_hash,
            fragment=None,
            chapter=None,
            visits=PMap(),
            chosen=PMap(),
            variables=dict(story.variables),
            emotions={n: d.start for n, d in story.emotions.dimensions.items()},
            archetypes=dict.fromkeys(story.archetypes, 0),
            clues=frozenset(),
            mood=initial_mood(story),
            vip_tier=None,
            vip_until=None,
            points=start,
            lifetime_points=start,
            streak=0,
            last_checkin=None,
            engagement={},
            achievements=frozenset(),
            step=0,
            last_seen=None,
        )
        draft = Draft.of(state)
        draft.mood = derive_mood(story, Context(story, draft, _EPOCH), draft.mood)
        events = (PointsAwarded(start, "starting", start),) if start else ()
        return Step(draft.freeze(), Output(), events, Outcome.NEW_PLAYER)

    def start(self, state: PlayerState, now: datetime, chapter: str | None = None) -> Step:
        """Enter the story start (or a chapter's start: deep links, replays)."""
        return flow.start(self._turn(state, now), chapter)

    def choose(self, state: PlayerState, ref: str, now: datetime) -> Step:
        """Press the button whose `Button.ref` is `ref`."""
        return flow.choose(self._turn(state, now), ref)

    def trigger(self, state: PlayerState, trigger: Trigger, now: datetime) -> Step:
        """Apply an outside trigger (check-in, reaction, payment, VIP, admin, return...)."""
        turn = self._turn(state, now)
        match trigger:
            case CheckIn():
                return economy.check_in(turn)
            case Reaction() | Comment() | Post():
                return economy.engage(turn, trigger)
            case Payment():
                return economy.pay(turn, trigger)
            case GrantVip():
                return economy.grant(turn, trigger)
            case ExpireVip():
                return economy.expire(turn)
            case AdminGrant():
                return economy.admin(turn, trigger)
            case ReturnAfterAbsence():
                return return_after_absence(turn)
        raise InvalidArgument(f"not a trigger: {trigger!r}")

    def view(self, state: PlayerState, now: datetime | None = None) -> Output:
        """What the player sees now (the current fragment and its buttons); changes nothing.

        Without `now`, VIP is judged at the state's last change.
        """
        when = now if now is not None else (state.last_seen or _EPOCH)
        return flow.view(self._turn(state, when)).output

    def render(
        self, state: PlayerState, text: Text, values: Mapping[str, object] | None = None
    ) -> str:
        """A content text (the bot's notices, a level's name...) as this player reads it: their
        language, their substitutions plus `values`; values are HTML-escaped unless `Html`."""
        return Renderer(self.plan, Draft.of(state)).text(text, values)

    def render_plain(
        self, state: PlayerState, text: Text, values: Mapping[str, object] | None = None
    ) -> str:
        """As `render`, for plain-text places (button labels, pop-ups): nothing is escaped."""
        return Renderer(self.plan, Draft.of(state)).text(text, values, plain=True)

    def migrate(self, state: PlayerState, now: datetime | None = None) -> Step:
        """Bring a state saved under older content up to this story, and off VIP content its
        VIP no longer covers (every other call does both first, too)."""
        when = now if now is not None else (state.last_seen or _EPOCH)
        turn = self._turn(state, when)
        return turn.finish(Outcome.MIGRATED if turn.changed else Outcome.UNCHANGED)

    def _turn(self, state: PlayerState, now: datetime) -> Turn:
        if not isinstance(now, datetime) or now.utcoffset() is None:
            raise InvalidArgument(
                f"now must be an aware datetime (e.g. datetime.now(UTC)), got {now!r}"
            )
        if not isinstance(state, PlayerState):
            raise InvalidArgument(f"expected a PlayerState, got {type(state).__name__}")
        turn = Turn(self.plan, state, now if now.tzinfo is UTC else now.astimezone(UTC))
        migrate(turn)
        flow.regate(turn)
        return turn


def _check_timezone(timezone: str) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidArgument(
            f"unknown time zone '{timezone}'; use an IANA name such as Europe/Madrid"
        ) from None
