"""What a scripted user does with Telegram Stars: pay invoices, renew and cancel subscriptions.

Paying is the real exchange: Telegram sends the bot a `pre_checkout_query`, waits for the
bot's answer, and only if it is ok charges the user and sends a `message` with
`successful_payment` in the user's private chat with the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from engine.telegram.botapi.payments import Charge, Invoice, Payment, PreCheckout, Subscription
from engine.telegram.botapi.state import BotState, JsonDict, Message, User


class PaymentActions:
    """Mixed into `ScriptedUser`, which provides `state` and `person`."""

    state: BotState
    person: User

    def _invoice(self, invoice: str | Message) -> Invoice:
        book = self.state.payments
        if isinstance(invoice, Message):
            found = book.messages.get((invoice.chat.id, invoice.message_id))
            if found is None:
                raise LookupError(f"message {invoice.message_id} is not an invoice")
            return found
        return book.find_invoice(invoice)

    async def checkout(self, invoice: str | Message) -> PreCheckout:
        """Press Pay: send the bot a pre_checkout_query and return it (not waiting)."""
        found = self._invoice(invoice)
        query_id = f"pcq-{self.person.id}-{self.state.payments.next_id()}"
        query = PreCheckout(query_id, self.person, found, time.monotonic())
        self.state.payments.queries[query_id] = query
        query.update = self.state.enqueue("pre_checkout_query", query.to_dict())
        return query

    async def pay(self, invoice: str | Message, *, wait: float | None = None) -> Payment:
        """Pay an invoice (its link, its payload, or the invoice message) in Stars.

        Waits for the bot's answer to the pre-checkout query (the Bot API's 10 s, or `wait`);
        if the bot said ok, the user is charged and the bot gets `successful_payment`. A bot
        that left pre_checkout_query out of allowed_updates never answers: that is seen at
        once (the query is in `state.dropped`) rather than after the full wait.
        """
        query = await self.checkout(invoice)
        timeout = self.state.payments.pre_checkout_timeout if wait is None else wait
        await self._await_answer(query, time.monotonic() + timeout)
        if not query.ok:
            return Payment(query)
        subscription = None
        if query.invoice.subscription_period:
            expires = self.state.now() + query.invoice.subscription_period
            subscription = Subscription(self.person, query.invoice, expires)
        charge = self.state.payments.new_charge(
            self.person, query.invoice, self.state.now(), subscription
        )
        return Payment(query, charge, self._announce(charge))

    async def _await_answer(self, query: PreCheckout, deadline: float) -> None:
        while not query.event.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or any(u is query.update for u in self.state.dropped):
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(query.event.wait(), min(remaining, 0.05))

    async def renew(self, payment: Payment | Charge | str) -> Payment:
        """The subscription's next period: Telegram charges again and tells the bot."""
        charge = self._charge(payment)
        subscription = charge.subscription
        if subscription is None:
            raise ValueError(f"charge {charge.id} is not a subscription")
        if not subscription.renews:
            raise ValueError(f"subscription of charge {charge.id} was canceled: no renewal")
        assert charge.invoice.subscription_period is not None
        subscription.expires += charge.invoice.subscription_period
        renewal = self.state.payments.new_charge(
            self.person, charge.invoice, self.state.now(), subscription
        )
        return Payment(None, renewal, self._announce(renewal))

    def cancel_subscription(self, payment: Payment | Charge | str) -> None:
        """The user turns renewal off in the app (Telegram sends the bot no update)."""
        subscription = self._charge(payment).subscription
        if subscription is None:
            raise ValueError("not a subscription")
        subscription.canceled_by_user = True

    async def redeliver(self, payment: Payment) -> JsonDict:
        """The same successful_payment update again, under a new update_id."""
        if payment.update is None:
            raise ValueError("this payment produced no update to redeliver")
        return self.state.redeliver(payment.update)

    def _charge(self, payment: Payment | Charge | str) -> Charge:
        if isinstance(payment, Payment):
            return self.state.payments.charges[payment.charge_id]
        if isinstance(payment, Charge):
            return payment
        return self.state.payments.charges[payment]

    def _announce(self, charge: Charge) -> JsonDict:
        message = self.state.add_message(
            self.state.chats[self.person.id],  # the private chat with the bot
            self.person,
            kind="service",
            extra={"successful_payment": charge.successful_payment()},
        )
        return self.state.enqueue("message", message.to_dict())
