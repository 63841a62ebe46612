"""The action service: `Store.act(player_id, action, idempotency_key, now) -> Step`.

One user action is one short transaction: take the player's state, run the pure runtime step,
then write the state, its ledger rows, its check-in/VIP rows and its outbox events, and commit;
subscribers run after the commit. No transaction is ever open while the caller talks to
Telegram: `act` returns the step and the adapter sends the messages afterwards.

ORM or Core: Core, measured. The perf floor (shared/perf-floor.md) puts a read-modify-write at
~3 ms through the ORM, ~2.1 ms through Core with prebuilt statements and ~0.09 ms in raw sqlite3:
the cost is SQLAlchemy's async layer, not SQLite. `diana bench storage` measures it again on
every run: a transaction per action through SQLAlchemy Core on a pool (no ORM, even) managed
~320-360 actions/s at 16 users with a p99 of 0.3-0.5 s on this machine, while this store did
~1,300-1,600 actions/s at 16 users and ~0.7 ms p50 / ~1.9 ms p99 for a lone user. So the hot
path avoids what it can:

- reads: an in-memory cache of each player's `PlayerState` and its row `version`; a step on a
  cached player does no read at all. Every write is `UPDATE ... WHERE version = :seen`: a write
  that loses to another worker (PostgreSQL shared by several bots, or the CLI) is refused, the
  entry is dropped and the action re-runs on the fresh state, so the cache is never trusted
  beyond one write. With several workers, route each player to one worker or pass
  `cache_states=False` so that read-only outcomes also see the latest state.
- writes: a single writer with group commit (`writer.py`): one connection, one transaction and
  one executemany per table for every action queued meanwhile.
- ordering and double taps: a per-player asyncio lock serialises one player's actions (200
  concurrent presses of a paid button charge once: the first moves the player, the rest are
  stale), and an idempotency key per action (update id, callback query id, charge id) is
  stored in `processed_updates`, unique, in the same transaction: a redelivered update is
  answered with the current screen and no effect, also after a restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from engine.bus import EventBus, EventContext
from engine.content.compiled import Story
from engine.persistence.actions import (
    Action,
    Choose,
    RedeemInvite,
    StarsPayment,
    Start,
    source_of,
)
from engine.persistence.clock import SYSTEM_CLOCK, Clock
from engine.persistence.db import Database
from engine.persistence.errors import (
    InviteRejected,
    PlayerBlocked,
    PlayerExists,
    StoreBusy,
    UnknownPlayer,
)
from engine.persistence.migrations import require_current
from engine.persistence.outbox import relay
from engine.persistence.rows import (
    Entry,
    Extras,
    action_write,
    new_id,
    player_seed,
    register_write,
)
from engine.persistence.statements import SELECT_ENTRY
from engine.persistence.tables import invite_tokens
from engine.persistence.writer import Writer, WriteResult
from engine.runtime import (
    AdminGrant,
    Engine,
    GrantVip,
    InvalidArgument,
    Outcome,
    Output,
    Payment,
    PlayerState,
    Step,
    loads_state,
)
from engine.runtime.triggers import Trigger

MAX_ATTEMPTS = 8
"""Version conflicts in a row before `act` gives up with StoreBusy (another worker is busy)."""

Compute = Callable[[PlayerState, datetime], Step]


class _Slot:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class Store:
    """Players' states and everything an action writes; see the module docstring."""

    def __init__(
        self,
        db: Database,
        story: Story,
        *,
        bus: EventBus | None = None,
        clock: Clock = SYSTEM_CLOCK,
        cache_states: bool = True,
        cache_size: int = 100_000,
    ) -> None:
        self.db = db
        self.engine = Engine(story)
        self.bus = bus if bus is not None else EventBus()
        self.clock = clock
        self.cache_states = cache_states
        self.cache_size = cache_size
        self.writer = Writer(db)
        self.relayed = 0
        """Outbox events delivered by `open` (left undelivered by a previous process)."""
        self._cache: dict[int, Entry] = {}
        self._recent: dict[str, None] = {}
        self._slots: dict[int, _Slot] = {}

    # -- lifecycle ---------------------------------------------------------------------------

    async def open(self, *, relay_outbox: bool = True) -> None:
        """Check the schema, deliver what a crash left in the outbox, start the writer."""
        await require_current(self.db)
        if relay_outbox:
            self.relayed = await relay(self.db, self.bus, self.clock.now())
        await self.writer.start()

    async def close(self) -> None:
        await self.writer.stop()

    async def __aenter__(self) -> Store:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def use_story(self, story: Story) -> None:
        """Play a new content release from now on; states migrate on their next action."""
        self.engine = Engine(story)

    # -- players -----------------------------------------------------------------------------

    async def register(
        self,
        player_id: int,
        *,
        name: str = "",
        language: str | None = None,
        timezone: str | None = None,
        role: str = "player",
        seed: int | None = None,
        now: datetime | None = None,
    ) -> Step:
        """Create a player with the story's starting points (ledgered); PlayerExists if known."""
        when = now if now is not None else self.clock.now()
        step = self.engine.new_player(
            seed=seed if seed is not None else player_seed(player_id),
            language=language,
            timezone=timezone,
            name=name,
        )
        state = step.state
        key = f"register:{player_id}"
        action_id = new_id()
        write = register_write(player_id, step, key, action_id, name, role, when)
        await self._acquire(player_id)
        try:
            result = await self.writer.write(write)
            if result is not WriteResult.OK:
                raise PlayerExists(player_id)
            self._put(player_id, Entry(state, 1, False))
        finally:
            self._release(player_id)
        await self._publish(player_id, action_id, step, when)
        return step

    async def ensure_player(
        self,
        player_id: int,
        *,
        name: str = "",
        language: str | None = None,
        timezone: str | None = None,
        now: datetime | None = None,
    ) -> PlayerState:
        """The player's state, registering them first if they are new."""
        try:
            return (await self._entry(player_id)).state
        except UnknownPlayer:
            pass
        try:
            step = await self.register(
                player_id, name=name, language=language, timezone=timezone, now=now
            )
        except PlayerExists:
            return (await self._entry(player_id)).state
        return step.state

    async def state(self, player_id: int) -> PlayerState:
        return (await self._entry(player_id)).state

    async def view(self, player_id: int, now: datetime | None = None) -> Output:
        """What the player sees now; changes nothing."""
        state = (await self._entry(player_id)).state
        return self.engine.view(state, now if now is not None else self.clock.now())

    async def update_profile(
        self,
        player_id: int,
        *,
        name: str | None = None,
        language: str | None = None,
        timezone: str | None = None,
        idempotency_key: str | None = None,
        now: datetime | None = None,
    ) -> PlayerState:
        """Change the name, language or time zone (players row and state, one transaction)."""
        if language is not None and language not in self.engine.story.languages:
            raise InvalidArgument(f"language '{language}' is not offered")
        if timezone is not None:
            try:
                ZoneInfo(timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise InvalidArgument(f"unknown time zone '{timezone}'") from None

        def compute(state: PlayerState, when: datetime) -> Step:
            new = state._replace(
                name=state.name if name is None else name,
                language=language or state.language,
                timezone=timezone or state.timezone,
                step=state.step + 1,
            )
            return Step(new, Output(), (), Outcome.UNCHANGED)

        step = await self.perform(
            player_id, compute, idempotency_key, now, Extras("profile", keep_last_seen=True)
        )
        return step.state

    # -- actions -----------------------------------------------------------------------------

    async def act(
        self,
        player_id: int,
        action: Action,
        idempotency_key: str | None = None,
        now: datetime | None = None,
    ) -> Step:
        """Apply one player action exactly once per `idempotency_key`; see the module docstring.

        A key seen before (a redelivered update, a double tap's second callback) returns the
        current screen with no events and `Outcome.UNCHANGED`. Without a key (None) the action
        is never deduplicated. A Stars payment's key defaults to its charge id.
        """
        now = now if now is not None else self.clock.now()
        compute: Compute
        extras = Extras(source_of(action))
        match action:
            case Start(chapter=chapter):
                compute = lambda s, t: self.engine.start(s, t, chapter)  # noqa: E731
            case Choose(ref=ref):
                compute = lambda s, t: self.engine.choose(s, ref, t)  # noqa: E731
            case StarsPayment(offer=offer, charge_id=charge_id):
                extras.charge_id = charge_id
                idempotency_key = idempotency_key or f"charge:{charge_id}"
                payment = Payment(offer)
                compute = lambda s, t: self.engine.trigger(s, payment, t)  # noqa: E731
            case RedeemInvite(token=token):
                grant = await self._invite_grant(token, now)
                extras.invite = token
                extras.claim = {"b_token": token, "b_at": now}
                compute = lambda s, t: self.engine.trigger(s, grant, t)  # noqa: E731
            case AdminGrant():
                raise InvalidArgument("admin grants go through AdminService (they are audited)")
            case GrantVip(source=vip_source) if vip_source not in {"invite", "channel"}:
                raise InvalidArgument(f"GrantVip source must be invite or channel: {vip_source!r}")
            case _:
                trigger: Trigger = action
                compute = lambda s, t: self.engine.trigger(s, trigger, t)  # noqa: E731
        return await self.perform(player_id, compute, idempotency_key, now, extras)

    async def perform(
        self,
        player_id: int,
        compute: Compute,
        idempotency_key: str | None,
        now: datetime | None,
        extras: Extras,
    ) -> Step:
        """Run `compute` on the player's state and commit its step (the engine of `act`)."""
        when = now if now is not None else self.clock.now()
        key = idempotency_key if idempotency_key is not None else f"auto:{new_id()}"
        await self._acquire(player_id)
        try:
            if key in self._recent:
                return self._repeat(await self._entry(player_id), when)
            for _attempt in range(MAX_ATTEMPTS):
                entry = await self._entry(player_id)
                if entry.blocked and not extras.admin:
                    raise PlayerBlocked(player_id)
                step = compute(entry.state, when)
                if extras.keep_last_seen and step.state is not entry.state:
                    kept = step.state._replace(last_seen=entry.state.last_seen)
                    step = step._replace(state=kept)
                write, version = action_write(player_id, entry, step, key, when, extras)
                result = await self.writer.write(write)
                if result is WriteResult.OK:
                    self._put(player_id, Entry(step.state, version, entry.blocked))
                    self._remember(key)
                    break
                self._cache.pop(player_id, None)
                if result is WriteResult.DUPLICATE:
                    self._remember(key)
                    return self._repeat(await self._entry(player_id), when)
            else:
                raise StoreBusy(f"player {player_id}: state kept changing; action not applied")
        except asyncio.CancelledError:
            self._cache.pop(player_id, None)  # the write may or may not have committed
            raise
        finally:
            self._release(player_id)
        await self._publish(player_id, write.action_id, step, when)
        return step

    # -- internals ---------------------------------------------------------------------------

    async def _publish(self, player_id: int, action_id: str, step: Step, when: datetime) -> None:
        if not step.events:
            return
        await self.bus.publish_all(step.events, EventContext(player_id, when, action_id))
        self.writer.delivered(action_id, when)

    def _repeat(self, entry: Entry, when: datetime) -> Step:
        """The answer to an already-processed key: the current screen, no events."""
        return Step(entry.state, self.engine.view(entry.state, when), (), Outcome.UNCHANGED)

    async def _entry(self, player_id: int) -> Entry:
        entry = self._cache.get(player_id)
        if entry is not None:
            return entry
        row: Any
        if self.writer.inline_reads:  # SQLite: ~20 µs on the writer's connection, no hop
            rows = self.writer.read(SELECT_ENTRY, {"b_player": player_id})
            row = rows[0] if rows else None
        else:
            async with self.db.engine.connect() as conn:
                row = (await conn.execute(SELECT_ENTRY, {"b_player": player_id})).first()
        if row is None:
            raise UnknownPlayer(player_id)
        entry = Entry(loads_state(row[0]), int(row[1]), bool(row[2]))
        self._put(player_id, entry)
        return entry

    def _put(self, player_id: int, entry: Entry) -> None:
        if not self.cache_states:
            return
        cache = self._cache
        cache.pop(player_id, None)
        cache[player_id] = entry
        if len(cache) > self.cache_size:
            del cache[next(iter(cache))]

    def forget(self, player_id: int) -> None:
        """Drop the cached state (the admin service does after writing outside `perform`)."""
        self._cache.pop(player_id, None)

    def _remember(self, key: str) -> None:
        recent = self._recent
        recent[key] = None
        if len(recent) > self.cache_size:
            del recent[next(iter(recent))]

    async def _acquire(self, player_id: int) -> None:
        slot = self._slots.get(player_id)
        if slot is None:
            slot = self._slots[player_id] = _Slot()
        slot.users += 1
        try:
            await slot.lock.acquire()
        except BaseException:
            self._drop_slot(player_id, slot)
            raise

    def _release(self, player_id: int) -> None:
        slot = self._slots[player_id]
        slot.lock.release()
        self._drop_slot(player_id, slot)

    def _drop_slot(self, player_id: int, slot: _Slot) -> None:
        slot.users -= 1
        if slot.users == 0:
            del self._slots[player_id]

    async def _invite_grant(self, token: str, when: datetime) -> GrantVip:
        stmt = select(
            invite_tokens.c.tier,
            invite_tokens.c.days,
            invite_tokens.c.uses,
            invite_tokens.c.max_uses,
            invite_tokens.c.revoked,
            invite_tokens.c.expires_at,
        ).where(invite_tokens.c.token == token)
        async with self.db.engine.connect() as conn:
            row = (await conn.execute(stmt)).first()
        if row is None:
            raise InviteRejected(token)
        tier, days, uses, max_uses, revoked, expires_at = row
        if revoked or uses >= max_uses or (expires_at is not None and expires_at <= when):
            raise InviteRejected(token)
        return GrantVip(tier, days, "invite")
