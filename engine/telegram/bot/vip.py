"""VIP sales with Telegram Stars, refunds and invite links.

The offer, its price and its period come from vip.yaml. An invoice's payload names the offer
and its price (`vip:<offer>:<stars>`), so a pre-checkout query for an offer that was removed
or repriced since the link was made is refused (within Telegram's 10 seconds: the check reads
only the compiled story). A successful payment is the store action `StarsPayment`, keyed by
its charge id: the same payment redelivered grants nothing more, a renewal (a new charge id)
extends the running VIP. Refunds (`refundStarPayment`) revoke it, through the audited admin
service.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import LabeledPrice, PreCheckoutQuery, RefundedPayment, SuccessfulPayment

from engine.content.compiled import Offer
from engine.persistence import AdminService, InviteRejected, RedeemInvite, StarsPayment
from engine.persistence.vipdue import latest_stars_charge
from engine.runtime import ExpireVip, Html, Outcome, PlayerState
from engine.telegram.bot.present import URL_PREFIX, Outgoing
from engine.telegram.bot.service import BotService, Person

log = logging.getLogger("diana.bot.vip")

CURRENCY = "XTR"
SUBSCRIPTION_SECONDS = 30 * 24 * 3600
"""Telegram Stars subscriptions renew every 30 days; it is the only period Telegram offers."""


def offer_payload(offer: Offer) -> str:
    return f"vip:{offer.id}:{offer.stars}"


@dataclass(frozen=True, slots=True)
class Checkout:
    ok: bool
    error: str | None = None


class VipSales:
    def __init__(self, service: BotService, bot: Bot) -> None:
        self.service = service
        self.bot = bot
        self._links: dict[tuple[str, int, str], str] = {}

    def _offer(self, payload: str) -> Offer | None:
        kind, _, rest = payload.partition(":")
        offer_id, _, stars = rest.partition(":")
        if kind != "vip":
            return None
        vip = self.service.store.engine.story.vip
        offer = next((o for o in vip.offers if o.id == offer_id), None)
        if offer is None or str(offer.stars) != stars:
            return None
        return offer

    def until(self, state: PlayerState) -> str:
        return state.vip_until.strftime("%d/%m/%Y") if state.vip_until else "∞"

    def tier_name(self, state: PlayerState, tier: str | None) -> Html:
        return self.service.presenter.tier_name(state, tier)

    async def menu(self, person: Person) -> list[Outgoing]:
        """/vip: the player's VIP status, then each offer with its Stars button."""
        state = await self.service.player(person)
        p = self.service.presenter
        story = self.service.store.engine.story
        out: list[Outgoing] = []
        if state.vip_active(self.service.clock_now):
            tier = self.tier_name(state, state.vip_tier)
            out.append(Outgoing(p.text(state, "vip_status", tier=tier, until=self.until(state))))
        if not story.vip.offers:
            return out or [Outgoing(p.text(state, "vip_none_offered"))]
        for offer in story.vip.offers:
            link = await self._link(state, offer)
            render = p.content_text
            text = p.text(
                state,
                "vip_offer",
                title=Html(render(state, offer.title)),
                description=Html(render(state, offer.description)),
                stars=offer.stars,
                days=offer.period_days,
            )
            label = p.plain(state, "vip_buy", stars=offer.stars)
            out.append(Outgoing(text, keyboard=(((label, URL_PREFIX + link),),)))
        return out

    async def _link(self, state: PlayerState, offer: Offer) -> str:
        key = (offer.id, offer.stars, state.language)
        link = self._links.get(key)
        if link is None:
            engine = self.service.store.engine
            title = engine.render_plain(state, offer.title)[:32]
            link = await self.bot.create_invoice_link(
                title=title,
                description=engine.render_plain(state, offer.description)[:255],
                payload=offer_payload(offer),
                currency=CURRENCY,
                prices=[LabeledPrice(label=title, amount=offer.stars)],
                subscription_period=SUBSCRIPTION_SECONDS if offer.period_days == 30 else None,
            )
            self._links[key] = link
        return link

    async def check(self, query: PreCheckoutQuery) -> Checkout:
        """The pre-checkout answer: the offer still exists at this price, in Stars."""
        offer = self._offer(query.invoice_payload)
        if offer is None or query.currency != CURRENCY or query.total_amount != offer.stars:
            who = Person(
                query.from_user.id, query.from_user.first_name, query.from_user.language_code
            )
            state = await self.service.player(who)
            return Checkout(False, self.service.presenter.plain(state, "vip_unavailable"))
        return Checkout(True)

    async def paid(self, person: Person, payment: SuccessfulPayment) -> list[Outgoing]:
        """Grant VIP once per charge id; a redelivered payment changes and says nothing."""
        await self.service.player(person)
        offer = self._offer(payment.invoice_payload)
        offer_id = offer.id if offer is not None else payment.invoice_payload.split(":")[1]
        step = await self.service.store.act(
            person.id, StarsPayment(offer_id, payment.telegram_payment_charge_id)
        )
        if step.outcome is not Outcome.VIP_GRANTED:
            return []
        state = step.state
        p = self.service.presenter
        text = p.text(
            state,
            "vip_welcome",
            tier=self.tier_name(state, state.vip_tier),
            until=self.until(state),
        )
        return [
            Outgoing(text),
            *p.messages(state, self.service.store.engine.view(state, self.service.clock_now)),
        ]

    async def redeem(self, person: Person, token: str, key: str) -> list[Outgoing]:
        """/start <token>: VIP from an invite, or why the invite does not work."""
        await self.service.player(person)
        p = self.service.presenter
        try:
            step = await self.service.store.act(person.id, RedeemInvite(token), key)
        except InviteRejected:
            state = await self.service.store.state(person.id)
            return [Outgoing(p.text(state, "invite_rejected"))]
        state = step.state
        text = p.text(
            state,
            "vip_welcome",
            tier=self.tier_name(state, state.vip_tier),
            until=self.until(state),
        )
        return [Outgoing(text)]

    async def cancel(self, person: Person) -> list[Outgoing]:
        """/vip cancel: stop the Stars subscription renewing; VIP runs to its end."""
        state = await self.service.player(person)
        p = self.service.presenter
        charge = await latest_stars_charge(self.service.store, person.id)
        if charge is None:
            return [Outgoing(p.text(state, "vip_cancel_none"))]
        try:
            await self.bot.edit_user_star_subscription(
                user_id=person.id, telegram_payment_charge_id=charge, is_canceled=True
            )
        except TelegramBadRequest as error:
            log.info("subscription %s not canceled: %s", charge, error.message)
            return [Outgoing(p.text(state, "vip_cancel_none"))]
        return [Outgoing(p.text(state, "vip_canceled", until=self.until(state)))]

    async def refunded(self, person: Person, refund: RefundedPayment) -> list[Outgoing]:
        """Telegram reports a refund: end the VIP it paid for, unless that already happened."""
        store = self.service.store
        before = await self.service.player(person)
        key = f"refund:{refund.telegram_payment_charge_id}"
        step = await store.act(person.id, ExpireVip(), key)
        if step.outcome is not Outcome.VIP_EXPIRED:
            return []
        tier = self.tier_name(before, before.vip_tier)
        return [Outgoing(self.service.presenter.text(step.state, "vip_refunded", tier=tier))]

    async def refund(
        self, admin: AdminService, admin_id: int, player_id: int, charge_id: str, key: str
    ) -> tuple[bool, str, PlayerState | None]:
        """refundStarPayment, then end the player's VIP (audited); (ok, error, player state)."""
        try:
            await self.bot.refund_star_payment(
                user_id=player_id, telegram_payment_charge_id=charge_id
            )
        except TelegramBadRequest as error:
            return False, error.message, None
        step = await admin.revoke_vip(admin_id, player_id, note=f"refund {charge_id}", key=key)
        return True, "", step.state
