"""What the fake Telegram remembers: chats, messages, callback queries and the update queue.

Keeping per-chat message state is what lets the fake fail like Telegram does: editing a
message that does not exist or would not change, or answering a callback query twice.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class User:
    id: int
    first_name: str
    username: str | None = None
    is_bot: bool = False
    language_code: str | None = None

    def to_dict(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass(frozen=True)
class Chat:
    id: int
    type: str
    first_name: str | None = None
    title: str | None = None

    def to_dict(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "type": self.type}
        if self.first_name:
            data["first_name"] = self.first_name
        if self.title:
            data["title"] = self.title
        return data


@dataclass
class Message:
    """One message as Telegram stores it; bot messages mutate when edited."""

    chat: Chat
    message_id: int
    sender: User
    date: int
    kind: str = "text"  # text, photo, video, voice, animation
    text: str | None = None  # as the user sees it, after entity parsing
    raw_text: str | None = None  # as sent, with markup
    parse_mode: str | None = None
    media: JsonDict | None = None  # the photo/video/... object of the Message
    reply_markup: JsonDict | None = None
    markup_history: list[JsonDict] = field(default_factory=list)
    edit_date: int | None = None
    deleted: bool = False

    @property
    def from_bot(self) -> bool:
        return self.sender.is_bot

    def buttons(self, markup: JsonDict | None = None) -> list[JsonDict]:
        """Inline buttons of the current (or a given earlier) keyboard, row by row."""
        source = self.reply_markup if markup is None else markup
        rows = (source or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    def to_dict(self) -> JsonDict:
        data: JsonDict = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": self.chat.to_dict(),
            "from": self.sender.to_dict(),
        }
        if self.kind == "text":
            data["text"] = self.text or ""
        elif self.media is not None:
            data[self.kind] = self.media
            if self.text:
                data["caption"] = self.text
        if self.text and self.text.startswith("/") and not self.from_bot:
            command = self.text.split()[0]
            data["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if self.reply_markup and self.reply_markup.get("inline_keyboard") is not None:
            data["reply_markup"] = self.reply_markup
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        return data


@dataclass
class CallbackQuery:
    id: str
    user: User
    message: Message
    data: str | None
    answered: bool = False
    answer: JsonDict | None = None


@dataclass
class BotState:
    """All mutable state of one fake server; owned by the server, read by scripted users."""

    bot: User
    chats: dict[int, Chat] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    messages: dict[int, dict[int, Message]] = field(default_factory=dict)
    callbacks: dict[str, CallbackQuery] = field(default_factory=dict)
    commands: dict[tuple[str, str], list[JsonDict]] = field(default_factory=dict)
    updates: list[JsonDict] = field(default_factory=list)
    allowed_updates: list[str] | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    last_update_id: int = 0
    delivered_update_id: int = 0
    new_update: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add_user(self, user: User) -> Chat:
        """A user and their private chat, whose id is the user's id as on Telegram."""
        self.users[user.id] = user
        chat = Chat(id=user.id, type="private", first_name=user.first_name)
        self.chats.setdefault(chat.id, chat)
        self.messages.setdefault(chat.id, {})
        return self.chats[chat.id]

    def add_message(self, chat: Chat, sender: User, **fields: Any) -> Message:
        per_chat = self.messages.setdefault(chat.id, {})
        message_id = max(per_chat, default=0) + 1
        message = Message(chat, message_id, sender, int(time.time()), **fields)
        per_chat[message_id] = message
        return message

    def find_message(self, chat_id: int, message_id: int) -> Message | None:
        message = self.messages.get(chat_id, {}).get(message_id)
        return None if message is None or message.deleted else message

    def chat_messages(self, chat_id: int) -> list[Message]:
        return [m for m in self.messages.get(chat_id, {}).values() if not m.deleted]

    def next_id(self) -> int:
        return next(self._ids)

    def enqueue(self, kind: str, payload: JsonDict) -> JsonDict:
        self.last_update_id += 1
        update: JsonDict = {"update_id": self.last_update_id, kind: payload}
        self.updates.append(update)
        self.new_update.set()
        return update

    def take_updates(self, offset: int, limit: int) -> list[JsonDict]:
        """Confirm updates below `offset` and return the pending ones, as getUpdates does."""
        if offset < 0:
            self.updates = self.updates[offset:]
        elif offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if self.allowed_updates:
            allowed = set(self.allowed_updates)
            self.updates = [u for u in self.updates if allowed & set(u)]
        batch = self.updates[:limit]
        if batch:
            self.delivered_update_id = max(self.delivered_update_id, batch[-1]["update_id"])
        else:
            self.new_update.clear()
        return batch

    @property
    def all_delivered(self) -> bool:
        return self.delivered_update_id >= self.last_update_id
