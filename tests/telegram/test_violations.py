"""Requests that break the spec are refused as Telegram would and recorded for the test."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramNotFound
from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from engine.telegram.botapi import FakeBotAPI


async def post(server: FakeBotAPI, method: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    url = f"{server.url}/bot{server.token}/{method}"
    async with aiohttp.ClientSession() as session, session.post(url, **kwargs) as resp:
        return resp.status, await resp.json()


async def test_missing_required_field(server: FakeBotAPI) -> None:
    status, body = await post(server, "sendMessage", data={"chat_id": "1"})
    assert status == 400 and body["ok"] is False and body["error_code"] == 400
    assert "missing required field 'text'" in body["description"]
    [violation] = server.take_violations()
    assert violation.method == "sendMessage"


async def test_wrong_type_in_json_body(server: FakeBotAPI) -> None:
    server.user(id=1)
    status, body = await post(server, "sendMessage", json={"chat_id": 1, "text": ["not", "str"]})
    assert status == 400 and "sendMessage.text: expected String" in body["description"]
    assert len(server.take_violations()) == 1


async def test_json_body_is_accepted(server: FakeBotAPI) -> None:
    ana = server.user(id=1)
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    status, body = await post(
        server, "sendMessage", json={"chat_id": 1, "text": "hi", "reply_markup": markup}
    )
    assert status == 200 and body["result"]["reply_markup"] == markup
    assert ana.last_message().buttons() == markup["inline_keyboard"][0]


async def test_unknown_method_is_404(server: FakeBotAPI, bot: Bot) -> None:
    status, body = await post(server, "sendMessagee", data={"chat_id": "1"})
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    assert "unknown method 'sendMessagee'" in str(server.take_violations()[0])


async def test_wrong_token_is_401(server: FakeBotAPI) -> None:
    url = f"{server.url}/bot1:wrong/getMe"
    async with aiohttp.ClientSession() as session, session.post(url) as resp:
        assert resp.status == 401


async def test_too_long_text_through_aiogram(server: FakeBotAPI, bot: Bot) -> None:
    server.user(id=1)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(1, "a" * 4097)
    assert "4097 characters" in str(server.take_violations()[0])
    await bot.send_message(1, "a" * 4096)


async def test_long_callback_data_through_aiogram(server: FakeBotAPI, bot: Bot) -> None:
    server.user(id=1)
    button = InlineKeyboardButton(text="A", callback_data="x" * 65)
    markup = InlineKeyboardMarkup(inline_keyboard=[[button]])
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.session.make_request(bot, SendMessage(chat_id=1, text="t", reply_markup=markup))
    assert len(server.take_violations()) == 1
    assert server.user(id=1).messages == []


async def test_form_markup_with_bad_button(server: FakeBotAPI) -> None:
    server.user(id=1)
    markup = json.dumps({"inline_keyboard": [[{"callback_data": "a"}]]})
    status, body = await post(
        server, "sendMessage", data={"chat_id": "1", "text": "t", "reply_markup": markup}
    )
    assert (
        status == 400
        and "missing required field 'text' of InlineKeyboardButton" in body["description"]
    )
    server.take_violations()


async def test_unimplemented_method_is_recorded(server: FakeBotAPI, bot: Bot) -> None:
    status, _ = await post(server, "sendDice", data={"chat_id": "1"})
    assert status == 501
    assert "not implemented by FakeBotAPI" in str(server.take_violations()[0])


async def test_violations_fail_the_test_at_teardown(server: FakeBotAPI) -> None:
    await post(server, "getMe", data={"surprise": "1"})
    with pytest.raises(AssertionError, match="getMe: unknown field 'surprise'"):
        server.assert_no_violations()
    server.take_violations()


async def test_unknown_method_surfaces_as_telegram_not_found(server: FakeBotAPI, bot: Bot) -> None:
    with pytest.raises(TelegramNotFound):
        await bot.session.make_request(bot, _Bogus())
    server.take_violations()


class _Bogus(SendMessage):
    __api_method__ = "sendBogus"

    def __init__(self) -> None:
        super().__init__(chat_id=1, text="x")
