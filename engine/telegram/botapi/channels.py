"""Groups and channels for tests: create them with the bot as administrator, and post.

`FakeBotAPI.channel(...)` and `FakeBotAPI.supergroup(...)` return a `ScriptedChat`. A channel
may come with its linked discussion group, where Telegram forwards each post automatically
and where users' comments are replies to that forwarded copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from engine.telegram.botapi.chats import InviteLink, JoinRequest, Room
from engine.telegram.botapi.events import post_message
from engine.telegram.botapi.state import BotState, Chat, Message, User

CHAT_ID_BASE = -1_001_000_000_000  # group and channel ids look like -100xxxxxxxxxx
OWNER_ID_BASE = 700_000_000


def create_room(
    state: BotState,
    kind: str,
    title: str,
    *,
    username: str | None = None,
    owner: User | None = None,
    bot_admin: bool = True,
    description: str | None = None,
) -> Room:
    """A new supergroup or channel; the bot is an administrator unless `bot_admin` is False."""
    number = state.next_id()
    chat = Chat(CHAT_ID_BASE - number, kind, title=title, username=username)
    owner = owner or User(OWNER_ID_BASE + number, f"{title} owner")
    state.users.setdefault(owner.id, owner)
    state.chats[chat.id] = chat
    state.messages.setdefault(chat.id, {})
    room = Room(chat, owner, description=description)
    room.set_status(owner, "creator")
    room.set_status(state.bot, "administrator" if bot_admin else "left")
    state.rooms[chat.id] = room
    return room


def link_discussion(channel: Room, group: Room) -> None:
    channel.linked_chat_id = group.chat.id
    group.linked_chat_id = channel.chat.id


@dataclass
class ScriptedChat:
    """A test's handle on one supergroup or channel."""

    state: BotState
    room: Room

    @property
    def id(self) -> int:
        return self.room.chat.id

    @property
    def chat(self) -> Chat:
        return self.room.chat

    @property
    def discussion(self) -> ScriptedChat | None:
        """A channel's linked discussion group (or a discussion group's channel)."""
        linked = self.state.rooms.get(self.room.linked_chat_id or 0)
        return None if linked is None else ScriptedChat(self.state, linked)

    @property
    def messages(self) -> list[Message]:
        return self.state.chat_messages(self.id)

    @property
    def join_requests(self) -> dict[int, JoinRequest]:
        return self.room.join_requests

    @property
    def invite_links(self) -> list[InviteLink]:
        return list(self.room.invite_links.values())

    def status(self, user: int | User | _HasPerson) -> str:
        """The user's status here: creator, administrator, member, left or kicked."""
        return self.room.status(_user_id(user))

    def add_member(self, user: User | _HasPerson, status: str = "member") -> None:
        """Put someone in the chat as setup, without any update (they were there before)."""
        person = user if isinstance(user, User) else user.person
        self.state.users.setdefault(person.id, person)
        self.room.set_status(person, status)

    def set_bot_admin(self, admin: bool) -> None:
        self.room.set_status(self.state.bot, "administrator" if admin else "member")

    def reactions(self, message: Message) -> dict[int, list[str]]:
        """Who has which reaction on a message now."""
        return dict(self.room.reactions.get(message.message_id, {}))

    def forwarded_copy(self, post: Message) -> Message | None:
        """The automatic forward of a channel post in the discussion group."""
        group = self.room.linked_chat_id
        copy_id = self.room.forwards.get(post.message_id)
        if group is None or copy_id is None:
            return None
        return self.state.find_message(group, copy_id)

    async def post(self, text: str) -> Message:
        """An administrator posts in the channel: the bot gets `channel_post`, and the
        discussion group (if any) gets the automatic forward as a `message`."""
        if not self.room.is_channel:
            raise ValueError(f"{self.chat.title!r} is not a channel: users send messages there")
        return post_message(
            self.state, self.chat, self.room.owner, announce=True, text=text, raw_text=text
        )


class _HasPerson(Protocol):
    @property
    def person(self) -> User: ...


def _user_id(user: int | User | _HasPerson) -> int:
    if isinstance(user, int):
        return user
    return user.id if isinstance(user, User) else user.person.id
