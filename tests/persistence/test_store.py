"""The action service on both databases: one short transaction per action, exactly-once effects
under double taps, redeliveries and concurrency, and the economy's daily streak."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from persistence_helpers import (
    assert_consistent,
    checkins,
    count,
    ledger,
    outbox,
    players,
    processed_updates,
    rows,
    vip_grants,
)

from engine.bus import EventBus
from engine.content import Story
from engine.persistence import (
    Choose,
    Database,
    FixedClock,
    PlayerExists,
    StarsPayment,
    Start,
    Store,
    UnknownPlayer,
)
from engine.persistence.ledger import history, ledger_sum
from engine.runtime import (
    CheckIn,
    ExpireVip,
    InvalidArgument,
    Outcome,
    PointsAwarded,
    PointsCharged,
    Reaction,
    StreakIncreased,
)

PAID = "inicio.invitar"  # costs 15; players start with 20


async def started(store: Store, player: int = 1) -> None:
    await store.register(player, name="Ana")
    step = await store.act(player, Start(), f"start:{player}")
    assert step.outcome is Outcome.STARTED


async def test_register_writes_the_starting_points_to_the_ledger(store: Store, db: Database):
    step = await store.register(7, name="Ana", language="en", timezone="America/Mexico_City")
    assert step.outcome is Outcome.NEW_PLAYER
    assert step.events == (PointsAwarded(20, "starting", 20),)
    (entry,) = await history(db, 7)
    assert (entry.amount, entry.balance_after, entry.reason, entry.source) == (
        20,
        20,
        "starting",
        "register",
    )
    with pytest.raises(PlayerExists):
        await store.register(7)
    state = await store.ensure_player(7, name="ignored")
    assert (state.language, state.timezone, state.name) == ("en", "America/Mexico_City", "Ana")
    with pytest.raises(UnknownPlayer):
        await store.act(8, Start())
    await assert_consistent(db)


async def test_an_action_writes_state_ledger_processed_key_and_outbox(store: Store, db: Database):
    await started(store)
    step = await store.act(1, Choose(PAID), "cb:1")
    assert step.outcome is Outcome.MOVED
    assert PointsCharged(15, f"choice:{PAID}", 5) in step.events
    assert (await store.state(1)).points == 5
    assert [e.amount for e in await history(db, 1)] == [-15, 20]
    (processed,) = await rows(db, processed_updates, key="cb:1")
    assert (processed.player_id, processed.action, processed.outcome) == (1, "choose", "moved")
    kinds = [r.kind for r in await rows(db, outbox, player_id=1)]
    assert "PointsCharged" in kinds
    assert "ChoiceMade" in kinds
    await assert_consistent(db)


async def test_200_concurrent_presses_of_a_paid_choice_charge_once(store: Store, db: Database):
    await started(store)
    steps = await asyncio.gather(*(store.act(1, Choose(PAID), f"cb:{i}") for i in range(200)))
    outcomes = Counter(s.outcome for s in steps)
    assert outcomes == {Outcome.MOVED: 1, Outcome.STALE: 199}
    charges = [r for r in await rows(db, ledger, player_id=1) if r.amount < 0]
    assert len(charges) == 1
    assert await ledger_sum(db, 1) == (await store.state(1)).points == 5
    assert await count(db, processed_updates, player_id=1) == 202  # register, start, presses
    await assert_consistent(db)


async def test_two_workers_sharing_the_database_charge_once(
    db: Database, story: Story, clock: FixedClock
):
    """Two stores (two bot processes) with their own caches: the version check decides."""
    first = Store(db, story, clock=clock)
    second = Store(db, story, clock=clock)
    await first.open()
    await second.open()
    try:
        await started(first)
        await second.state(1)  # the second worker caches the state before the move
        presses = [(first if i % 2 else second).act(1, Choose(PAID), f"cb:{i}") for i in range(200)]
        steps = await asyncio.gather(*presses)
        outcomes = Counter(s.outcome for s in steps)
        assert outcomes == {Outcome.MOVED: 1, Outcome.STALE: 199}
    finally:
        await first.close()
        await second.close()
    assert len([r for r in await rows(db, ledger, player_id=1) if r.amount < 0]) == 1
    await assert_consistent(db)


async def test_a_redelivered_update_has_no_second_effect(
    store: Store, db: Database, story: Story, clock: FixedClock
):
    await started(store)
    first = await store.act(1, CheckIn(), "update:100")
    assert first.outcome is Outcome.CHECKED_IN
    again = await store.act(1, CheckIn(), "update:100")
    assert again.outcome is Outcome.UNCHANGED
    assert again.events == ()
    assert again.state == first.state
    # The same update after a restart: the in-memory memory is gone, the database still knows.
    await store.close()
    reopened = Store(db, story, clock=clock)
    await reopened.open()
    try:
        clock.advance(days=1)  # even on a new day, where a real check-in would pay again
        repeat = await reopened.act(1, CheckIn(), "update:100")
        assert repeat.outcome is Outcome.UNCHANGED
        assert (await reopened.state(1)).points == first.state.points
        same_key = await asyncio.gather(*(reopened.act(1, Choose(PAID), "cb:x") for _ in range(20)))
        assert Counter(s.outcome for s in same_key) == {Outcome.MOVED: 1, Outcome.UNCHANGED: 19}
    finally:
        await reopened.close()
        await store.open()  # the fixture closes it
    assert await count(db, ledger, idempotency_key="update:100") == 1
    await assert_consistent(db)


async def test_a_stars_charge_is_stored_and_granted_once(store: Store, db: Database):
    await started(store)
    paid = await store.act(1, StarsPayment("mensual", "charge-1"))
    assert paid.outcome is Outcome.VIP_GRANTED
    assert paid.state.vip_tier == "divan"
    again = await store.act(1, StarsPayment("mensual", "charge-1"), "other-key")
    assert again.outcome is Outcome.UNCHANGED
    (grant,) = await rows(db, vip_grants, player_id=1)
    assert (grant.source, grant.offer, grant.charge_id, grant.tier) == (
        "stars",
        "mensual",
        "charge-1",
        "divan",
    )
    assert grant.expires_at == paid.state.vip_until
    await store.act(1, ExpireVip(), "expire:1")
    (ended,) = await rows(db, vip_grants, player_id=1)
    assert ended.ended_at is not None


async def test_concurrent_actions_of_different_players(store: Store, db: Database):
    players = range(1, 41)
    await asyncio.gather(*(started(store, p) for p in players))

    async def play(p: int) -> None:
        await store.act(p, Choose(PAID), f"{p}:pay")
        await store.act(p, Choose("copa.volver"), f"{p}:back")
        await store.act(p, CheckIn(), f"{p}:daily")
        await store.act(p, Reaction("❤"), f"{p}:react")

    await asyncio.gather(*(play(p) for p in players))
    for p in players:
        state = await store.state(p)
        assert state.fragment == "inicio"
        assert state.points == 20 - 15 + 10 + 2
        assert await ledger_sum(db, p) == state.points
    assert await count(db, checkins) == 40
    await assert_consistent(db)


async def test_short_of_points_never_goes_negative(store: Store, db: Database):
    await started(store)
    await store.act(1, Choose(PAID), "a")
    await store.act(1, Choose("copa.volver"), "b")
    refused = await store.act(1, Choose(PAID), "c")  # 5 points left, costs 15
    assert refused.outcome is Outcome.SHORT_OF_POINTS
    assert refused.state.points == 5
    assert await count(db, processed_updates, key="c") == 1  # answered once, even a refusal
    await assert_consistent(db)


async def test_seven_day_streak_pays_its_bonus_on_day_seven_once(
    store: Store, db: Database, clock: FixedClock
):
    await started(store)
    for day in range(1, 8):
        step = await store.act(1, CheckIn(), f"daily:{day}")
        assert step.outcome is Outcome.CHECKED_IN
        assert StreakIncreased(day) in step.events
        bonus = [
            e for e in step.events if isinstance(e, PointsAwarded) and e.reason == "streak_bonus"
        ]
        assert len(bonus) == (1 if day == 7 else 0)
        twice = await store.act(1, CheckIn(), f"daily:{day}:again")
        assert twice.outcome is Outcome.ALREADY_CLAIMED
        assert (await store.act(1, CheckIn(), f"daily:{day}")).outcome is Outcome.UNCHANGED
        clock.advance(days=1)
    reasons = Counter(r.reason for r in await rows(db, ledger, player_id=1))
    assert reasons == {"starting": 1, "daily": 7, "streak_bonus": 1}
    days = sorted(r.day for r in await rows(db, checkins, player_id=1))
    assert [d.isoformat() for d in days] == [f"2025-03-0{d}" for d in range(1, 8)]
    assert (await store.state(1)).points == 20 + 7 * 10 + 25
    await assert_consistent(db)


async def test_streak_days_follow_the_players_time_zone(store: Store, db: Database, clock):
    """Madrid's midnight, not UTC's: 23:30 and 00:30 local are two days, one hour apart."""
    clock.set(clock.now().replace(hour=22, minute=30))  # 23:30 in Madrid (UTC+1 in March)
    await started(store)
    assert (await store.act(1, CheckIn(), "d1")).outcome is Outcome.CHECKED_IN
    clock.advance(hours=1)
    assert (await store.act(1, CheckIn(), "d2")).outcome is Outcome.CHECKED_IN
    assert len(await rows(db, checkins, player_id=1)) == 2


async def test_subscribers_run_after_the_commit(store: Store, db: Database, bus: EventBus):
    seen: list[int] = []

    async def check(event: PointsCharged, context) -> None:
        # A separate connection already sees the committed balance.
        seen.append(await ledger_sum(db, context.player_id))

    bus.subscribe(PointsCharged, check)
    await started(store)
    await store.act(1, Choose(PAID), "cb")
    assert seen == [5]


async def test_time_comes_from_the_injected_clock(store: Store, db: Database, clock):
    clock.advance(timedelta(days=3, hours=2))
    await started(store)
    (entry,) = await history(db, 1)
    assert entry.created_at == clock.now()
    assert (await store.state(1)).last_seen == clock.now()


async def test_update_profile_changes_row_and_state(store: Store, db: Database):
    await started(store)
    state = await store.update_profile(1, language="en", timezone="Asia/Tokyo", name="Anne")
    assert (state.language, state.timezone, state.name) == ("en", "Asia/Tokyo", "Anne")
    (row,) = await rows(db, players, id=1)
    assert (row.language, row.timezone, row.name) == ("en", "Asia/Tokyo", "Anne")
    view = await store.view(1)
    assert view.parts[0].text.startswith("Hello, Anne.")
    with pytest.raises(InvalidArgument):
        await store.update_profile(1, language="fr")
