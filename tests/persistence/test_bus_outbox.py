"""The event bus (typed subscribers, failure isolation, order) and the outbox behind it."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest
from persistence_helpers import count, outbox, rows

from engine.bus import EventBus, EventContext
from engine.content import Story
from engine.persistence import Choose, Database, FixedClock, Start, Store
from engine.persistence.outbox import decode_event, outbox_rows, pending_count
from engine.runtime import (
    ChoiceMade,
    DailyCheckIn,
    Event,
    FragmentEntered,
    PointsAwarded,
    PointsCharged,
    VipGranted,
)

CTX = EventContext(1, datetime(2025, 3, 1, tzinfo=UTC), "a1")


async def test_subscribers_by_type_and_a_raising_one_does_not_stop_the_others(caplog):
    bus = EventBus()
    got: list[tuple[str, str]] = []

    async def first(event: PointsAwarded, context: EventContext) -> None:
        got.append(("first", event.reason))

    def broken(event: Event, context: EventContext) -> None:
        raise RuntimeError("subscriber bug")

    async def everything(event: Event, context: EventContext) -> None:
        got.append(("all", event.kind))

    def charged(event: PointsCharged, context: EventContext) -> None:
        got.append(("charged", event.reason))

    bus.subscribe(PointsAwarded, first)
    bus.subscribe(Event, broken)
    bus.subscribe(Event, everything)
    unsubscribe = bus.subscribe(PointsCharged, charged)
    with caplog.at_level(logging.ERROR, logger="diana.bus"):
        failed = await bus.publish_all(
            [PointsAwarded(5, "daily", 5), PointsCharged(3, "choice", 2)], CTX
        )
    assert failed == 2
    assert bus.failures == 2
    assert got == [
        ("first", "daily"),
        ("all", "PointsAwarded"),
        ("all", "PointsCharged"),
        ("charged", "choice"),
    ]
    assert "broken" in caplog.text
    assert "subscriber bug" in caplog.text
    unsubscribe()
    got.clear()
    with caplog.at_level(logging.CRITICAL, logger="diana.bus"):
        await bus.publish(PointsCharged(1, "x", 1), CTX)
    assert got == [("all", "PointsCharged")]


async def test_a_raising_subscriber_does_not_undo_or_block_an_action(
    store: Store, db: Database, bus: EventBus, caplog
):
    delivered: list[str] = []

    def broken(event: Event, context: EventContext) -> None:
        raise ValueError("boom")

    def record(event: Event, context: EventContext) -> None:
        delivered.append(event.kind)

    bus.subscribe(Event, broken)
    bus.subscribe(Event, record)
    await store.register(1)
    with caplog.at_level(logging.CRITICAL, logger="diana.bus"):
        await store.act(1, Start(), "s")
        step = await store.act(1, Choose("inicio.invitar"), "c")
    assert step.state.points == 5
    assert delivered.count("PointsCharged") == 1
    assert "ChoiceMade" in delivered


async def test_outbox_rows_round_trip_every_event_shape():
    events = [
        PointsAwarded(5, "daily", 25),
        DailyCheckIn(date(2025, 3, 1), 3),
        VipGranted("divan", datetime(2025, 4, 1, 9, tzinfo=UTC), "admin"),
        VipGranted("divan", None, "channel"),
        ChoiceMade("inicio", "invitar", "copa"),
        FragmentEntered("copa", "main", 1),
    ]
    written = outbox_rows(1, "a1", events, CTX.at)
    assert [decode_event(r["kind"], r["payload"]) for r in written] == events


async def test_undelivered_events_are_relayed_on_startup(
    db: Database, story: Story, clock: FixedClock
):
    """A process that died after its commit but before delivery: the next one delivers."""
    first = Store(db, story, clock=clock)
    await first.open()
    await first.register(1)
    await first.act(1, Start(), "s")
    await first.act(1, Choose("inicio.invitar"), "c")
    first.writer._delivered.clear()  # as if the process died before marking anything
    await first.close()
    total = await count(db, outbox)
    assert await pending_count(db) == total > 0

    bus = EventBus()
    relayed: list[tuple[str, int, bool]] = []

    def record(event: Event, context: EventContext) -> None:
        relayed.append((event.kind, context.player_id, context.replayed))

    bus.subscribe(Event, record)
    second = Store(db, story, bus=bus, clock=clock)
    await second.open()
    try:
        assert second.relayed == total
        assert ("PointsCharged", 1, True) in relayed
        assert [k for k, _p, _r in relayed].count("PointsAwarded") == 1  # starting points
        assert await pending_count(db) == 0
    finally:
        await second.close()
    third = Store(db, story, bus=bus, clock=clock)
    await third.open()
    await third.close()
    assert third.relayed == 0


async def test_delivered_events_are_marked(store: Store, db: Database):
    await store.register(1)
    await store.act(1, Start(), "s")
    await store.close()  # flushes the pending marks
    await store.open(relay_outbox=False)
    marked = [r.delivered_at for r in await rows(db, outbox, player_id=1)]
    assert marked
    assert all(m is not None for m in marked)


@pytest.mark.parametrize("kind", ["Nope", "PointsAwarded"])
async def test_decode_rejects_what_it_cannot_read(kind: str):
    with pytest.raises((KeyError, TypeError)):
        decode_event(kind, b'{"bogus": 1}')
