"""Payment methods in Telegram Stars: invoices, pre-checkout answers, refunds, subscriptions.

Only Stars are modelled (currency XTR, no provider token, exactly one price), which is how a
bot sells digital goods. Refusals use Telegram's error strings.
"""

from __future__ import annotations

import secrets
import time

from engine.telegram.botapi.errors import QUERY_TOO_OLD, ApiError, Handler, Params
from engine.telegram.botapi.events import post_message
from engine.telegram.botapi.methods import markup_param, sendable_chat
from engine.telegram.botapi.payments import STARS, SUBSCRIPTION_PERIOD, Charge, Invoice
from engine.telegram.botapi.state import BotState, JsonDict, User

MAX_STARS = 10_000
CHARGE_NOT_FOUND = "Bad Request: CHARGE_NOT_FOUND"


def _invoice(params: Params, link: str | None) -> Invoice:
    """Check a Stars invoice's terms as Telegram does and build it."""
    currency = str(params["currency"])
    token = params.get("provider_token")
    if currency != STARS or token:
        raise ApiError(400, "Bad Request: PAYMENT_PROVIDER_INVALID")
    prices = list(params["prices"])
    if len(prices) != 1:
        raise ApiError(400, "Bad Request: STARS_INVOICE_INVALID")
    if not 1 <= int(prices[0]["amount"]) <= MAX_STARS:
        raise ApiError(400, "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID")
    period = params.get("subscription_period")
    if period is not None and period != SUBSCRIPTION_PERIOD:
        raise ApiError(400, "Bad Request: SUBSCRIPTION_PERIOD_INVALID")
    return Invoice(
        title=str(params["title"]),
        description=str(params["description"]),
        payload=str(params["payload"]),
        currency=currency,
        prices=prices,
        subscription_period=period,
        link=link,
        start_parameter=str(params.get("start_parameter", "")),
    )


async def create_invoice_link(state: BotState, params: Params) -> str:
    link = f"https://t.me/${secrets.token_urlsafe(12)}"
    state.payments.invoices.append(_invoice(params, link))
    return link


async def send_invoice(state: BotState, params: Params) -> JsonDict:
    chat = sendable_chat(state, params)
    invoice = _invoice(params, None)
    state.payments.invoices.append(invoice)
    message = post_message(
        state,
        chat,
        state.bot,
        kind="invoice",
        media=invoice.to_dict(),
        reply_markup=markup_param(params),
    )
    state.payments.messages[(chat.id, message.message_id)] = invoice
    return message.to_dict()


async def answer_pre_checkout_query(state: BotState, params: Params) -> bool:
    book = state.payments
    query = book.queries.get(str(params["pre_checkout_query_id"]))
    late = query is not None and time.monotonic() - query.created > book.pre_checkout_timeout
    if query is None or query.answered or late:
        raise ApiError(400, QUERY_TOO_OLD)
    ok = bool(params["ok"])
    error_message = params.get("error_message")
    if not ok and not error_message:
        raise ApiError(400, "Bad Request: ERROR_MESSAGE_EMPTY")
    query.answered, query.ok = True, ok
    query.error_message = None if ok else str(error_message)
    query.event.set()
    return True


def _users_charge(state: BotState, params: Params, missing: str) -> tuple[User, Charge]:
    user = state.users.get(params["user_id"])
    if user is None:
        raise ApiError(400, "Bad Request: USER_ID_INVALID")
    charge = state.payments.charges.get(str(params["telegram_payment_charge_id"]))
    if charge is None or charge.user.id != user.id:
        raise ApiError(400, missing)
    return user, charge


async def refund_star_payment(state: BotState, params: Params) -> bool:
    user, charge = _users_charge(state, params, CHARGE_NOT_FOUND)
    if charge.refunded:
        raise ApiError(400, "Bad Request: CHARGE_ALREADY_REFUNDED")
    charge.refunded = True
    if state.payments.announce_refunds:
        chat = state.chats[user.id]
        notice = state.add_message(
            chat, user, kind="service", extra={"refunded_payment": charge.refunded_payment()}
        )
        state.enqueue("message", notice.to_dict())
    return True


async def edit_user_star_subscription(state: BotState, params: Params) -> bool:
    _, charge = _users_charge(state, params, "Bad Request: CHARGE_ID_INVALID")
    if charge.subscription is None:
        raise ApiError(400, "Bad Request: CHARGE_ID_INVALID")
    charge.subscription.canceled_by_bot = bool(params["is_canceled"])
    return True


HANDLERS: dict[str, Handler] = {
    "createInvoiceLink": create_invoice_link,
    "sendInvoice": send_invoice,
    "answerPreCheckoutQuery": answer_pre_checkout_query,
    "refundStarPayment": refund_star_payment,
    "editUserStarSubscription": edit_user_star_subscription,
}
