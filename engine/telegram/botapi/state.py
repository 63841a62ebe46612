"""What the fake Telegram remembers: chats, messages, callback queries and the update queue.

Keeping per-chat message state is what lets the fake fail like Telegram does: editing a
message that does not exist or would not change, or answering a callback query twice.
Groups and channels (`chats.Room`), payments (`payments.PaymentBook`) and the webhook live
here too, so every handler sees one state.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.telegram.botapi.chats import Room
from engine.telegram.botapi.objects import CHANNEL_SENDER, Chat, JsonDict, User
from engine.telegram.botapi.payments import PaymentBook

__all__ = ["CHANNEL_SENDER", "BotState", "CallbackQuery", "Chat", "JsonDict", "Message", "User"]

# Update types Telegram sends only to a bot that names them in allowed_updates.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class Message:
    """One message as Telegram stores it; bot messages mutate when edited."""

    chat: Chat
    message_id: int
    sender: User
    date: int
    kind: str = "text"  # text, photo, video, voice, animation, invoice, service
    text: str | None = None  # as the user sees it, after entity parsing
    raw_text: str | None = None  # as sent, with markup
    parse_mode: str | None = None
    media: JsonDict | None = None  # the photo/video/... object of the Message
    reply_markup: JsonDict | None = None
    markup_history: list[JsonDict] = field(default_factory=list)
    edit_date: int | None = None
    deleted: bool = False
    sender_chat: Chat | None = None  # a channel posting, or a channel's automatic forward
    forward_origin: JsonDict | None = None
    is_automatic_forward: bool = False
    reply_to: Message | None = None
    thread_id: int | None = None  # message_thread_id: a comment thread in a discussion group
    extra: JsonDict = field(default_factory=dict)  # service fields: successful_payment...

    @property
    def from_bot(self) -> bool:
        return self.sender.is_bot

    def buttons(self, markup: JsonDict | None = None) -> list[JsonDict]:
        """Inline buttons of the current (or a given earlier) keyboard, row by row."""
        source = self.reply_markup if markup is None else markup
        rows = (source or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    def to_dict(self, *, replies: bool = True) -> JsonDict:
        data: JsonDict = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": self.chat.to_dict(),
        }
        if self.chat.type != "channel":  # channel posts carry no sender, only sender_chat
            data["from"] = self.sender.to_dict()
        if self.sender_chat is not None:
            data["sender_chat"] = self.sender_chat.to_dict()
        if self.thread_id is not None:
            data["message_thread_id"] = self.thread_id
        if self.forward_origin is not None:
            data["forward_origin"] = self.forward_origin
        if self.is_automatic_forward:
            data["is_automatic_forward"] = True
        if self.reply_to is not None and replies:  # Telegram nests one level of replies
            data["reply_to_message"] = self.reply_to.to_dict(replies=False)
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
        data.update(self.extra)
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
class WebhookConfig:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    has_custom_certificate: bool = False
    last_error_date: int | None = None
    last_error_message: str | None = None


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
    allowed_updates: list[str] | None = None  # None: Telegram's default set
    dropped: list[JsonDict] = field(default_factory=list)  # not delivered: not allowed
    files: dict[str, bytes] = field(default_factory=dict)
    rooms: dict[int, Room] = field(default_factory=dict)
    payments: PaymentBook = field(default_factory=PaymentBook)
    webhook: WebhookConfig | None = None
    reaction_emojis: frozenset[str] = frozenset()  # empty: any emoji
    clock: Callable[[], float] = time.time  # the fake's idea of now (message dates...)
    last_update_id: int = 0
    delivered_update_id: int = 0
    new_update: asyncio.Event = field(default_factory=asyncio.Event)  # wakes long polls
    webhook_wakeup: asyncio.Event = field(default_factory=asyncio.Event)  # wakes deliveries
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def now(self) -> int:
        return int(self.clock())

    def add_user(self, user: User) -> Chat:
        """A user and their private chat, whose id is the user's id as on Telegram."""
        self.users[user.id] = user
        chat = Chat(id=user.id, type="private", first_name=user.first_name)
        self.chats.setdefault(chat.id, chat)
        self.messages.setdefault(chat.id, {})
        return self.chats[chat.id]

    def find_chat(self, chat_id: object) -> Chat | None:
        """A chat by id, or a public group or channel by its `@username`."""
        if isinstance(chat_id, int):
            return self.chats.get(chat_id)
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            name = chat_id[1:].lower()
            found = (c for c in self.chats.values() if (c.username or "").lower() == name)
            return next(found, None)
        return None

    def add_message(self, chat: Chat, sender: User, **fields: Any) -> Message:
        per_chat = self.messages.setdefault(chat.id, {})
        message_id = max(per_chat, default=0) + 1
        message = Message(chat, message_id, sender, self.now(), **fields)
        per_chat[message_id] = message
        return message

    def find_message(self, chat_id: int, message_id: int) -> Message | None:
        message = self.messages.get(chat_id, {}).get(message_id)
        return None if message is None or message.deleted else message

    def chat_messages(self, chat_id: int) -> list[Message]:
        return [m for m in self.messages.get(chat_id, {}).values() if not m.deleted]

    def next_id(self) -> int:
        return next(self._ids)

    # the update queue

    def enqueue(self, kind: str, payload: JsonDict) -> JsonDict:
        self.last_update_id += 1
        update: JsonDict = {"update_id": self.last_update_id, kind: payload}
        self.updates.append(update)
        self.wake()
        return update

    def wake(self) -> None:
        self.new_update.set()
        self.webhook_wakeup.set()

    def redeliver(self, update: JsonDict) -> JsonDict:
        """The same update content again under a new update_id, as a redelivery looks."""
        kind = update_kind(update)
        return self.enqueue(kind, update[kind])

    def set_allowed_updates(self, allowed: object) -> None:
        """Telegram's rule: a list replaces the setting, [] means the default, absent keeps it."""
        if isinstance(allowed, list):
            self.allowed_updates = [str(a) for a in allowed] or None

    def wants(self, update: JsonDict) -> bool:
        kind = update_kind(update)
        if self.allowed_updates is None:
            return kind not in OPT_IN_UPDATES
        return kind in self.allowed_updates

    def _drop_unwanted(self) -> None:
        kept = [u for u in self.updates if self.wants(u)]
        if len(kept) != len(self.updates):
            self.dropped.extend(u for u in self.updates if not self.wants(u))
            self.updates = kept

    def take_updates(self, offset: int, limit: int) -> list[JsonDict]:
        """Confirm updates below `offset` and return the pending ones, as getUpdates does."""
        if offset < 0:
            self.updates = self.updates[offset:]
        elif offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        self._drop_unwanted()
        batch = self.updates[:limit]
        if batch:
            self.delivered_update_id = max(self.delivered_update_id, batch[-1]["update_id"])
        else:
            self.new_update.clear()
        return batch

    def next_for_webhook(self) -> JsonDict | None:
        self._drop_unwanted()
        return self.updates[0] if self.updates else None

    def confirm(self, update: JsonDict) -> None:
        """A webhook delivery was acknowledged with 2xx: the update is done."""
        self.updates = [u for u in self.updates if u is not update]
        self.delivered_update_id = max(self.delivered_update_id, update["update_id"])

    def drop_pending(self) -> None:
        self.updates = []

    @property
    def pending_update_count(self) -> int:
        return sum(1 for u in self.updates if self.wants(u))

    @property
    def all_delivered(self) -> bool:
        done = self.delivered_update_id
        return all(u["update_id"] <= done or not self.wants(u) for u in self.updates)


def update_kind(update: JsonDict) -> str:
    return next(k for k in update if k != "update_id")
