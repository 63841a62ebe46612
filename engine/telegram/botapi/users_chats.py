"""What a scripted user does in groups and channels: join, ask to join, leave, react, comment.

Each action changes the fake's state and enqueues the update Telegram would send, if any:
`chat_member` (only to a bot that asked for it), `chat_join_request`, `message_reaction` in a
supergroup, `message_reaction_count` in a broadcast channel, and `message` for comments.
Actions a real user could not take (joining while banned, commenting on a post that has no
discussion group) raise, so a test cannot script the impossible by mistake.
"""

from __future__ import annotations

from typing import Protocol

from engine.telegram.botapi.channels import ScriptedChat
from engine.telegram.botapi.chats import InviteLink, JoinRequest, Room
from engine.telegram.botapi.events import change_member, group_message, react
from engine.telegram.botapi.state import BotState, Chat, JsonDict, Message, User

ChatRef = ScriptedChat | Chat | int


class HasInviteLink(Protocol):
    """The fake's InviteLink or aiogram's ChatInviteLink: anything with the link's URL."""

    @property
    def invite_link(self) -> str: ...


LinkRef = str | HasInviteLink


class ChatActions:
    """Mixed into `ScriptedUser`, which provides `state` and `person`."""

    state: BotState
    person: User

    def _room(self, chat: ChatRef | Room) -> Room:
        if isinstance(chat, Room):
            return chat
        chat_id = chat if isinstance(chat, int) else chat.id
        room = self.state.rooms.get(chat_id)
        if room is None:
            raise LookupError(f"no group or channel {chat_id}")
        return room

    def _may_enter(self, room: Room) -> None:
        if room.status(self.person.id) == "kicked":
            raise PermissionError(f"user {self.person.id} is banned from {room.chat.title!r}")
        if room.is_member(self.person.id):
            raise ValueError(f"user {self.person.id} is already in {room.chat.title!r}")

    def _link(self, room: Room, link: LinkRef | None) -> InviteLink | None:
        if link is None:
            if room.chat.username is None:
                raise PermissionError(
                    f"{room.chat.title!r} is private: join with an invite link "
                    "(or set the user up with ScriptedChat.add_member)"
                )
            return None
        url = link if isinstance(link, str) else link.invite_link
        found = room.invite_links.get(url)
        refusal = "invite link not found" if found is None else found.refusal(self.state.now())
        if refusal is not None:
            raise PermissionError(refusal)
        return found

    async def join(self, chat: ChatRef, *, invite_link: LinkRef | None = None) -> JsonDict | None:
        """Join a public chat, or a private one through an invite link.

        A link that needs approval sends a join request instead, as the app does. Returns
        the update Telegram sends the bot, or None when it sends none.
        """
        room = self._room(chat)
        self._may_enter(room)
        link = self._link(room, invite_link)
        if link is not None and link.creates_join_request:
            return await self.request_join(room, invite_link=link)
        if link is not None:
            link.joined += 1
        return change_member(
            self.state, room, self.person, "member", actor=self.person, invite_link=link
        )

    async def request_join(
        self,
        chat: ChatRef | Room,
        *,
        invite_link: LinkRef | None = None,
        bio: str | None = None,
    ) -> JsonDict | None:
        """Ask to join: the bot (an administrator) gets a `chat_join_request`."""
        room = self._room(chat)
        self._may_enter(room)
        if self.person.id in room.join_requests:
            raise ValueError(f"user {self.person.id} already asked to join {room.chat.title!r}")
        link = self._link(room, invite_link)
        now = self.state.now()
        room.join_requests[self.person.id] = JoinRequest(self.person, now, link, bio)
        if not room.is_admin(self.state.bot.id):
            return None
        payload: JsonDict = {
            "chat": room.chat.to_dict(),
            "from": self.person.to_dict(),
            "user_chat_id": self.person.id,
            "date": now,
        }
        if bio is not None:
            payload["bio"] = bio
        if link is not None:
            payload["invite_link"] = link.to_dict()
        return self.state.enqueue("chat_join_request", payload)

    async def leave(self, chat: ChatRef) -> JsonDict | None:
        room = self._room(chat)
        if not room.is_member(self.person.id):
            raise ValueError(f"user {self.person.id} is not in {room.chat.title!r}")
        return change_member(self.state, room, self.person, "left", actor=self.person)

    async def react(self, message: Message, *emojis: str) -> None:
        """Set this user's reaction on a group or channel message (replacing the old one)."""
        allowed = self.state.reaction_emojis
        bad = [e for e in emojis if allowed and e not in allowed]
        if bad:
            raise ValueError(f"Telegram offers no reaction {bad[0]!r}")
        if message.deleted:
            raise LookupError(f"message {message.message_id} was deleted")
        room = self._room(message.chat.id)
        react(self.state, room, self.person, message, list(emojis))

    async def unreact(self, message: Message) -> None:
        """Take this user's reaction off: the update's new_reaction is empty."""
        await self.react(message)

    async def comment(self, post: Message, text: str) -> Message:
        """Comment on a channel post: a reply to its automatic forward in the discussion."""
        channel = self._room(post.chat.id)
        group = self.state.rooms.get(channel.linked_chat_id or 0)
        copy_id = channel.forwards.get(post.message_id)
        if not channel.is_channel or group is None or copy_id is None:
            raise ValueError(f"post {post.message_id} has no discussion to comment in")
        copy = self.state.find_message(group.chat.id, copy_id)
        if copy is None:
            raise LookupError(f"the forwarded copy of post {post.message_id} was deleted")
        return self._say(group, text, reply_to=copy, thread_id=copy.message_id, member=False)

    async def reply(self, message: Message, text: str) -> Message:
        """Reply to a message in a group (inside its comment thread, if it is in one)."""
        room = self._room(message.chat.id)
        return self._say(room, text, reply_to=message, thread_id=message.thread_id)

    def _say(
        self,
        room: Room,
        text: str,
        *,
        reply_to: Message | None = None,
        thread_id: int | None = None,
        member: bool = True,
    ) -> Message:
        if room.is_channel:
            raise PermissionError("only administrators post in a channel: use ScriptedChat.post")
        if room.status(self.person.id) == "kicked":
            raise PermissionError(f"user {self.person.id} is banned from {room.chat.title!r}")
        if member and not room.is_member(self.person.id):
            raise PermissionError(f"user {self.person.id} is not in {room.chat.title!r}")
        message = self.state.add_message(
            room.chat, self.person, text=text, raw_text=text, reply_to=reply_to, thread_id=thread_id
        )
        group_message(self.state, room, message)
        return message
