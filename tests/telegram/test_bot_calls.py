"""The real aiogram Bot against the fake: results, Telegram's refusals and injected faults."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from botapi_helpers import make_bot

from engine.telegram.botapi import FakeBotAPI


def markup(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(text=t, callback_data=d) for t, d in pairs]
    return InlineKeyboardMarkup(inline_keyboard=[buttons])


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.username == "diana_test_bot" and me.id == bot.id


async def test_send_message_is_stored_per_chat(server: FakeBotAPI, bot: Bot) -> None:
    ana = server.user(id=1001, first_name="Ana")
    sent = await bot.send_message(ana.id, "Hola", reply_markup=markup(("Go", "go")))
    second = await bot.send_message(ana.id, "Again")
    assert (sent.message_id, second.message_id) == (1, 2)
    assert sent.reply_markup is not None
    assert [m.text for m in ana.messages] == ["Hola", "Again"]
    assert ana.messages[0].buttons() == [{"text": "Go", "callback_data": "go"}]


async def test_unknown_chat_is_refused(server: FakeBotAPI, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(999, "nobody")


async def test_html_is_parsed_like_telegram(server: FakeBotAPI, bot: Bot) -> None:
    ana = server.user(id=1001)
    sent = await bot.send_message(ana.id, "<b>Hi</b> &amp; bye", parse_mode="HTML")
    assert sent.text == "Hi & bye"
    assert ana.last_message().raw_text == "<b>Hi</b> &amp; bye"


async def test_edit_text_not_modified_and_not_found(server: FakeBotAPI, bot: Bot) -> None:
    ana = server.user(id=1001)
    kb = markup(("Go", "go"))
    sent = await bot.send_message(ana.id, "Same", reply_markup=kb)
    with pytest.raises(TelegramBadRequest, match="message is not modified: specified new message"):
        await bot.edit_message_text(
            text="Same", chat_id=ana.id, message_id=sent.message_id, reply_markup=kb
        )
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=ana.id, message_id=77)
    # An edit without reply_markup removes the keyboard, so it is a modification.
    await bot.edit_message_text(text="Same", chat_id=ana.id, message_id=sent.message_id)
    assert ana.last_message().reply_markup is None
    assert ana.last_message().edit_date is not None


async def test_edit_reply_markup(server: FakeBotAPI, bot: Bot) -> None:
    ana = server.user(id=1001)
    sent = await bot.send_message(ana.id, "Menu", reply_markup=markup(("A", "a")))
    await bot.edit_message_reply_markup(
        chat_id=ana.id, message_id=sent.message_id, reply_markup=markup(("B", "b"))
    )
    assert ana.last_message().buttons() == [{"text": "B", "callback_data": "b"}]
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(
            chat_id=ana.id, message_id=sent.message_id, reply_markup=markup(("B", "b"))
        )


async def test_delete_message(server: FakeBotAPI, bot: Bot) -> None:
    ana = server.user(id=1001)
    sent = await bot.send_message(ana.id, "Bye")
    assert await bot.delete_message(ana.id, sent.message_id)
    assert ana.messages == []
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(ana.id, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=ana.id, message_id=sent.message_id)


async def test_callback_query_is_answered_once(server: FakeBotAPI, bot: Bot) -> None:
    ana = server.user(id=1001)
    await bot.send_message(ana.id, "Pick", reply_markup=markup(("Go", "go")))
    query_id = await ana.tap("Go")
    assert await bot.answer_callback_query(query_id, text="Done")
    with pytest.raises(TelegramBadRequest, match="query is too old and response timeout expired"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await bot.answer_callback_query("never-issued")
    assert ana.answers == [{"text": "Done"}]


async def test_tap_without_such_button_is_a_test_error(server: FakeBotAPI, bot: Bot) -> None:
    ana = server.user(id=1001)
    await bot.send_message(ana.id, "No buttons")
    with pytest.raises(LookupError, match="no button 'Go'"):
        await ana.tap("Go")


async def test_injected_429_surfaces_as_retry_after(server: FakeBotAPI, bot: Bot) -> None:
    ana = server.user(id=1001)
    server.fail_next("sendMessage", 429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(ana.id, "hi")
    assert caught.value.retry_after == 3
    assert "Too Many Requests: retry after 3" in caught.value.message
    await bot.send_message(ana.id, "hi")  # consumed once
    assert [m.text for m in ana.messages] == ["hi"]


async def test_injected_403_and_5xx(server: FakeBotAPI, bot: Bot) -> None:
    ana = server.user(id=1001)
    server.fail_next("sendMessage", 403)
    server.fail_next("sendMessage", 500)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(ana.id, "hi")
    with pytest.raises(TelegramServerError):
        await bot.send_message(ana.id, "hi")
    assert ana.messages == []


async def test_media_upload_and_file_id(server: FakeBotAPI, bot: Bot) -> None:
    ana = server.user(id=1001)
    photo = BufferedInputFile(b"\x89PNG fake", filename="a.png")
    sent = await bot.send_photo(ana.id, photo, caption="<i>Look</i>", parse_mode="HTML")
    assert sent.photo is not None and sent.caption == "Look"
    file_id = sent.photo[-1].file_id
    again = await bot.send_photo(ana.id, file_id)
    assert again.photo is not None and again.photo[0].file_id == file_id
    data = await bot.download(file_id)
    assert data is not None and data.read() == b"\x89PNG fake"
    voice = await bot.send_voice(ana.id, BufferedInputFile(b"ogg", filename="v.ogg"))
    video = await bot.send_video(ana.id, BufferedInputFile(b"mp4", filename="v.mp4"))
    gif = await bot.send_animation(ana.id, BufferedInputFile(b"gif", filename="a.gif"))
    assert voice.voice and video.video and gif.animation
    assert [m.kind for m in ana.messages] == ["photo", "photo", "voice", "video", "animation"]
    with pytest.raises(TelegramBadRequest, match="no text in the message to edit"):
        await bot.edit_message_text(text="x", chat_id=ana.id, message_id=sent.message_id)


async def test_commands_per_scope_and_chat_action(server: FakeBotAPI, bot: Bot) -> None:
    ana = server.user(id=1001)
    await bot.set_my_commands([BotCommand(command="start", description="Begin")])
    scope = BotCommandScopeChat(chat_id=ana.id)
    await bot.set_my_commands([BotCommand(command="help", description="Help")], scope=scope)
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    assert [c.command for c in await bot.get_my_commands(scope=scope)] == ["help"]
    assert await bot.send_chat_action(ana.id, "typing")
    assert await bot.delete_webhook(drop_pending_updates=True)


async def test_default_properties_quirk_is_allowed(server: FakeBotAPI) -> None:
    """aiogram sends disable_web_page_preview (not in Bot API 10.1) with this default."""
    ana = server.user(id=1001)
    bot = make_bot(
        server, default=DefaultBotProperties(parse_mode="HTML", link_preview_is_disabled=True)
    )
    try:
        await bot.send_message(ana.id, "<b>x</b>")
        sent = await bot.send_message(ana.id, "y")
        await bot.edit_message_text(text="z", chat_id=ana.id, message_id=sent.message_id)
    finally:
        await bot.session.close()
    assert "disable_web_page_preview" in server.calls_to("sendMessage")[0].params
    assert ana.messages[0].text == "x"
