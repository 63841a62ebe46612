"""What a step shows and returns, presentation-neutral: the bot renders it as Telegram
messages, the preview as terminal text, tests compare it with transcripts.

Texts are already rendered for the player's language and carry their string id, so an adapter
never looks up content. Buttons carry an opaque `ref` to hand back to `Engine.choose`. Parts and
buttons are named tuples: immutable like the rest, and several are built on every step.
"""

from __future__ import annotations

import enum
from typing import Literal, NamedTuple

from engine.runtime.events import Event
from engine.runtime.state import PlayerState

PartKind = Literal["fragment", "response", "ending", "achievement", "level"]
Lock = Literal["condition", "vip", "cost"]


class Outcome(enum.StrEnum):
    """How a call ended; every outcome except the moving ones leaves the state unchanged."""

    NEW_PLAYER = "new_player"
    STARTED = "started"
    MOVED = "moved"
    STALE = "stale"
    """The button belongs to another fragment (or to content that no longer exists)."""
    UNAVAILABLE = "unavailable"
    """The choice's condition no longer holds, or a fallback is not offered now."""
    ALREADY_TAKEN = "already_taken"
    SHORT_OF_POINTS = "short_of_points"
    VIP_LOCKED = "vip_locked"
    CHECKED_IN = "checked_in"
    ALREADY_CLAIMED = "already_claimed"
    COUNTED = "counted"
    COOLDOWN = "cooldown"
    CAPPED = "capped"
    NOT_COUNTED = "not_counted"
    """The story pays nothing for this engagement (not configured, or not on that channel)."""
    VIP_GRANTED = "vip_granted"
    VIP_EXPIRED = "vip_expired"
    GRANTED = "granted"
    RETURNED = "returned"
    MIGRATED = "migrated"
    UNCHANGED = "unchanged"


class MediaPart(NamedTuple):
    kind: Literal["photo", "video", "voice", "animation"]
    file: str
    """Relative to the content folder."""
    caption: str | None
    caption_id: str | None


class MessagePart(NamedTuple):
    """One message: a fragment, one of Diana's responses, an ending or a notification."""

    kind: PartKind
    text: str
    text_id: str | None
    speaker: str | None = None
    speaker_name: str | None = None
    media: MediaPart | None = None
    pause: float = 0.0


class Button(NamedTuple):
    """An inline button; a locked one says why (`lock`, `reason`) and what it costs."""

    label: str
    label_id: str
    ref: str
    """Opaque: pass it back to `Engine.choose` unchanged."""
    available: bool
    lock: Lock | None = None
    reason: str | None = None
    reason_id: str | None = None
    cost: int = 0


class Output(NamedTuple):
    """Messages in order; the buttons belong under the last message."""

    parts: tuple[MessagePart, ...] = ()
    buttons: tuple[Button, ...] = ()
    ended: bool = False

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(p.text for p in self.parts)


EMPTY = Output()


class Step(NamedTuple):
    """The result of every engine call: the next state, what to show, and what happened."""

    state: PlayerState
    output: Output
    events: tuple[Event, ...]
    outcome: Outcome
