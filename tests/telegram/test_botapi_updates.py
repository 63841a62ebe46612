"""Every update the fake generates is an Update as the spec defines it, and aiogram parses it;
the fake's own answers are checked against the spec's result types too."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiogram import Bot
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, LabeledPrice, Update

from engine.telegram.botapi import STARS, BotApiSpec, FakeBotAPI

PAYMENT_FIELDS = {"successful_payment", "refunded_payment"}
ALL_KINDS = [
    "message",
    "callback_query",
    "channel_post",
    "chat_member",
    "chat_join_request",
    "message_reaction",
    "message_reaction_count",
    "pre_checkout_query",
]


async def _every_kind_of_update(server: FakeBotAPI, bot: Bot) -> None:
    ana, ben = server.user(1001, "Ana", username="ana"), server.user(1002, "Ben")
    await ana.send("/start deep-link")
    menu = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Go", callback_data="go")]]
    )
    await bot.send_message(ana.id, "menu", reply_markup=menu)
    await ana.tap("Go")
    vip = server.channel("VIP", discussion="VIP chat")
    post = await vip.post("New chapter")
    copy = vip.forwarded_copy(post)
    assert copy is not None
    await ana.comment(post, "first!")
    await ana.react(post, "🔥")
    await ana.react(copy, "❤")
    await ana.unreact(copy)
    link = await bot.create_chat_invite_link(vip.id, creates_join_request=True, name="vip")
    await ben.join(vip, invite_link=link)
    await bot.approve_chat_join_request(vip.id, ben.id)
    await ben.leave(vip)
    await bot.ban_chat_member(vip.id, ben.id)
    invoice = await bot.create_invoice_link(
        title="VIP",
        description="a month",
        payload="vip",
        currency=STARS,
        prices=[LabeledPrice(label="VIP", amount=100)],
        subscription_period=2592000,
    )
    query = await ana.checkout(invoice)
    await bot.answer_pre_checkout_query(query.id, ok=True)


async def test_generated_updates_match_the_spec(
    server: FakeBotAPI, bot: Bot, bot_api_spec: BotApiSpec
) -> None:
    await _every_kind_of_update(server, bot)
    updates = server.state.updates
    assert {next(k for k in u if k != "update_id") for u in updates} == set(ALL_KINDS)
    for update in updates:
        assert bot_api_spec.validate_object("Update", update) == [], update
        Update.model_validate(update)  # and aiogram reads it
    delivered = await bot.get_updates(allowed_updates=ALL_KINDS)
    assert len(delivered) == len(updates)


async def test_payment_messages_match_the_spec(
    server: FakeBotAPI, bot: Bot, bot_api_spec: BotApiSpec
) -> None:
    invoice = await bot.create_invoice_link(
        title="VIP",
        description="a month",
        payload="vip",
        currency=STARS,
        prices=[LabeledPrice(label="VIP", amount=100)],
        subscription_period=2592000,
    )
    ana = server.user(1001)
    paying = asyncio.create_task(ana.pay(invoice))
    [checkout] = await bot.get_updates(timeout=2)
    assert checkout.pre_checkout_query is not None
    await bot.answer_pre_checkout_query(checkout.pre_checkout_query.id, ok=True)
    payment = await paying
    await ana.renew(payment)
    await ana.redeliver(payment)
    assert await bot.refund_star_payment(ana.id, payment.charge_id)
    messages = [u["message"] for u in server.state.updates if "message" in u]
    assert [next(iter(set(m) & PAYMENT_FIELDS)) for m in messages] == [
        "successful_payment",
        "successful_payment",
        "successful_payment",
        "refunded_payment",
    ]
    for update in server.state.updates:
        assert bot_api_spec.validate_object("Update", update) == [], update
        Update.model_validate(update)


async def test_a_malformed_update_is_reported_as_the_fakes_fault(
    server: FakeBotAPI, bot: Bot
) -> None:
    server.state.enqueue("message", {"message_id": 1, "text": "no chat, no date"})
    url = f"{server.url}/bot{server.token}/getUpdates"
    async with aiohttp.ClientSession() as session, session.post(url) as resp:
        assert resp.status == 200  # delivered as generated: the violation fails the test
    [violation] = server.take_violations()
    assert violation.method == "Update"
    assert "FakeBotAPI sent a bad message update" in str(violation)
    assert "missing required field 'chat' of Message" in str(violation)


async def test_results_are_checked_against_the_spec(bot_api_spec: BotApiSpec) -> None:
    me = {"id": 1, "is_bot": True, "first_name": "Diana"}
    assert bot_api_spec.validate_result("getMe", me) == []
    assert bot_api_spec.validate_result("sendMessage", True) != []
    assert bot_api_spec.validate_result("editMessageText", True) == []  # Message or True
    member = {"status": "kicked", "user": me}
    problems = bot_api_spec.validate_object("ChatMember", member)
    assert problems == ["ChatMember: missing required field 'until_date' of ChatMemberBanned"]


def test_reaction_emoji_come_from_the_spec(bot_api_spec: BotApiSpec) -> None:
    emoji = bot_api_spec.quoted_values("ReactionTypeEmoji", "emoji")
    assert {"👍", "❤", "🔥"} <= emoji and "🦖" not in emoji


async def test_unknown_update_kinds_fail_validation(bot_api_spec: BotApiSpec) -> None:
    problems = bot_api_spec.validate_object("Update", {"update_id": 1, "vip_granted": {}})
    assert problems == ["Update: unknown field 'vip_granted' for Update"]


@pytest.mark.parametrize("allowed", [None, []])
async def test_default_allowed_updates_leave_out_the_opt_in_kinds(
    server: FakeBotAPI, bot: Bot, allowed: list[str] | None
) -> None:
    club = server.supergroup("Club", username="club")
    ana = server.user(1001)
    await ana.join(club)
    said = await ana.send("hi", chat=club)
    await ana.react(said, "👍")
    url = f"{server.url}/bot{server.token}/getUpdates"
    body = {} if allowed is None else {"allowed_updates": allowed}
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as resp:
        result = (await resp.json())["result"]
    assert [next(k for k in u if k != "update_id") for u in result] == ["message"]
    assert sorted(next(k for k in u if k != "update_id") for u in server.state.dropped) == [
        "chat_member",
        "message_reaction",
    ]
