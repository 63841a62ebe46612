"""What every method module shares: the refusal type, handler signature and chat lookup."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from engine.telegram.botapi.chats import Room
from engine.telegram.botapi.state import BotState, Chat, JsonDict, User

Params = dict[str, Any]
Handler = Callable[[BotState, Params], Awaitable[Any]]

QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
CHAT_NOT_FOUND = "Bad Request: chat not found"
USER_NOT_FOUND = "Bad Request: user not found"
ONLY_GROUPS = "Bad Request: method is available for supergroup and channel chats only"
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


class ApiError(Exception):
    """A refusal: becomes `{"ok": false, "error_code": ..., "description": ...}`."""

    def __init__(self, code: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def find_chat(state: BotState, params: Params) -> Chat:
    chat = state.find_chat(params.get("chat_id"))
    if chat is None:
        raise ApiError(400, CHAT_NOT_FOUND)
    return chat


def find_room(state: BotState, params: Params) -> Room:
    """The group or channel named by chat_id; private chats have no members to manage."""
    chat = find_chat(state, params)
    room = state.rooms.get(chat.id)
    if room is None:
        raise ApiError(400, ONLY_GROUPS)
    return room


def find_user(state: BotState, user_id: object) -> User:
    """A user the fake knows (Telegram knows everyone; the fake knows who tests created)."""
    user = state.users.get(user_id) if isinstance(user_id, int) else None
    if user_id == state.bot.id:
        return state.bot
    if user is None:
        raise ApiError(400, USER_NOT_FOUND)
    return user
