"""Scripted users: people who send commands and tap buttons, including the awkward cases.

A user can tap a button of an old message (a stale tap), tap the same button twice (a double
tap), or tap a message the bot has since deleted; each becomes the update Telegram would send.
They also pay in Stars (`users_payments.PaymentActions`) and take part in groups and channels
(`users_chats.ChatActions`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from engine.telegram.botapi.channels import ScriptedChat
from engine.telegram.botapi.state import BotState, CallbackQuery, Chat, JsonDict, Message, User
from engine.telegram.botapi.users_chats import ChatActions
from engine.telegram.botapi.users_payments import PaymentActions

_query_ids = itertools.count(1)


@dataclass
class ScriptedUser(PaymentActions, ChatActions):
    """One Telegram user in a private chat with the bot (and in any groups tests give them)."""

    state: BotState
    person: User

    @property
    def id(self) -> int:
        return self.person.id

    @property
    def chat(self) -> Chat:
        return self.state.chats[self.person.id]

    @property
    def messages(self) -> list[Message]:
        """The bot's messages still visible in this chat, oldest first (edits applied)."""
        return [m for m in self.state.chat_messages(self.chat.id) if m.from_bot]

    def last_message(self) -> Message:
        messages = self.messages
        if not messages:
            raise LookupError(f"the bot has sent user {self.id} no message")
        return messages[-1]

    @property
    def answers(self) -> list[JsonDict]:
        """The bot's answers to this user's taps (text, show_alert...), in tap order."""
        return [
            q.answer
            for q in self.state.callbacks.values()
            if q.user.id == self.id and q.answer is not None
        ]

    async def send(self, text: str, chat: ScriptedChat | Chat | int | None = None) -> Message:
        """Type a message (or a /command) and enqueue it as a `message` update.

        Without `chat` it goes to the private chat with the bot; with one, to that group
        (the user must be a member), where the bot sees it if it is an administrator.
        """
        if chat is not None:
            return self._say(self._room(chat), text)
        message = self.state.add_message(self.chat, self.person, text=text, raw_text=text)
        self.state.enqueue("message", message.to_dict())
        return message

    async def tap(self, button: str, message: Message | None = None) -> str:
        """Tap a button, by its text or callback_data; return the callback query id.

        Without `message`, the newest bot message showing such a button is tapped. With one,
        the tap is against that message as the user last saw it, even if it was since edited
        or deleted, which is how stale taps reach a bot.
        """
        target, data = self._find_button(button, message)
        query_id = f"{self.id}-{next(_query_ids)}"
        payload: JsonDict = {
            "id": query_id,
            "from": self.person.to_dict(),
            "chat_instance": f"chat-{self.chat.id}",
        }
        if target.deleted:
            # What Telegram sends for a message the user can no longer see.
            payload["message"] = {
                "chat": self.chat.to_dict(),
                "message_id": target.message_id,
                "date": 0,
            }
        else:
            payload["message"] = target.to_dict()
        if data is not None:
            payload["data"] = data
        self.state.callbacks[query_id] = CallbackQuery(query_id, self.person, target, data)
        self.state.enqueue("callback_query", payload)
        return query_id

    def _find_button(self, button: str, message: Message | None) -> tuple[Message, str | None]:
        candidates = [message] if message is not None else list(reversed(self.messages))
        for candidate in candidates:
            keyboards = [candidate.reply_markup, *reversed(candidate.markup_history)]
            if message is None:
                keyboards = keyboards[:1]  # without a message, only what is on screen now
            for keyboard in keyboards:
                for found in candidate.buttons(keyboard or {}):
                    if button in (found.get("text"), found.get("callback_data")):
                        return candidate, found.get("callback_data")
        raise LookupError(f"no button {button!r} for user {self.id} to tap")
