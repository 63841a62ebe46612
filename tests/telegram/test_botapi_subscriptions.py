"""Telegram Stars after the first payment: redeliveries, renewals, cancellations, refunds."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from botapi_helpers import MONTH, Shop, vip_link

from engine.telegram.botapi import FakeBotAPI


async def test_redelivered_payment_is_the_same_payment(
    server: FakeBotAPI, bot: Bot, shop: Shop
) -> None:
    ana = server.user(1001)
    payment = await ana.pay(await vip_link(bot))
    again = await ana.redeliver(payment)
    await server.wait_idle()
    assert payment.update is not None
    assert again["update_id"] > payment.update["update_id"]
    assert again["message"] == payment.update["message"]
    await shop.settle(paid=2)
    first, second = (m.successful_payment for m in shop.paid)
    assert first == second and len(server.payments.charges) == 1


async def test_renewals_cancel_and_reenable(server: FakeBotAPI, bot: Bot, shop: Shop) -> None:
    ana = server.user(1001)
    first = await ana.pay(await vip_link(bot))
    renewal = await ana.renew(first)
    await server.wait_idle()
    assert renewal.charge_id != first.charge_id
    await shop.settle(paid=2)
    paid = shop.paid[1].successful_payment
    assert paid is not None and paid.telegram_payment_charge_id == renewal.charge_id
    assert paid.is_recurring is True and not paid.is_first_recurring
    assert first.charge is not None and renewal.charge is not None
    assert renewal.charge.expires == (first.charge.expires or 0) + MONTH

    assert await bot.edit_user_star_subscription(ana.id, first.charge_id, is_canceled=True)
    with pytest.raises(ValueError, match="canceled"):
        await ana.renew(first)
    assert await bot.edit_user_star_subscription(ana.id, renewal.charge_id, is_canceled=False)
    assert (await ana.renew(renewal)).ok
    ana.cancel_subscription(first)
    with pytest.raises(ValueError, match="canceled"):
        await ana.renew(first)
    await server.wait_idle()


async def test_edit_subscription_errors(server: FakeBotAPI, bot: Bot, shop: Shop) -> None:
    ana, ben = server.user(1001), server.user(1002)
    one_off = await ana.pay(await vip_link(bot, period=None, payload="once"))
    monthly = await ana.pay(await vip_link(bot))
    await server.wait_idle()
    for user_id, charge in [
        (ana.id, "stxNOPE"),
        (ana.id, one_off.charge_id),
        (ben.id, monthly.charge_id),
    ]:
        with pytest.raises(TelegramBadRequest, match="CHARGE_ID_INVALID"):
            await bot.edit_user_star_subscription(user_id, charge, is_canceled=True)
    with pytest.raises(TelegramBadRequest, match="USER_ID_INVALID"):
        await bot.edit_user_star_subscription(4242, monthly.charge_id, is_canceled=True)


async def test_refunds(server: FakeBotAPI, bot: Bot, shop: Shop) -> None:
    ana, ben = server.user(1001), server.user(1002)
    payment = await ana.pay(await vip_link(bot))
    await server.wait_idle()
    with pytest.raises(TelegramBadRequest, match="CHARGE_NOT_FOUND"):
        await bot.refund_star_payment(ben.id, payment.charge_id)  # someone else's charge
    with pytest.raises(TelegramBadRequest, match="CHARGE_NOT_FOUND"):
        await bot.refund_star_payment(ana.id, "stxUNKNOWN")
    with pytest.raises(TelegramBadRequest, match="USER_ID_INVALID"):
        await bot.refund_star_payment(4242, payment.charge_id)
    assert await bot.refund_star_payment(ana.id, payment.charge_id)
    with pytest.raises(TelegramBadRequest, match="CHARGE_ALREADY_REFUNDED"):
        await bot.refund_star_payment(ana.id, payment.charge_id)
    await server.wait_idle()
    assert payment.charge is not None and payment.charge.refunded
    await shop.settle(refunds=1)
    [notice] = shop.refunds
    refunded = notice.refunded_payment
    assert refunded is not None and refunded.telegram_payment_charge_id == payment.charge_id
    assert refunded.total_amount == 250


async def test_refund_notice_can_be_turned_off(server: FakeBotAPI, bot: Bot, shop: Shop) -> None:
    server.payments.announce_refunds = False
    ana = server.user(1001)
    payment = await ana.pay(await vip_link(bot))
    assert await bot.refund_star_payment(ana.id, payment.charge_id)
    await server.wait_idle()
    assert shop.refunds == []
