"""Assemble and run the bot: content, database, store, aiogram, and a clean shutdown.

`DianaBot` owns every part and their order: open (migrate, publish the content if it is new,
open the store, register commands), run (long polling or a webhook server) and close (stop
taking updates, finish the ones in flight and their deliveries, close the store, the database
and the HTTP session). Polling acknowledges a batch of updates only after each of its
handlers has stored its effect, so a crash loses nothing: an update that comes again is
answered from the store's idempotency keys without a second effect.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Sequence

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramNetworkError,
    TelegramUnauthorizedError,
)
from aiogram.types import Update, User

from engine.content import load_story
from engine.content.compiled import Story
from engine.persistence import SYSTEM_CLOCK, Clock, Database, ReleaseWatcher, Store, migrations
from engine.persistence.presence import set_reachable
from engine.persistence.releases import content_loader, publish
from engine.telegram.bot.admin import AdminCommands
from engine.telegram.bot.callbacks import CallbackCodec
from engine.telegram.bot.channels import Channels
from engine.telegram.bot.commands import register_commands
from engine.telegram.bot.delivery import Delivery, Tracker
from engine.telegram.bot.gcpace import GcPacer
from engine.telegram.bot.handlers import build_outside_router, build_router
from engine.telegram.bot.middleware import Errors, IdempotencyKey, Throttle
from engine.telegram.bot.outgoing import OutgoingLimiter, RateLimits
from engine.telegram.bot.present import Outgoing
from engine.telegram.bot.service import BotService
from engine.telegram.bot.settings import BotSettings, SettingsError
from engine.telegram.bot.sweeper import VipSweeper
from engine.telegram.bot.vip import VipSales

log = logging.getLogger("diana.bot")

ALLOWED_UPDATES = (
    "message",
    "callback_query",
    "my_chat_member",
    "pre_checkout_query",
    "message_reaction",
    "chat_member",
    "chat_join_request",
)
"""message_reaction and chat_member are only sent when asked for by name (and the bot must be
an admin of the chat); the others are listed so the set is explicit."""
DEFAULT_LIMITS = RateLimits()


class ContentError(Exception):
    """The content folder does not load; the message lists the first diagnostics."""


class DianaBot:
    def __init__(
        self,
        settings: BotSettings,
        *,
        story: Story | None = None,
        clock: Clock = SYSTEM_CLOCK,
        limits: RateLimits | None = DEFAULT_LIMITS,
        throttle: bool = True,
        poll_timeout: int = 25,
        watch_releases: float | None = 5.0,
        session: BaseSession | None = None,
        sweep_interval: float | None = 300.0,
    ) -> None:
        self.settings = settings
        self.story = story
        self.clock = clock
        self.limits = limits
        self.use_throttle = throttle
        self.poll_timeout = poll_timeout
        self.watch_releases = watch_releases
        self.session = session
        self.sweep_interval = sweep_interval
        self._sweep: asyncio.Task[None] | None = None
        """An aiogram session to use instead of HTTP to `api_url` (the in-process benchmark)."""
        self.tracker = Tracker()
        self.pacer: GcPacer | None = None
        self._inflight: set[asyncio.Task[object]] = set()
        self._watcher: asyncio.Task[None] | None = None
        self.handled = 0

    # -- lifecycle ---------------------------------------------------------------------------

    async def open(self) -> None:
        s = self.settings
        if self.story is None:
            result = await asyncio.to_thread(load_story, s.content)
            if not result.ok or result.story is None:
                first = "; ".join(str(d) for d in result.diagnostics.errors[:3])
                raise ContentError(f"{s.content} has errors (diana validate shows all): {first}")
            self.story = result.story
        story = self.story
        if story.bot is None:
            raise ContentError(
                f"{s.content} has no bot.yaml (kind: bot): the bot's own texts live there"
            )
        self.db = Database(s.database_url)
        await migrations.upgrade(self.db)
        await publish(self.db, story, self.clock.now())
        self.store = Store(self.db, story, clock=self.clock)
        await self.store.open()
        api = TelegramAPIServer.from_base(s.api_url) if s.api_url else None
        session = self.session or (AiohttpSession(api=api) if api else AiohttpSession())
        if self.limits is not None:
            self.limiter: OutgoingLimiter | None = OutgoingLimiter(self.limits)
            session.middleware(self.limiter)
        else:
            self.limiter = None
        self.bot = Bot(s.token, session=session)
        codec = CallbackCodec(s.token)
        self.service = BotService(
            self.store, codec, default_language=s.language, timezone=s.timezone
        )
        self.delivery = Delivery(
            self.bot, s.content, on_blocked=self._unreachable, pause_scale=s.pause_scale
        )
        self.vip = VipSales(self.service, self.bot)
        self.channels = Channels(self.service, self.bot, s.admin_ids)
        self.admin = AdminCommands(
            self.service, s.admin_ids, s.content, self._use_story, self.vip, self._notify
        )
        self.sweeper = VipSweeper(self.service, self.bot, self.delivery, self.channels)
        self.dispatcher = Dispatcher()
        self.dispatcher.update.outer_middleware(IdempotencyKey())
        errors = Errors(self.service, self.delivery, self.tracker)
        self.dispatcher.message.outer_middleware(errors)
        self.dispatcher.callback_query.outer_middleware(errors)
        if self.use_throttle:
            self.throttle: Throttle | None = Throttle(self.service)
            self.dispatcher.message.outer_middleware(self.throttle)
            self.dispatcher.callback_query.outer_middleware(self.throttle)
        else:
            self.throttle = None
        self.dispatcher.include_router(
            build_router(
                self.service, self.admin, self.delivery, self.tracker, self.vip, self.channels
            )
        )
        self.dispatcher.include_router(
            build_outside_router(self.service, self.delivery, self.tracker, self.vip, self.channels)
        )
        await self.channels.resolve()
        if self.sweep_interval:
            self._sweep = asyncio.create_task(self._sweep_forever(self.sweep_interval))
        if self.watch_releases:
            watcher = ReleaseWatcher(
                self.db,
                content_loader(s.content),
                self._use_story,
                current=story.content_hash,
                interval=self.watch_releases,
            )
            self._watcher = asyncio.create_task(watcher.run())

    def pace_gc(self) -> GcPacer:
        """Collect garbage between updates rather than inside them (see gcpace.py); for the
        process that runs the bot, after `freeze_heap`. `close` turns it off again."""
        if self.pacer is None:
            self.pacer = GcPacer(lambda: self.busy)
        self.tracker.on_done = self.pacer.poke
        self.pacer.start()
        return self.pacer

    @staticmethod
    def freeze_heap() -> None:
        """Keep everything loaded so far (the compiled story above all, which lives as long as
        the process) out of the garbage collector's scans, which otherwise stall updates at
        random. For the process that runs the bot, after `open`; not for test suites, where
        frozen objects would never be freed."""
        gc.collect()
        gc.freeze()

    async def identify(self) -> User:
        """getMe: the bot's own account; a refused token is a `SettingsError`."""
        try:
            return await self.bot.get_me()
        except TelegramUnauthorizedError:
            raise SettingsError(
                "Telegram refused DIANA_BOT_TOKEN (401 Unauthorized): revoked or mistyped?"
            ) from None

    async def register_commands(self) -> None:
        assert self.story is not None
        await register_commands(self.bot, self.store.engine.story, self.settings.admin_ids)

    async def close(self) -> None:
        """Finish what is in flight, then close everything (safe to call twice)."""
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)
        await self.tracker.drain()
        for task in (self._watcher, self._sweep):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._watcher = self._sweep = None
        if self.pacer is not None:
            self.pacer.stop()
        await self.store.close()
        await self.db.dispose()
        await self.bot.session.close()

    def _notify(self, chat_id: int, messages: list[Outgoing]) -> None:
        self.tracker.spawn(self.delivery.show(chat_id, messages))

    async def _sweep_forever(self, interval: float) -> None:
        """VIP reminders and expiry, every `interval` seconds; a failure is logged."""
        while True:
            try:
                await self.sweeper.run_once()
            except Exception:
                log.exception("VIP sweep failed; trying again in %ss", interval)
            await asyncio.sleep(interval)

    def _use_story(self, story: Story) -> None:
        self.store.use_story(story)
        self.service.use_story()
        self.story = story

    async def _unreachable(self, chat_id: int) -> None:
        if chat_id > 0 and await self.service.known(chat_id):
            await set_reachable(self.store, chat_id, False, self.clock.now())

    # -- updates -----------------------------------------------------------------------------

    async def feed(self, update: Update) -> None:
        """Handle one update to the point where its effect is stored (deliveries go on)."""
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            await self.dispatcher.feed_update(self.bot, update)
            self.handled += 1
        except Exception:
            log.exception("update %s failed", update.update_id)
        finally:
            if task is not None:
                self._inflight.discard(task)
            if self.pacer is not None:
                self.pacer.poke()

    @property
    def busy(self) -> bool:
        """Updates being handled or messages being delivered right now."""
        return bool(self._inflight) or self.tracker.pending > 0

    async def feed_batch(self, updates: Sequence[Update]) -> None:
        await asyncio.gather(*(self.feed(u) for u in updates))

    async def poll(self, stop: asyncio.Event) -> None:
        """Long polling until `stop` is set; a batch is acknowledged once it is handled."""
        await self.bot.delete_webhook(drop_pending_updates=False)
        offset: int | None = None
        backoff = 1.0
        stopping = asyncio.create_task(stop.wait())
        try:
            while not stop.is_set():
                fetch = asyncio.create_task(
                    self.bot.get_updates(
                        offset=offset,
                        timeout=self.poll_timeout,
                        allowed_updates=list(ALLOWED_UPDATES),
                    )
                )
                done, _ = await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if fetch not in done:
                    fetch.cancel()
                    await asyncio.gather(fetch, return_exceptions=True)
                    break
                try:
                    updates = fetch.result()
                except (TelegramNetworkError, TelegramAPIError) as error:
                    log.warning("getUpdates failed (%s); retrying in %.0fs", error, backoff)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 30.0)
                    continue
                backoff = 1.0
                if updates:
                    await self.feed_batch(updates)
                    offset = updates[-1].update_id + 1
        finally:
            stopping.cancel()
        if offset is not None:  # confirm the last batch to Telegram before leaving
            try:
                await self.bot.get_updates(offset=offset, timeout=0, limit=1)
            except TelegramAPIError as error:  # it will be redelivered and answered idempotently
                log.warning("could not confirm the last updates: %s", error)
