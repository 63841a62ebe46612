"""Operators' services: every one audited in the same transaction, none counted as the
player's engagement, none able to push a balance below zero."""

from __future__ import annotations

from datetime import timedelta

import pytest
from persistence_helpers import admin_audit, assert_consistent, count, ledger, rows, vip_grants

from engine.persistence import (
    AdminService,
    Choose,
    Database,
    FixedClock,
    InviteRejected,
    PlayerBlocked,
    RedeemInvite,
    Start,
    Store,
    UnknownPlayer,
)
from engine.runtime import CheckIn, InvalidArgument, Outcome

ADMIN = 999


@pytest.fixture
async def admin(store: Store) -> AdminService:
    await store.register(ADMIN, name="Operator", role="admin")
    await store.register(1, name="Ana")
    await store.act(1, Start(), "s")
    return AdminService(store)


async def test_admin_grant_is_ledgered_and_audited(
    admin: AdminService, store: Store, db: Database, clock: FixedClock
):
    seen_before = (await store.state(1)).last_seen
    clock.advance(days=2)
    step = await admin.grant_points(ADMIN, 1, 50, note="contest winner")
    assert step.state.points == 70
    assert step.state.last_seen == seen_before  # not the player's engagement
    (entry,) = [r for r in await rows(db, ledger, player_id=1) if r.reason == "admin"]
    assert (entry.amount, entry.balance_after, entry.source) == (50, 70, "admin")
    (audit,) = await admin.audit_log(player_id=1)
    assert (audit.admin_id, audit.action, audit.details) == (
        ADMIN,
        "grant_points",
        {"amount": 50, "note": "contest winner"},
    )
    assert audit.created_at == clock.now()
    assert await admin.is_admin(ADMIN)
    assert not await admin.is_admin(1)
    await assert_consistent(db)


async def test_revoking_more_than_the_balance_stops_at_zero(
    admin: AdminService, store: Store, db: Database
):
    step = await admin.revoke_points(ADMIN, 1, 1_000)
    assert step.state.points == 0
    charged = [r.amount for r in await rows(db, ledger, player_id=1) if r.reason == "admin"]
    assert charged == [-20]
    with pytest.raises(InvalidArgument):
        await admin.revoke_points(ADMIN, 1, 0)
    with pytest.raises(InvalidArgument):
        await admin.grant_points(ADMIN, 1, -5)
    await assert_consistent(db)


async def test_grant_and_extend_vip(admin: AdminService, db: Database, clock: FixedClock):
    first = await admin.grant_vip(ADMIN, 1, days=10)
    assert first.state.vip_until == clock.now() + timedelta(days=10)
    extended = await admin.grant_vip(ADMIN, 1, days=5)
    assert extended.state.vip_until == clock.now() + timedelta(days=15)
    grants = await rows(db, vip_grants, player_id=1)
    assert [(g.source, g.granted_by) for g in grants] == [("admin", ADMIN), ("admin", ADMIN)]
    revoked = await admin.revoke_vip(ADMIN, 1)
    assert revoked.state.vip_tier is None
    assert all(g.ended_at is not None for g in await rows(db, vip_grants, player_id=1))
    actions = [a.action for a in await admin.audit_log(player_id=1)]
    assert actions == ["revoke_vip", "grant_vip", "grant_vip"]


async def test_reset_progress_keeps_what_was_earned(
    admin: AdminService, store: Store, db: Database
):
    await store.act(1, CheckIn(), "daily")
    await store.act(1, Choose("inicio.invitar"), "pay")
    before = await store.state(1)
    assert before.fragment == "copa"
    reset = await admin.reset_progress(ADMIN, 1)
    assert (reset.fragment, reset.started, reset.visits.to_dict()) == (None, False, {})
    assert (reset.points, reset.streak, reset.last_checkin) == (
        before.points,
        before.streak,
        before.last_checkin,
    )
    assert (await store.act(1, Start(), "again")).state.fragment == "inicio"
    assert await count(db, admin_audit, action="reset_progress") == 1
    await assert_consistent(db)


async def test_lookup_is_audited(admin: AdminService, store: Store):
    await store.act(1, CheckIn(), "daily")
    report = await admin.lookup(ADMIN, 1)
    assert (report.player_id, report.name, report.role, report.blocked) == (
        1,
        "Ana",
        "player",
        False,
    )
    assert report.checkins == 1
    assert report.state.points == 30
    assert [e.reason for e in report.ledger] == ["daily", "starting"]
    assert [a.action for a in await admin.audit_log(player_id=1)] == ["lookup"]
    with pytest.raises(UnknownPlayer):
        await admin.lookup(ADMIN, 12345)


async def test_blocked_players_cannot_act(admin: AdminService, store: Store):
    await admin.block(ADMIN, 1)
    with pytest.raises(PlayerBlocked):
        await store.act(1, CheckIn(), "daily")
    await admin.grant_points(ADMIN, 1, 5)  # operators still can
    await admin.block(ADMIN, 1, blocked=False)
    assert (await store.act(1, CheckIn(), "daily")).outcome is Outcome.CHECKED_IN
    assert [a.action for a in await admin.audit_log(player_id=1)][-1] == "block"


async def test_invite_tokens_are_used_up(admin: AdminService, store: Store, db: Database):
    token = await admin.create_invite(ADMIN, days=3, max_uses=1)
    step = await store.act(1, RedeemInvite(token), "invite:1")
    assert step.outcome is Outcome.VIP_GRANTED
    (grant,) = await rows(db, vip_grants, player_id=1)
    assert (grant.source, grant.invite_token) == ("invite", token)
    await store.register(2)
    with pytest.raises(InviteRejected):
        await store.act(2, RedeemInvite(token), "invite:2")
    with pytest.raises(InviteRejected):
        await store.act(2, RedeemInvite("no-such-token"), "invite:3")
    assert (await store.state(2)).vip_tier is None
    assert [a.action for a in await admin.audit_log()][:1] == ["create_invite"]
