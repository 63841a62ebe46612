"""Telegram's plain objects as the fake keeps them: users and chats, serialised as the spec says.

`state.py` re-exports these, so `from engine.telegram.botapi.state import User` keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    """A chat: `private` (id = the user's id), `supergroup` or `channel` (ids -100...)."""

    id: int
    type: str
    first_name: str | None = None
    title: str | None = None
    username: str | None = None

    def to_dict(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "type": self.type}
        if self.title:
            data["title"] = self.title
        if self.username:
            data["username"] = self.username
        if self.first_name:
            data["first_name"] = self.first_name
        return data


# The placeholder user Telegram puts in `from` of a group message sent on behalf of a channel
# (an automatic forward into the discussion group), "for backward compatibility".
CHANNEL_SENDER = User(136817688, "Channel", "Channel_Bot")
