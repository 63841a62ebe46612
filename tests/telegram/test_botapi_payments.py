"""Telegram Stars through the fake: invoice links, sendInvoice and the pre-checkout exchange."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from botapi_helpers import MONTH, Shop, make_bot, stars, vip_link

from engine.telegram.botapi import STARS, BotApiSpec, FakeBotAPI, Payment


async def test_create_invoice_link(server: FakeBotAPI, bot: Bot) -> None:
    link = await vip_link(bot)
    assert link.startswith("https://t.me/$")
    [invoice] = server.payments.invoices
    assert (invoice.payload, invoice.total, invoice.subscription_period) == ("vip:1", 250, MONTH)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"currency": "EUR"}, "PAYMENT_PROVIDER_INVALID"),
        ({"provider_token": "123:TEST"}, "PAYMENT_PROVIDER_INVALID"),
        ({"prices": stars(1) + stars(2)}, "STARS_INVOICE_INVALID"),
        ({"prices": stars(0)}, "CURRENCY_TOTAL_AMOUNT_INVALID"),
        ({"prices": stars(10_001)}, "CURRENCY_TOTAL_AMOUNT_INVALID"),
        ({"subscription_period": 3600}, "SUBSCRIPTION_PERIOD_INVALID"),
    ],
)
async def test_invoice_terms_are_checked(
    server: FakeBotAPI, bot: Bot, changes: dict[str, object], error: str
) -> None:
    terms: dict[str, object] = {
        "title": "VIP",
        "description": "d",
        "payload": "p",
        "currency": STARS,
        "prices": stars(5),
    }
    with pytest.raises(TelegramBadRequest, match=error):
        await bot.create_invoice_link(**(terms | changes))  # type: ignore[arg-type]


async def test_invoice_text_limits_are_spec_violations(server: FakeBotAPI, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="title"):
        await bot.create_invoice_link(
            title="T" * 33, description="d", payload="p", currency=STARS, prices=stars(5)
        )
    assert "must be 1-32 characters, got 33" in str(server.take_violations()[0])


async def test_paying_a_subscription_link(server: FakeBotAPI, bot: Bot, shop: Shop) -> None:
    link = await vip_link(bot)
    ana = server.user(1001, "Ana")
    before = server.state.now()
    payment = await ana.pay(link)
    await server.wait_idle()
    assert payment.ok and payment.answered and payment.query is not None
    assert payment.query.ok is True
    await shop.settle(paid=1)
    [message] = shop.paid
    paid = message.successful_payment
    assert paid is not None and message.chat.id == ana.id
    assert (paid.currency, paid.total_amount, paid.invoice_payload) == (STARS, 250, "vip:1")
    assert paid.telegram_payment_charge_id == payment.charge_id
    assert paid.is_recurring is True and paid.is_first_recurring is True
    assert paid.subscription_expiration_date is not None
    assert paid.subscription_expiration_date - before in range(MONTH, MONTH + 5)


async def test_paying_by_payload_without_subscription(
    server: FakeBotAPI, bot: Bot, shop: Shop
) -> None:
    await vip_link(bot, period=None, payload="pack:10")
    payment = await server.user(1001).pay("pack:10")
    await server.wait_idle()
    await shop.settle(paid=1)
    paid = shop.paid[0].successful_payment
    assert payment.ok and paid is not None
    assert paid.is_recurring is None and paid.subscription_expiration_date is None


async def test_send_invoice_and_pay_the_message(server: FakeBotAPI, bot: Bot, shop: Shop) -> None:
    ana = server.user(1001)
    sent = await bot.send_invoice(
        ana.id,
        title="Besitos",
        description="100 besitos",
        payload="b:100",
        currency=STARS,
        prices=stars(50),
    )
    assert sent.invoice is not None and sent.invoice.total_amount == 50
    assert ana.last_message().kind == "invoice"
    payment = await ana.pay(ana.last_message())
    await server.wait_idle()
    await shop.settle(paid=1)
    assert payment.ok and shop.paid[0].successful_payment is not None


async def test_declined_checkout_charges_nothing(server: FakeBotAPI, bot: Bot, shop: Shop) -> None:
    shop.decision = "This offer has ended"
    link = await vip_link(bot)
    payment = await server.user(1001).pay(link)
    await server.wait_idle()
    assert not payment.ok and payment.answered
    assert payment.error_message == "This offer has ended"
    assert shop.paid == [] and server.payments.charges == {}


async def test_unanswered_checkout_expires(server: FakeBotAPI, bot: Bot, shop: Shop) -> None:
    shop.answer = False
    server.payments.pre_checkout_timeout = 0.2
    link = await vip_link(bot)
    payment = await server.user(1001).pay(link)
    await server.wait_idle()
    assert not payment.ok and not payment.answered
    assert payment.query is not None
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_pre_checkout_query(payment.query.id, ok=True)


async def test_answering_twice_fails(server: FakeBotAPI, bot: Bot) -> None:
    link = await vip_link(bot)
    query = await server.user(1001).checkout(link)
    [update] = await bot.get_updates()
    assert update.pre_checkout_query is not None
    assert update.pre_checkout_query.id == query.id
    assert update.pre_checkout_query.total_amount == 250
    assert await bot.answer_pre_checkout_query(query.id, ok=True)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_pre_checkout_query(query.id, ok=True)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_pre_checkout_query("no-such-query", ok=True)


async def test_a_refusal_needs_an_error_message(server: FakeBotAPI, bot: Bot) -> None:
    query = await server.user(1001).checkout(await vip_link(bot))
    with pytest.raises(TelegramBadRequest, match="ERROR_MESSAGE_EMPTY"):
        await bot.answer_pre_checkout_query(query.id, ok=False)
    assert await bot.answer_pre_checkout_query(query.id, ok=False, error_message="Sold out")
    assert (query.ok, query.error_message) == (False, "Sold out")


async def test_dates_follow_the_fake_clock(bot_api_spec: BotApiSpec) -> None:
    now = 1_800_000_000.0
    async with FakeBotAPI(spec=bot_api_spec, clock=lambda: now) as server:
        bot = make_bot(server)
        try:
            link = await vip_link(bot)
            paying = asyncio.create_task(server.user(1001).pay(link))
            [update] = await bot.get_updates(timeout=2)  # the bot answers by hand here
            assert update.pre_checkout_query is not None
            await bot.answer_pre_checkout_query(update.pre_checkout_query.id, ok=True)
            payment: Payment = await paying
            assert payment.charge is not None
            assert payment.charge.date == int(now)
            assert payment.charge.expires == int(now) + MONTH
            [paid] = await bot.get_updates(offset=update.update_id + 1)
            assert paid.message is not None and paid.message.date.timestamp() == now
        finally:
            await bot.session.close()
        server.assert_no_violations()


async def test_unknown_invoice_cannot_be_paid(server: FakeBotAPI) -> None:
    with pytest.raises(LookupError, match="no invoice"):
        await server.user(1001).pay("https://t.me/$nothing")


async def test_a_bot_that_did_not_ask_for_checkouts_never_answers(
    server: FakeBotAPI, bot: Bot
) -> None:
    link = await vip_link(bot)
    paying = asyncio.create_task(server.user(1001).pay(link))
    assert await bot.get_updates(allowed_updates=["message", "callback_query"], timeout=1) == []
    payment = await asyncio.wait_for(paying, 2)  # not the full 10 s
    assert not payment.ok and not payment.answered
    assert [next(iter(set(u) - {"update_id"})) for u in server.state.dropped] == [
        "pre_checkout_query"
    ]
