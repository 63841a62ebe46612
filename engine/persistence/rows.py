"""The rows an action writes, built from its runtime `Step` before it reaches the writer.

Everything is a plain dict keyed by column (or bound parameter) name, so the writer's batch
does no work of its own beyond executing: the ledger from the points events, the outbox from
all events, check-ins, VIP grants and their end, the profile, the audit row.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from engine.persistence.batch import Write
from engine.persistence.executors import Row
from engine.persistence.ledger import ledger_rows
from engine.persistence.outbox import outbox_rows
from engine.runtime import (
    DailyCheckIn,
    Outcome,
    PlayerState,
    Step,
    VipExpired,
    VipGranted,
    dumps_state,
)

_PREFIX = secrets.token_hex(6)
_COUNTER = itertools.count(1)


def new_id() -> str:
    """A unique id for an action (32 chars at most): a random per-process prefix and a counter,
    ~20x cheaper than uuid4 and unique across processes sharing a database."""
    return f"{_PREFIX}{next(_COUNTER):x}"


@dataclass(slots=True)
class Entry:
    """A player's state as last committed, with its row version."""

    state: PlayerState
    version: int
    blocked: bool


@dataclass(slots=True)
class Extras:
    """What a write needs beyond the step: where it came from and persistence-only details."""

    source: str
    charge_id: str | None = None
    invite: str | None = None
    granted_by: int | None = None
    audit: tuple[int | None, str, str] | None = None
    """(admin id, action, JSON details) for the admin audit log, in the same transaction."""
    keep_last_seen: bool = False
    """Admin actions are not the player's engagement: `last_seen` stays as it was."""
    admin: bool = False
    claim: Row | None = field(default=None)


def action_write(
    player_id: int,
    entry: Entry,
    step: Step,
    key: str,
    when: datetime,
    extras: Extras,
) -> tuple[Write, int]:
    """The rows of one action (and the state version it writes), as plain dicts."""
    state = step.state
    source = extras.source
    write = Write(player_id, processed_row(key, player_id, source, step.outcome, when), new_id())
    version = entry.version
    if state is not entry.state:
        version += 1
        write.state = {
            "b_player": player_id,
            "b_seen": entry.version,
            "b_version": version,
            "b_state": dumps_state(state).decode(),
            "b_fragment": state.fragment,
            "b_chapter": state.chapter,
            "b_content": state.content_version,
            "b_points": state.points,
            "b_at": when,
        }
        old = entry.state
        if (state.name, state.language, state.timezone) != (
            old.name,
            old.language,
            old.timezone,
        ):
            write.profile = {
                "b_player": player_id,
                "b_name": state.name,
                "b_language": state.language,
                "b_timezone": state.timezone,
                "b_at": when,
            }
    events = step.events
    if events:
        write.ledger = ledger_rows(player_id, events, key, source, when)
        write.outbox = outbox_rows(player_id, write.action_id, events, when)
        for event in events:
            if isinstance(event, DailyCheckIn):
                write.checkins.append(
                    {
                        "player_id": player_id,
                        "day": event.day,
                        "streak": event.streak,
                        "created_at": when,
                    }
                )
            elif isinstance(event, VipGranted):
                write.vip_grants.append(_vip_row(player_id, event, extras, when))
            elif isinstance(event, VipExpired):
                write.vip_end = {"b_player": player_id, "b_at": when}
    write.claim = extras.claim
    if extras.audit is not None:
        admin_id, action, details = extras.audit
        write.audit = {
            "admin_id": admin_id,
            "action": action,
            "player_id": player_id,
            "details": details,
            "created_at": when,
        }
    return write, version


def register_write(
    player_id: int, step: Step, key: str, action_id: str, name: str, role: str, when: datetime
) -> Write:
    """The rows of a new player: the players row, the state (version 1), the starting points."""
    state = step.state
    write = Write(
        player_id,
        processed=processed_row(key, player_id, "register", step.outcome, when),
        action_id=action_id,
        new_player={
            "id": player_id,
            "name": name,
            "language": state.language,
            "timezone": state.timezone,
            "role": role,
            "blocked": False,
            "created_at": when,
            "updated_at": when,
        },
        new_state={
            "player_id": player_id,
            "version": 1,
            "state": dumps_state(state).decode(),
            "fragment": None,
            "chapter": None,
            "content_version": state.content_version,
            "points": state.points,
            "updated_at": when,
        },
        ledger=ledger_rows(player_id, step.events, key, "register", when),
        outbox=outbox_rows(player_id, action_id, step.events, when),
    )
    return write


def player_seed(player_id: int) -> int:
    """A stable per-player seed (Diana's variant choices stay the same across restarts)."""
    digest = hashlib.blake2b(str(player_id).encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") & 0x7FFFFFFF


def processed_row(key: str, player_id: int, action: str, outcome: Outcome, when: datetime) -> Row:
    return {
        "key": key,
        "player_id": player_id,
        "action": action,
        "outcome": outcome.value,
        "created_at": when,
    }


def _vip_row(player_id: int, event: VipGranted, extras: Extras, when: datetime) -> Row:
    source, offer = event.source, None
    if source.startswith("payment:"):
        source, offer = "stars", source.removeprefix("payment:")
    return {
        "player_id": player_id,
        "tier": event.tier,
        "source": source,
        "offer": offer,
        "charge_id": extras.charge_id,
        "invite_token": extras.invite,
        "granted_by": extras.granted_by,
        "starts_at": when,
        "expires_at": event.until,
        "ended_at": None,
    }
