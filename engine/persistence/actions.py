"""What a player can do, as the store receives it: the runtime's moves plus the two actions
that carry something only persistence knows (a payment's charge id, an invite token).

The runtime's own triggers (`CheckIn`, `Reaction`, `Comment`, `Post`, `GrantVip`,
`ExpireVip`, `ReturnAfterAbsence`...) are actions as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class Start:
    """/start, or a deep link into a chapter."""

    chapter: str | None = None


@dataclass(frozen=True, slots=True)
class Choose:
    """A pressed inline button: its `Button.ref`."""

    ref: str


@dataclass(frozen=True, slots=True)
class StarsPayment:
    """A successful Telegram Stars payment for a VIP offer; `charge_id` is stored once."""

    offer: str
    charge_id: str


@dataclass(frozen=True, slots=True)
class RedeemInvite:
    """An invite link's token: checked and used up in the same transaction as the grant."""

    token: str


Action = Start | Choose | StarsPayment | RedeemInvite | Trigger

SOURCES: dict[type, str] = {
    Start: "start",
    Choose: "choose",
    StarsPayment: "payment",
    RedeemInvite: "invite",
    CheckIn: "check_in",
    Reaction: "reaction",
    Comment: "comment",
    Post: "post",
    Payment: "payment",
    GrantVip: "grant_vip",
    ExpireVip: "expire_vip",
    AdminGrant: "admin",
    ReturnAfterAbsence: "return",
}
"""The ledger's and processed_updates' `source`/`action` column for each action type."""


def source_of(action: object) -> str:
    try:
        return SOURCES[type(action)]
    except KeyError:
        raise TypeError(f"not an action: {action!r}") from None
