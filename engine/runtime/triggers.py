"""Outside triggers: things that happen to a player outside the story's buttons.

The bot builds one from a Telegram update (a payment, a reaction in the channel, /daily...) and
passes it to `Engine.trigger`; tests and the playtester build them directly.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CheckIn:
    """The daily check-in: counted once per calendar day in the player's time zone."""


@dataclass(frozen=True, slots=True)
class Reaction:
    emoji: str
    channel: str | None = None
    """A channel id from economy.yaml; None: not tied to a declared channel."""


@dataclass(frozen=True, slots=True)
class Comment:
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class Post:
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class Payment:
    """A successful payment for a VIP offer (vip.yaml `offers`)."""

    offer: str


@dataclass(frozen=True, slots=True)
class GrantVip:
    """VIP from an invite token or the VIP channel; tier None: the lowest tier."""

    tier: str | None = None
    days: int | None = None
    """None: vip.yaml `invite_days`; 0: no expiry."""
    source: str = "invite"


@dataclass(frozen=True, slots=True)
class ExpireVip:
    """The payment provider or the channel says the player's VIP has ended."""


@dataclass(frozen=True, slots=True)
class AdminGrant:
    """An operator's grant: points (negative takes, never below zero) and/or VIP days."""

    points: int = 0
    vip_days: int = 0
    tier: str | None = None


@dataclass(frozen=True, slots=True)
class ReturnAfterAbsence:
    """The player came back: Diana's emotions drift back by `decay_per_day` per whole day."""


Trigger = (
    CheckIn
    | Reaction
    | Comment
    | Post
    | Payment
    | GrantVip
    | ExpireVip
    | AdminGrant
    | ReturnAfterAbsence
)
