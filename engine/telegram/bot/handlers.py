"""aiogram handlers: translate updates into `BotService` calls, and replies into deliveries.

Each handler does the short part (the store action, the callback answer) and hands the
messages to `Delivery` as a tracked task: the update counts as handled once its effect is
stored, and the next update is not held up by typing pauses.
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message, User

from engine.persistence import PlayerBlocked
from engine.persistence.presence import set_reachable
from engine.telegram.bot.admin import USAGE, AdminCommands
from engine.telegram.bot.delivery import Delivery, Tracker
from engine.telegram.bot.present import Outgoing
from engine.telegram.bot.service import BotService, Person

log = logging.getLogger("diana.bot")


def person(user: User) -> Person:
    return Person(user.id, user.first_name, user.language_code)


def build_router(  # noqa: PLR0915 - one short closure per handler
    service: BotService, admin: AdminCommands, delivery: Delivery, tracker: Tracker
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
        try:
            show(message.chat.id, await service.start(who, command.args or "", key))
        except PlayerBlocked:
            await blocked(message, who)

    @router.callback_query()
    async def tap(query: CallbackQuery, key: str) -> None:
        who = person(query.from_user)
        try:
            result = await service.tap(who, query.data, key)
        except PlayerBlocked:
            state = await service.store.state(who.id)
            await query.answer(service.presenter.plain(state, "blocked"), show_alert=True)
            return
        # Answer first: the spinner stops before any message is sent.
        await query.answer(result.notice, show_alert=result.alert)
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

    @router.message()
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
