"""Which of a fragment's choices a player is offered, and why the others are not.

The same assessment builds the buttons and re-checks a pressed button, so a button is accepted
exactly when it would be shown available now. Checks run in a fixed order: once-only, the
condition, VIP (the choice's own gate, or a gated target without an upsell), then the cost;
fallbacks are offered only when no other choice is available.
"""

from __future__ import annotations

import enum

from engine.runtime.evaluation import Context
from engine.runtime.plan import Option


class Status(enum.Enum):
    AVAILABLE = "available"
    TAKEN = "taken"
    """A once-only choice already taken."""
    CONDITION = "condition"
    VIP = "vip"
    COST = "cost"
    NOT_OFFERED = "not_offered"
    """A fallback while another choice is available."""

    # Members are singletons: hash by identity in C, not Enum's Python-level __hash__
    # (statuses key the rendered-button cache, looked up for every button of every step).
    __hash__ = object.__hash__


def assess(ctx: Context, rank: int, option: Option) -> tuple[Status, bool]:
    """(status, shown) of one non-fallback choice; `shown` is False for hidden choices."""
    choice = option.choice
    s = ctx.s
    if choice.once and option.ref in s.chosen:
        return Status.TAKEN, False
    if choice.condition is not None and not choice.condition.fn(ctx):
        return Status.CONDITION, choice.show_when_locked
    if option.need > rank:
        return Status.VIP, choice.show_vip_locked
    if choice.cost > s.points:
        return Status.COST, choice.show_vip_locked
    return Status.AVAILABLE, True


def assess_all(
    ctx: Context, rank: int, options: tuple[Option, ...]
) -> list[tuple[Option, Status, bool]]:
    """Every choice of a fragment in order, with its status and whether it is shown."""
    out: list[tuple[Option, Status, bool]] = []
    any_available = False
    has_fallback = False
    for option in options:
        if option.choice.fallback:
            has_fallback = True
            out.append((option, Status.NOT_OFFERED, False))
            continue
        status, shown = assess(ctx, rank, option)
        if status is Status.AVAILABLE:
            any_available = True
        out.append((option, status, shown))
    if has_fallback and not any_available:
        for i, (option, _, _) in enumerate(out):
            if option.choice.fallback:
                status, shown = assess(ctx, rank, option)
                out[i] = (option, status, shown)
    return out
