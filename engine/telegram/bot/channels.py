"""The story's channels: reactions and comments that earn besitos, and the VIP channel.

Configured chats (economy.yaml `channels`, by id or @username) are resolved once with getChat,
which also gives each channel's linked discussion group: in a broadcast channel Telegram shows
the bot only anonymous reaction counts, while in the discussion group it sees who reacted and
who commented. Counting happens only there, in configured chats; anything elsewhere earns
nothing.

- A reaction pays once per user per message (the store's idempotency key is the chat, the
  message and the user), so removing and re-adding it, or changing it, pays nothing more.
- A comment is a message in the discussion group answering a channel post (its automatic
  forward); other messages there count as posts when the content pays for posts.
- Admins' own engagement never counts.
- The VIP channel (vip.yaml `channel`): join requests are approved for VIP players and
  declined (with a private explanation) for others; a member counts as VIP when the content
  says so (checked with getChatMember, cached for `member_ttl` seconds) and stops being VIP
  when they leave, if that membership was where their VIP came from.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from aiogram import Bot
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramAPIError
from aiogram.types import (
    ChatJoinRequest,
    ChatMemberUpdated,
    Message,
    MessageReactionUpdated,
    ReactionTypeEmoji,
)

from engine.persistence import PlayerBlocked
from engine.persistence.vipdue import latest_vip_source
from engine.runtime import (
    Comment,
    ExpireVip,
    GrantVip,
    Outcome,
    PointsAwarded,
    Post,
    Reaction,
    Step,
)
from engine.runtime.triggers import Trigger
from engine.telegram.bot.present import Outgoing
from engine.telegram.bot.service import BotService, Person

log = logging.getLogger("diana.bot.channels")

MEMBER = {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.CREATOR}


@dataclass(frozen=True, slots=True)
class Place:
    channel: str
    """economy.yaml channel id."""
    chat_id: int
    discussion: bool
    """The linked discussion group (comments and per-user reactions happen here)."""


class Channels:
    def __init__(
        self, service: BotService, bot: Bot, admin_ids: frozenset[int], member_ttl: float = 60.0
    ) -> None:
        self.service = service
        self.bot = bot
        self.admin_ids = admin_ids
        self.member_ttl = member_ttl
        self.places: dict[int, Place] = {}
        self.vip_chat: int | None = None
        self._members: dict[int, tuple[bool, float]] = {}

    async def resolve(self) -> None:
        """getChat for every configured chat (a missing one is logged and left out)."""
        story = self.service.store.engine.story
        places: dict[int, Place] = {}
        for channel in story.economy.channels:
            try:
                chat = await self.bot.get_chat(channel.chat)
            except TelegramAPIError as error:
                log.warning("channel %s (%s) not reachable: %s", channel.id, channel.chat, error)
                continue
            places[chat.id] = Place(channel.id, chat.id, False)
            if chat.linked_chat_id is not None:
                places[chat.linked_chat_id] = Place(channel.id, chat.linked_chat_id, True)
        self.places = places
        self.vip_chat = None
        if story.vip.channel_chat is not None:
            try:
                self.vip_chat = (await self.bot.get_chat(story.vip.channel_chat)).id
            except TelegramAPIError as error:
                log.warning("VIP channel %s not reachable: %s", story.vip.channel_chat, error)

    # -- engagement --------------------------------------------------------------------------

    async def reaction(self, update: MessageReactionUpdated) -> Step | None:
        place = self.places.get(update.chat.id)
        user = update.user
        if place is None or user is None or user.is_bot or user.id in self.admin_ids:
            return None
        old = {r.emoji for r in update.old_reaction if isinstance(r, ReactionTypeEmoji)}
        added = [r.emoji for r in update.new_reaction if isinstance(r, ReactionTypeEmoji)]
        fresh = [e for e in added if e not in old]
        if not fresh:
            return None  # removed, or unchanged: never pays
        key = f"react:{update.chat.id}:{update.message_id}:{user.id}"
        who = Person(user.id, user.first_name, user.language_code)
        return await self._engage(who, Reaction(fresh[0], place.channel), key)

    async def message(self, message: Message, key: str) -> Step | None:
        """A message in a configured group: a comment on a channel post, or a post."""
        place = self.places.get(message.chat.id)
        user = message.from_user
        if place is None or user is None or user.is_bot or user.id in self.admin_ids:
            return None
        if message.is_automatic_forward or message.sender_chat is not None:
            return None  # the channel's own post forwarded, or someone posting as a chat
        reply = message.reply_to_message
        who = Person(user.id, user.first_name, user.language_code)
        if place.discussion and reply is not None and reply.is_automatic_forward:
            return await self._engage(who, Comment(place.channel), key)
        return await self._engage(who, Post(place.channel), key)

    async def _engage(self, who: Person, trigger: Trigger, key: str) -> Step | None:
        try:
            await self.service.player(who)
            return await self.service.store.act(who.id, trigger, key)
        except PlayerBlocked:
            return None

    def acknowledge(self, step: Step, channel: str) -> list[Outgoing]:
        """What Diana says in private about a counted engagement, with the real amount."""
        if step.outcome is not Outcome.COUNTED:
            return []
        amount = sum(e.amount for e in step.events if isinstance(e, PointsAwarded))
        p = self.service.presenter
        text = p.text(step.state, "engagement", amount=amount, channel=channel)
        return [Outgoing(text), *p.messages(step.state, step.output._replace(buttons=()))]

    # -- the VIP channel ---------------------------------------------------------------------

    async def join_request(self, request: ChatJoinRequest) -> list[Outgoing]:
        if self.vip_chat is None or request.chat.id != self.vip_chat:
            return []
        user = request.from_user
        who = Person(user.id, user.first_name, user.language_code)
        state = await self.service.player(who)
        if state.vip_active(self.service.clock_now):
            await self.bot.approve_chat_join_request(chat_id=request.chat.id, user_id=user.id)
            return []
        await self.bot.decline_chat_join_request(chat_id=request.chat.id, user_id=user.id)
        return [Outgoing(self.service.presenter.text(state, "join_declined"))]

    async def membership(self, update: ChatMemberUpdated, key: str) -> Step | None:
        """Someone joined or left the VIP channel."""
        if self.vip_chat is None or update.chat.id != self.vip_chat:
            return None
        user = update.new_chat_member.user
        if user.is_bot:
            return None
        member = update.new_chat_member.status in MEMBER
        self._members[user.id] = (member, time.monotonic() + self.member_ttl)
        return await self._sync(Person(user.id, user.first_name, user.language_code), member, key)

    async def is_member(self, user_id: int) -> bool:
        """getChatMember on the VIP channel, cached for `member_ttl` seconds."""
        if self.vip_chat is None:
            return False
        cached = self._members.get(user_id)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        try:
            found = await self.bot.get_chat_member(chat_id=self.vip_chat, user_id=user_id)
            member = found.status in MEMBER
        except TelegramAPIError:
            member = False
        self._members[user_id] = (member, time.monotonic() + self.member_ttl)
        return member

    async def refresh_vip(self, who: Person, key: str) -> Step | None:
        """Before showing VIP status or a VIP gate: a channel member counts as VIP."""
        story = self.service.store.engine.story
        if self.vip_chat is None or not story.vip.channel_counts_as_vip:
            return None
        return await self._sync(who, await self.is_member(who.id), key)

    async def _sync(self, who: Person, member: bool, key: str) -> Step | None:
        story = self.service.store.engine.story
        if not story.vip.channel_counts_as_vip:
            return None
        state = await self.service.player(who)
        active = state.vip_active(self.service.clock_now)
        store = self.service.store
        if member and not active:
            grant = GrantVip(story.vip.channel_tier, 0, "channel")
            return await store.act(who.id, grant, key)
        if not member and active and await latest_vip_source(store, who.id) == "channel":
            return await store.act(who.id, ExpireVip(), key)
        return None
