"""aiogram handlers: translate updates into `BotService` calls, and replies into deliveries.

Each handler does the short part (the store action, the callback answer) and hands the
messages to `Delivery` as a tracked task: the update counts as handled once its effect is
stored, and the next update is not held up by typing pauses.
"""

from __future__ import annotations

import logging
import re

from aiogram import F, Router
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import (
    CallbackQuery,
    Chat,
    ChatJoinRequest,
    ChatMemberUpdated,
    Message,
    MessageReactionUpdated,
    PreCheckoutQuery,
    User,
)

from engine.persistence import PlayerBlocked
from engine.persistence.presence import set_reachable
from engine.runtime import Outcome
from engine.telegram.bot.admin import USAGE, AdminCommands
from engine.telegram.bot.channels import Channels
from engine.telegram.bot.delivery import Delivery, Tracker
from engine.telegram.bot.present import Outgoing
from engine.telegram.bot.service import BotService, Person
from engine.telegram.bot.vip import VipSales

CHAPTER_LIKE = re.compile(r"[a-z0-9][a-z0-9_]{0,31}")
"""A /start payload that could be a chapter id (invite tokens have capitals or dashes)."""

log = logging.getLogger("diana.bot")


def person(user: User) -> Person:
    return Person(user.id, user.first_name, user.language_code)


def build_router(  # noqa: PLR0915 - one short closure per handler
    service: BotService,
    admin: AdminCommands,
    delivery: Delivery,
    tracker: Tracker,
    vip: VipSales,
    channels: Channels,
) -> Router:
    """The bot's handlers, for private chats (group and channel updates are #6's concern)."""
    router = Router(name="diana")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)

    def show(chat_id: int, messages: list[Outgoing], source: Message | None = None) -> None:
        tracker.spawn(delivery.show(chat_id, messages, source))

    async def blocked(message: Message, who: Person) -> None:
        show(message.chat.id, await service.say(who, "blocked"))

    @router.message(CommandStart())
    async def start(message: Message, command: CommandObject, key: str) -> None:
        assert message.from_user is not None
        who = person(message.from_user)
        await set_reachable(service.store, who.id, True, service.clock_now)
        payload = (command.args or "").strip()
        try:
            if payload and not CHAPTER_LIKE.fullmatch(payload):  # an invite link's token
                welcome = await vip.redeem(who, payload, f"{key}:invite")
                show(message.chat.id, welcome + await service.start(who, "", key))
                return
            show(message.chat.id, await service.start(who, payload, key))
        except PlayerBlocked:
            await blocked(message, who)

    @router.callback_query()
    async def tap(query: CallbackQuery, key: str) -> None:
        who = person(query.from_user)
        try:
            result = await service.tap(who, query.data, key)
            if result.outcome is Outcome.VIP_LOCKED:  # a VIP channel member may count as VIP
                refreshed = await channels.refresh_vip(who, f"{key}:vip")
                if refreshed is not None and refreshed.outcome is Outcome.VIP_GRANTED:
                    result = await service.tap(who, query.data, f"{key}:again")
        except PlayerBlocked:
            state = await service.store.state(who.id)
            await query.answer(service.presenter.plain(state, "blocked"), show_alert=True)
            return
        # Answer first: the spinner stops before any message is sent.
        try:
            await query.answer(result.notice, show_alert=result.alert)
        except TelegramBadRequest as error:  # answered already (a redelivery), or too old:
            log.info("callback not answered: %s", error.message)  # still show the screen
        source = query.message if isinstance(query.message, Message) else None
        if result.messages:
            show(who.id, result.messages, source if result.edit else None)

    @router.message(Command("daily"))
    async def daily(message: Message, key: str) -> None:
        assert message.from_user is not None
        who = person(message.from_user)
        try:
            show(message.chat.id, await service.daily(who, key))
        except PlayerBlocked:
            await blocked(message, who)

    @router.message(Command("points"))
    async def points(message: Message) -> None:
        assert message.from_user is not None
        show(message.chat.id, await service.points(person(message.from_user)))

    @router.message(Command("profile"))
    async def profile(message: Message) -> None:
        assert message.from_user is not None
        show(message.chat.id, await service.profile(person(message.from_user)))

    @router.message(Command("help"))
    async def help_(message: Message) -> None:
        assert message.from_user is not None
        is_admin = admin.is_admin(message.from_user.id)
        show(message.chat.id, await service.help(person(message.from_user), is_admin))

    @router.message(Command("language"))
    async def language(message: Message) -> None:
        assert message.from_user is not None
        show(message.chat.id, await service.language_menu(person(message.from_user)))

    @router.message(Command("vip"))
    async def vip_menu(message: Message, command: CommandObject, key: str) -> None:
        assert message.from_user is not None
        who = person(message.from_user)
        if (command.args or "").strip().lower() in {"cancel", "cancelar"}:
            show(message.chat.id, await vip.cancel(who))
            return
        await channels.refresh_vip(who, key)
        show(message.chat.id, await vip.menu(who))

    @router.message(Command("paysupport"))
    async def paysupport(message: Message) -> None:
        assert message.from_user is not None
        show(message.chat.id, await service.say(person(message.from_user), "paysupport"))

    @router.message(F.successful_payment)
    async def paid(message: Message) -> None:
        assert message.from_user is not None and message.successful_payment is not None
        show(message.chat.id, await vip.paid(person(message.from_user), message.successful_payment))

    @router.message(Command(*USAGE))
    async def admin_command(message: Message, command: CommandObject, key: str) -> None:
        assert message.from_user is not None
        replies = await admin.run(
            person(message.from_user), command.command, command.args or "", key
        )
        show(message.chat.id, replies)

    @router.message(F.text.startswith("/"))
    async def unknown(message: Message) -> None:
        assert message.from_user is not None
        show(message.chat.id, await service.say(person(message.from_user), "unknown_command"))

    @router.message(F.refunded_payment)
    async def refunded(message: Message) -> None:
        """A refund made elsewhere (or the echo of /refund): VIP ends, once per charge."""
        assert message.from_user is not None and message.refunded_payment is not None
        replies = await vip.refunded(person(message.from_user), message.refunded_payment)
        show(message.chat.id, replies)

    @router.message(F.text)
    async def free_text(message: Message) -> None:
        assert message.from_user is not None
        show(message.chat.id, await service.say(person(message.from_user), "free_text"))

    @router.my_chat_member()
    async def membership(update: ChatMemberUpdated) -> None:
        """The user blocked (kicked) or unblocked the bot in their private chat."""
        if update.chat.type != ChatType.PRIVATE:
            return
        status = update.new_chat_member.status
        reachable = status not in {ChatMemberStatus.KICKED, ChatMemberStatus.LEFT}
        if await service.known(update.from_user.id):
            await set_reachable(service.store, update.from_user.id, reachable, service.clock_now)

    return router


def build_outside_router(
    service: BotService, delivery: Delivery, tracker: Tracker, vip: VipSales, channels: Channels
) -> Router:
    """Updates from outside the private chat: payments' checkout, channels and groups."""
    router = Router(name="diana-outside")

    def show(chat_id: int, messages: list[Outgoing]) -> None:
        if messages:
            tracker.spawn(delivery.show(chat_id, messages))

    @router.pre_checkout_query()
    async def checkout(query: PreCheckoutQuery) -> None:
        verdict = await vip.check(query)
        await query.answer(ok=verdict.ok, error_message=verdict.error)

    @router.message_reaction()
    async def reaction(update: MessageReactionUpdated) -> None:
        step = await channels.reaction(update)
        place = channels.places.get(update.chat.id)
        if step is not None and update.user is not None and place is not None:
            show(update.user.id, channels.acknowledge(step, _chat_name(update.chat)))

    @router.message(F.chat.type.in_({ChatType.GROUP, ChatType.SUPERGROUP}))
    async def group_message(message: Message, key: str) -> None:
        step = await channels.message(message, key)
        if step is not None and message.from_user is not None:
            show(message.from_user.id, channels.acknowledge(step, _chat_name(message.chat)))

    @router.chat_join_request()
    async def join(request: ChatJoinRequest) -> None:
        show(request.from_user.id, await channels.join_request(request))

    @router.chat_member()
    async def member(update: ChatMemberUpdated, key: str) -> None:
        await channels.membership(update, key)

    return router


def _chat_name(chat: Chat) -> str:
    return f"@{chat.username}" if chat.username else (chat.title or str(chat.id))
