"""Things that happen in groups and channels, turned into the updates Telegram sends for them.

Shared by the bot's methods (a ban, an approved join request, a post in a channel) and by
scripted users (joining, leaving, reacting, commenting), so both produce the same updates.
Telegram tells a bot about other members and reactions only where it is an administrator.
"""

from __future__ import annotations

from typing import Any

from engine.telegram.botapi.chats import InviteLink, Room, emoji_reaction
from engine.telegram.botapi.state import CHANNEL_SENDER, BotState, Chat, JsonDict, Message, User


def change_member(
    state: BotState,
    room: Room,
    user: User,
    status: str,
    *,
    actor: User,
    until_date: int = 0,
    invite_link: InviteLink | None = None,
    via_join_request: bool = False,
) -> JsonDict | None:
    """Give `user` a new status; enqueue the `chat_member` update. None if nothing changed."""
    old = room.member(user)
    room.set_status(user, status, until_date)
    if old["status"] == status:
        return None
    if not room.is_admin(state.bot.id):
        return None
    payload: JsonDict = {
        "chat": room.chat.to_dict(),
        "from": actor.to_dict(),
        "date": state.now(),
        "old_chat_member": old,
        "new_chat_member": room.member(user),
    }
    if invite_link is not None:
        payload["invite_link"] = invite_link.to_dict()
    if via_join_request:
        payload["via_join_request"] = True
    return state.enqueue("chat_member", payload)


def post_message(
    state: BotState, chat: Chat, sender: User, *, announce: bool = False, **fields: Any
) -> Message:
    """Add a message to any chat; in a channel it is sent on behalf of the channel (and, with
    `announce`, sent to the bot as `channel_post`), then forwarded automatically to the
    channel's discussion group."""
    room = state.rooms.get(chat.id)
    if room is None or not room.is_channel:
        return state.add_message(chat, sender, **fields)
    post = state.add_message(chat, sender, sender_chat=chat, **fields)
    if announce and room.is_admin(state.bot.id):
        state.enqueue("channel_post", post.to_dict())
    forward_to_discussion(state, room, post)
    return post


def forward_to_discussion(state: BotState, channel: Room, post: Message) -> Message | None:
    """The copy Telegram puts in the linked discussion group, which comments reply to."""
    group = state.rooms.get(channel.linked_chat_id or 0)
    if group is None:
        return None
    origin: JsonDict = {
        "type": "channel",
        "chat": channel.chat.to_dict(),
        "message_id": post.message_id,
        "date": post.date,
    }
    copy = state.add_message(
        group.chat,
        CHANNEL_SENDER,
        kind=post.kind,
        text=post.text,
        raw_text=post.raw_text,
        media=post.media,
        sender_chat=channel.chat,
        forward_origin=origin,
        is_automatic_forward=True,
    )
    channel.forwards[post.message_id] = copy.message_id
    if group.is_admin(state.bot.id):  # with privacy mode on, a bot sees only what admins see
        state.enqueue("message", copy.to_dict())
    return copy


def group_message(state: BotState, room: Room, message: Message) -> JsonDict | None:
    """Enqueue a user's message in a group, if the bot gets to see it."""
    if room.is_admin(state.bot.id):
        return state.enqueue("message", message.to_dict())
    return None


def react(state: BotState, room: Room, user: User, message: Message, emojis: list[str]) -> None:
    """Set `user`'s reactions on a message; enqueue what Telegram would send about it.

    In a supergroup the bot learns who reacted (`message_reaction`); a broadcast channel's
    reactions are anonymous, so it only learns the new totals (`message_reaction_count`).
    """
    per_message = room.reactions.setdefault(message.message_id, {})
    old = per_message.get(user.id, [])
    if emojis:
        per_message[user.id] = list(emojis)
    else:
        per_message.pop(user.id, None)
    if old == list(emojis) or not room.is_admin(state.bot.id):
        return
    base: JsonDict = {
        "chat": room.chat.to_dict(),
        "message_id": message.message_id,
        "date": state.now(),
    }
    if room.is_channel:
        counts = base | {"reactions": room.reaction_counts(message.message_id)}
        state.enqueue("message_reaction_count", counts)
        return
    reaction = base | {
        "user": user.to_dict(),
        "old_reaction": [emoji_reaction(e) for e in old],
        "new_reaction": [emoji_reaction(e) for e in emojis],
    }
    state.enqueue("message_reaction", reaction)
