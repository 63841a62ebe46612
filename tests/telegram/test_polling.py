"""A real Dispatcher polls the fake while scripted users send commands and tap buttons."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from engine.telegram.botapi import FakeBotAPI


def menu(page: int) -> InlineKeyboardMarkup:
    nav = "Next" if page == 1 else "Back"
    target = "2" if page == 1 else "1"
    buttons = [
        InlineKeyboardButton(text=nav, callback_data=f"page:{target}"),
        InlineKeyboardButton(text="Close", callback_data="close"),
    ]
    return InlineKeyboardMarkup(inline_keyboard=[buttons])


def echo_router() -> Router:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        name = message.from_user.first_name if message.from_user else "?"
        await message.answer(f"Hello, {name}! Page 1", reply_markup=menu(1))

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    @router.callback_query(F.data.startswith("page:"))
    async def page(query: CallbackQuery) -> None:
        if not isinstance(query.message, Message):
            await query.answer("That menu is gone", show_alert=True)
            return
        number = int((query.data or "page:1").split(":")[1])
        try:
            await query.message.edit_text(f"Page {number}", reply_markup=menu(number))
        except TelegramBadRequest as error:
            if "message is not modified" not in error.message:
                raise
            await query.answer("Already there")
            return
        await query.answer(f"Page {number}")

    @router.callback_query(F.data == "close")
    async def close(query: CallbackQuery) -> None:
        if isinstance(query.message, Message):
            await query.message.delete()
        await query.answer()

    return router


@pytest.fixture
async def polling(server: FakeBotAPI, bot: Bot) -> AsyncIterator[Dispatcher]:
    dispatcher = Dispatcher()
    dispatcher.include_router(echo_router())
    task = asyncio.create_task(
        dispatcher.start_polling(
            bot, polling_timeout=5, handle_signals=False, close_bot_session=False
        )
    )
    try:
        yield dispatcher
    finally:
        await dispatcher.stop_polling()
        await task


async def test_start_and_echo(server: FakeBotAPI, polling: Dispatcher) -> None:
    ana = server.user(id=1001, first_name="Ana")
    await ana.send("/start")
    await server.wait_idle()
    assert ana.last_message().text == "Hello, Ana! Page 1"
    await ana.send("hola")
    await server.wait_idle()
    assert ana.last_message().text == "hola"
    assert [m.text for m in ana.messages] == ["Hello, Ana! Page 1", "hola"]
    assert server.calls_to("getUpdates")  # the dispatcher really polled


async def test_tap_edits_and_answers(server: FakeBotAPI, polling: Dispatcher) -> None:
    ana = server.user(id=1001, first_name="Ana")
    await ana.send("/start")
    await server.wait_idle()
    await ana.tap("Next")
    await server.wait_idle()
    assert ana.last_message().text == "Page 2"
    assert [b["text"] for b in ana.last_message().buttons()] == ["Back", "Close"]
    assert ana.answers == [{"text": "Page 2"}]


async def test_double_tap_is_answered_once_each(server: FakeBotAPI, polling: Dispatcher) -> None:
    ana = server.user(id=1001)
    await ana.send("/start")
    await server.wait_idle()
    menu_message = ana.last_message()
    first = await ana.tap("Next")
    second = await ana.tap("page:2", message=menu_message)  # the same button, stale
    await server.wait_idle()
    assert ana.last_message().text == "Page 2"
    assert sorted(str(a.get("text")) for a in ana.answers) == ["Already there", "Page 2"]
    assert server.state.callbacks[first].answered and server.state.callbacks[second].answered


async def test_stale_tap_on_deleted_message(server: FakeBotAPI, polling: Dispatcher) -> None:
    ana = server.user(id=1001)
    await ana.send("/start")
    await server.wait_idle()
    old = ana.last_message()
    await ana.tap("Close")
    await server.wait_idle()
    assert ana.messages == [] and old.deleted
    await ana.tap("Next", message=old)
    await server.wait_idle()
    assert ana.answers[-1] == {"text": "That menu is gone", "show_alert": True}


async def test_two_users_have_separate_chats(server: FakeBotAPI, polling: Dispatcher) -> None:
    ana, ben = server.user(id=1, first_name="Ana"), server.user(id=2, first_name="Ben")
    await ana.send("/start")
    await ben.send("/start")
    await server.wait_idle()
    await ben.tap("Next")
    await server.wait_idle()
    assert ana.last_message().text == "Hello, Ana! Page 1"
    assert ben.last_message().text == "Page 2"
    assert ana.last_message().message_id == ben.last_message().message_id == 2


async def test_wait_idle_waits_for_a_bot_slow_to_answer(server: FakeBotAPI, bot: Bot) -> None:
    """A bot that fetched an update but has not been scheduled to answer it yet is not idle
    (CI once saw `wait_idle` return 50 ms after the fetch, before the reply)."""
    ana = server.user(id=1001, first_name="Ana")
    await ana.send("hola")

    async def slow_bot() -> None:
        [update] = await bot.get_updates(timeout=0)
        await asyncio.sleep(0.3)  # busy elsewhere: longer than wait_idle's quiet time
        assert update.message is not None
        await bot.send_message(update.message.chat.id, "por fin")
        await bot.get_updates(offset=update.update_id + 1, timeout=0)

    task = asyncio.create_task(slow_bot())
    while not server.state.all_delivered:
        await asyncio.sleep(0.005)
    await server.wait_idle()
    assert ana.last_message().text == "por fin"
    await task
