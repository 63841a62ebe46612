"""Sending what the story shows: edit in place or send, typing pauses, media, 403s.

Rules (borrowed from aiogram-dialog, adapted to a story that scrolls):

- navigating from the newest message to a screen that is one plain text message: edit that
  message in place (text and buttons); an edit that would change nothing is skipped, and one
  that fails (too old, deleted) falls back to sending;
- anything else (Diana answering, media, a typing pause, several messages): the old message
  keeps its text but loses its buttons, and the new messages are sent in order;
- one chat's deliveries never interleave (a per-chat lock), and a user who blocked the bot
  (403) is marked unreachable instead of failing the update.

Deliveries run after the action committed, as tracked tasks: polling acknowledges an update
once its effect is stored, and shutdown waits for deliveries in flight.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.enums import ChatAction, ParseMode
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import (
    FSInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from engine.telegram.bot.present import URL_PREFIX, Keyboard, Outgoing

log = logging.getLogger("diana.bot.delivery")

OnBlocked = Callable[[int], Awaitable[None]]


def markup(keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[[_button(label, data) for label, data in row] for row in keyboard]
    )


def _button(label: str, data: str) -> InlineKeyboardButton:
    if data.startswith(URL_PREFIX):
        return InlineKeyboardButton(text=label, url=data.removeprefix(URL_PREFIX))
    return InlineKeyboardButton(text=label, callback_data=data)


class Tracker:
    """Background tasks the bot must finish before it stops (deliveries)."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self.on_done: Callable[[], None] | None = None
        """Called after each task finishes (the GC pacer looks for an idle moment)."""

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("delivery failed", exc_info=task.exception())
        if self.on_done is not None:
            self.on_done()

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait for every task (those spawned meanwhile too); cancel what is left after
        `timeout`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._tasks:
            remaining = deadline - loop.time()
            if remaining <= 0:
                for task in list(self._tasks):
                    task.cancel()
                await asyncio.gather(*self._tasks, return_exceptions=True)
                return
            await asyncio.wait(set(self._tasks), timeout=remaining)


class Delivery:
    def __init__(
        self,
        bot: Bot,
        content_dir: Path,
        *,
        on_blocked: OnBlocked,
        pause_scale: float = 1.0,
    ) -> None:
        self.bot = bot
        self.content_dir = content_dir
        self.on_blocked = on_blocked
        self.pause_scale = pause_scale
        self.file_ids: dict[str, str] = {}
        """Media already uploaded, by content path: Telegram's file_id is reused."""
        self._locks: dict[int, asyncio.Lock] = {}

    async def show(
        self, chat_id: int, messages: list[Outgoing], source: Message | None = None
    ) -> None:
        """Show `messages` in the chat, editing `source` (the tapped message) when allowed."""
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        try:
            async with lock:
                await self._show(chat_id, messages, source)
        except TelegramForbiddenError:
            await self.on_blocked(chat_id)
        finally:
            if not lock.locked() and not getattr(lock, "_waiters", None):
                self._locks.pop(chat_id, None)

    async def notify(self, chat_id: int, text: str, keyboard: Keyboard | None = None) -> None:
        await self.show(chat_id, [Outgoing(text, keyboard=keyboard)])

    async def _show(self, chat_id: int, messages: list[Outgoing], source: Message | None) -> None:
        if not messages:
            return
        if source is not None:
            if len(messages) == 1 and messages[0].plain_edit and source.text is not None:
                if await self._edit(source, messages[0]):
                    return
            elif source.reply_markup is not None:
                await self._strip(source)
        for outgoing in messages:
            await self._send(chat_id, outgoing)

    async def _edit(self, source: Message, outgoing: Outgoing) -> bool:
        new_markup = markup(outgoing.keyboard)
        if source.html_text == outgoing.text and source.reply_markup == new_markup:
            return True  # nothing would change: skip the call
        try:
            await self.bot.edit_message_text(
                text=outgoing.text,
                chat_id=source.chat.id,
                message_id=source.message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=new_markup,
            )
        except TelegramBadRequest as error:
            if "not modified" in error.message:
                return True
            log.info("edit failed (%s); sending instead", error.message)
            return False
        return True

    async def _strip(self, source: Message) -> None:
        try:
            await self.bot.edit_message_reply_markup(
                chat_id=source.chat.id, message_id=source.message_id, reply_markup=None
            )
        except TelegramBadRequest as error:
            log.debug("could not remove old buttons: %s", error.message)

    async def _send(self, chat_id: int, outgoing: Outgoing) -> None:
        pause = outgoing.pause * self.pause_scale
        if pause > 0:
            action = ChatAction.TYPING if outgoing.media is None else ChatAction.UPLOAD_PHOTO
            await self.bot.send_chat_action(chat_id=chat_id, action=action)
            await asyncio.sleep(pause)
        reply_markup = markup(outgoing.keyboard)
        media = outgoing.media
        if media is None:
            await self.bot.send_message(
                chat_id=chat_id,
                text=outgoing.text,
                parse_mode=ParseMode.HTML,
                reply_markup=reply_markup,
            )
            return
        cached = self.file_ids.get(media.file)
        source: str | FSInputFile = cached or FSInputFile(self.content_dir / media.file)
        common: dict[str, Any] = {
            "chat_id": chat_id,
            "caption": outgoing.text or None,
            "parse_mode": ParseMode.HTML,
            "reply_markup": reply_markup,
        }
        sent: Message
        if media.kind == "photo":
            sent = await self.bot.send_photo(photo=source, **common)
            file_id = sent.photo[-1].file_id if sent.photo else None
        elif media.kind == "video":
            sent = await self.bot.send_video(video=source, **common)
            file_id = sent.video.file_id if sent.video else None
        elif media.kind == "voice":
            sent = await self.bot.send_voice(voice=source, **common)
            file_id = sent.voice.file_id if sent.voice else None
        else:
            sent = await self.bot.send_animation(animation=source, **common)
            file_id = sent.animation.file_id if sent.animation else None
        if file_id is not None:
            self.file_ids[media.file] = file_id
