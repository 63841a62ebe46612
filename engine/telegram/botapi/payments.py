"""Telegram Stars payments: invoices, pre-checkout queries, charges and subscriptions.

The fake models Stars (currency XTR) only, the way a bot sells digital goods: no provider,
no shipping, one price. A subscription is one invoice link with `subscription_period`; every
renewal is a new charge with its own `telegram_payment_charge_id`.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field

from engine.telegram.botapi.objects import JsonDict, User

STARS = "XTR"
SUBSCRIPTION_PERIOD = 30 * 24 * 3600  # the only period Telegram accepts (2592000 s)
PRE_CHECKOUT_TIMEOUT = 10.0  # seconds the Bot API waits for answerPreCheckoutQuery


@dataclass
class Invoice:
    title: str
    description: str
    payload: str
    currency: str
    prices: list[JsonDict]
    subscription_period: int | None = None
    link: str | None = None  # from createInvoiceLink; None for a sent invoice message
    start_parameter: str = ""

    @property
    def total(self) -> int:
        return sum(int(p["amount"]) for p in self.prices)

    def to_dict(self) -> JsonDict:
        """The `invoice` field of an invoice message."""
        return {
            "title": self.title,
            "description": self.description,
            "start_parameter": self.start_parameter,
            "currency": self.currency,
            "total_amount": self.total,
        }


@dataclass
class PreCheckout:
    id: str
    user: User
    invoice: Invoice
    created: float  # time.monotonic(): the 10 s are real seconds whatever the fake's clock
    answered: bool = False
    ok: bool | None = None
    error_message: str | None = None
    event: asyncio.Event = field(default_factory=asyncio.Event)
    update: JsonDict | None = None  # the pre_checkout_query update sent for it

    def to_dict(self) -> JsonDict:
        return {
            "id": self.id,
            "from": self.user.to_dict(),
            "currency": self.invoice.currency,
            "total_amount": self.invoice.total,
            "invoice_payload": self.invoice.payload,
        }


@dataclass
class Subscription:
    user: User
    invoice: Invoice
    expires: int
    charges: list[Charge] = field(default_factory=list)
    canceled_by_bot: bool = False
    canceled_by_user: bool = False

    @property
    def renews(self) -> bool:
        return not (self.canceled_by_bot or self.canceled_by_user)


@dataclass
class Charge:
    id: str  # telegram_payment_charge_id
    provider_id: str
    user: User
    invoice: Invoice
    date: int
    subscription: Subscription | None = None
    expires: int | None = None  # subscription_expiration_date of this payment
    first: bool = True  # the first payment of a subscription
    refunded: bool = False

    def successful_payment(self) -> JsonDict:
        data: JsonDict = {
            "currency": self.invoice.currency,
            "total_amount": self.invoice.total,
            "invoice_payload": self.invoice.payload,
            "telegram_payment_charge_id": self.id,
            "provider_payment_charge_id": self.provider_id,
        }
        if self.subscription is not None:
            data["subscription_expiration_date"] = self.expires
            data["is_recurring"] = True
            if self.first:
                data["is_first_recurring"] = True
        return data

    def refunded_payment(self) -> JsonDict:
        return {
            "currency": self.invoice.currency,
            "total_amount": self.invoice.total,
            "invoice_payload": self.invoice.payload,
            "telegram_payment_charge_id": self.id,
            "provider_payment_charge_id": self.provider_id,
        }


@dataclass
class Payment:
    """What a scripted user's payment came to: answered or not, charged or not."""

    query: PreCheckout | None  # None for a renewal, which has no pre-checkout
    charge: Charge | None = None
    update: JsonDict | None = None  # the `message` update with successful_payment

    @property
    def ok(self) -> bool:
        return self.charge is not None

    @property
    def answered(self) -> bool:
        return self.query is None or self.query.answered

    @property
    def error_message(self) -> str | None:
        return self.query.error_message if self.query is not None else None

    @property
    def charge_id(self) -> str:
        if self.charge is None:
            raise LookupError("this payment was not charged")
        return self.charge.id


@dataclass
class PaymentBook:
    """Every invoice, pre-checkout query and charge of one fake server."""

    invoices: list[Invoice] = field(default_factory=list)
    messages: dict[tuple[int, int], Invoice] = field(default_factory=dict)
    queries: dict[str, PreCheckout] = field(default_factory=dict)
    charges: dict[str, Charge] = field(default_factory=dict)
    pre_checkout_timeout: float = PRE_CHECKOUT_TIMEOUT
    announce_refunds: bool = True  # send the user's chat a refunded_payment service message
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def next_id(self) -> int:
        return next(self._ids)

    def find_invoice(self, ref: str) -> Invoice:
        """An invoice by its link, or the newest one with that payload."""
        for invoice in reversed(self.invoices):
            if ref in (invoice.link, invoice.payload):
                return invoice
        raise LookupError(f"no invoice link or payload {ref!r}")

    def new_charge(
        self, user: User, invoice: Invoice, date: int, subscription: Subscription | None = None
    ) -> Charge:
        n = self.next_id()
        charge = Charge(f"stxFAKE{n:08d}{user.id}", f"{user.id}_{n}", user, invoice, date)
        if subscription is not None:
            charge.subscription = subscription
            charge.expires = subscription.expires
            charge.first = not subscription.charges
            subscription.charges.append(charge)
        self.charges[charge.id] = charge
        return charge
