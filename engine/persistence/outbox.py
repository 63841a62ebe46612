"""The event outbox: every event of a committed action, written in the same transaction, so a
crash between the commit and the bus loses nothing.

The store publishes an action's events right after its commit and marks the rows delivered
(lazily, with a later batch). `relay` delivers whatever a crash left undelivered, marked
`replayed`, and marks it; it runs when a store opens. Delivery is therefore at least once:
subscribers that must not repeat themselves key on `EventContext.action_id`.
"""

from __future__ import annotations

import logging
import typing
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import bindparam, select, update

from engine.bus import EventBus, EventContext
from engine.persistence.db import Database
from engine.persistence.tables import outbox
from engine.runtime import events as runtime_events
from engine.runtime.events import Event

log = logging.getLogger("diana.outbox")


def outbox_rows(
    player_id: int, action_id: str, events: Iterable[Event], now: datetime
) -> list[dict[str, Any]]:
    return [
        {
            "action_id": action_id,
            "seq": seq,
            "player_id": player_id,
            "kind": type(event).__name__,
            "payload": orjson.dumps(event).decode(),  # a dataclass: its fields, times in ISO 8601
            "created_at": now,
        }
        for seq, event in enumerate(events)
    ]


def _event_types() -> dict[str, type[Event]]:
    found: dict[str, type[Event]] = {}
    todo = [Event]
    while todo:
        klass = todo.pop()
        for sub in klass.__subclasses__():
            if sub.__module__ == runtime_events.__name__:
                found[sub.__name__] = sub
            todo.append(sub)
    return found


def _parser(hint: object) -> Callable[[Any], Any]:
    options = typing.get_args(hint) or (hint,)
    if datetime in options:
        return lambda v: datetime.fromisoformat(v) if isinstance(v, str) else v
    if date in options:
        return lambda v: date.fromisoformat(v) if isinstance(v, str) else v
    return lambda v: v


_TYPES = _event_types()
_PARSERS = {
    name: {field: _parser(hint) for field, hint in typing.get_type_hints(klass).items()}
    for name, klass in _TYPES.items()
}


def decode_event(kind: str, payload: str | bytes) -> Event:
    """The event an outbox row holds (its `kind` column and its JSON `payload`)."""
    data = orjson.loads(payload)
    parsers = _PARSERS[kind]
    return _TYPES[kind](**{k: parsers[k](v) for k, v in data.items()})


SELECT_PENDING = (
    select(
        outbox.c.id,
        outbox.c.action_id,
        outbox.c.player_id,
        outbox.c.kind,
        outbox.c.payload,
        outbox.c.created_at,
    )
    .where(outbox.c.delivered_at.is_(None), outbox.c.id > bindparam("b_after"))
    .order_by(outbox.c.id)
    .limit(bindparam("b_limit"))
)
MARK_IDS = (
    update(outbox).where(outbox.c.id == bindparam("b_id")).values(delivered_at=bindparam("b_at"))
)


async def pending_count(db: Database) -> int:
    from sqlalchemy import func

    async with db.engine.connect() as conn:
        stmt = select(func.count()).select_from(outbox).where(outbox.c.delivered_at.is_(None))
        return int((await conn.execute(stmt)).scalar_one())


async def relay(db: Database, bus: EventBus, now: datetime, *, batch: int = 500) -> int:
    """Publish every undelivered outbox event in commit order, then mark it; returns the count.

    Run it before the store takes traffic (the store does, in `open`): with several workers on
    one database, a worker that restarts may repeat events another worker is delivering.
    """
    delivered = 0
    after = 0
    while True:
        async with db.engine.connect() as conn:
            rows = (await conn.execute(SELECT_PENDING, {"b_after": after, "b_limit": batch})).all()
        if not rows:
            return delivered
        context: EventContext | None = None
        for row_id, action_id, player_id, kind, payload, created_at in rows:
            if context is None or context.action_id != action_id:
                context = EventContext(player_id, created_at, action_id, replayed=True)
            try:
                event = decode_event(kind, payload)
            except (KeyError, TypeError, ValueError):
                log.exception("outbox row %s (%s) cannot be decoded; skipped", row_id, kind)
                continue
            await bus.publish(event, context)
            delivered += 1
        async with db.engine.begin() as conn:
            await conn.execute(MARK_IDS, [{"b_id": r[0], "b_at": now} for r in rows])
        after = rows[-1][0]
