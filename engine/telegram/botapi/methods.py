"""Bot API methods the fake implements, with Telegram's results and error wording.

Each handler takes parameters already checked and decoded against the spec, so it only
models behaviour: what the result looks like and when Telegram refuses.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from engine.telegram.botapi.errors import (
    QUERY_TOO_OLD,
    WEBHOOK_ACTIVE,
    ApiError,
    Handler,
    Params,
    find_chat,
)
from engine.telegram.botapi.events import post_message
from engine.telegram.botapi.limits import rendered_text
from engine.telegram.botapi.spec import UploadedFile
from engine.telegram.botapi.state import BotState, Chat, JsonDict, Message

__all__ = ["HANDLERS", "ApiError", "get_updates"]

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
EDIT_NOT_FOUND = "Bad Request: message to edit not found"
DELETE_NOT_FOUND = "Bad Request: message to delete not found"
MEDIA_KINDS = {
    "sendPhoto": "photo",
    "sendVideo": "video",
    "sendVoice": "voice",
    "sendAnimation": "animation",
}


def _chat(state: BotState, params: Params) -> Chat:
    return find_chat(state, params)


def sendable_chat(state: BotState, params: Params) -> Chat:
    """The chat to send to, if the bot may post there."""
    chat = find_chat(state, params)
    room = state.rooms.get(chat.id)
    if room is not None and room.is_channel and not room.is_admin(state.bot.id):
        raise ApiError(400, "Bad Request: need administrator rights in the channel chat")
    if room is not None and not room.is_member(state.bot.id):
        raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
    return chat


def markup_param(params: Params) -> JsonDict | None:
    markup = params.get("reply_markup")
    return markup if isinstance(markup, dict) else None


def _set_markup(message: Message, markup: JsonDict | None) -> None:
    if message.reply_markup is not None:
        message.markup_history.append(message.reply_markup)
    message.reply_markup = markup


async def get_me(state: BotState, params: Params) -> JsonDict:
    return state.bot.to_dict() | {
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


async def get_updates(state: BotState, params: Params) -> list[JsonDict]:
    # Long polling lives in the server (it needs the shutdown signal); this is short polling.
    if state.webhook is not None:
        raise ApiError(409, WEBHOOK_ACTIVE)
    state.set_allowed_updates(params.get("allowed_updates"))
    return state.take_updates(int(params.get("offset", 0)), int(params.get("limit", 100)))


async def ok(state: BotState, params: Params) -> bool:
    return True


def _scope_key(params: Params) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(params.get("language_code", ""))


async def set_my_commands(state: BotState, params: Params) -> bool:
    state.commands[_scope_key(params)] = list(params["commands"])
    return True


async def get_my_commands(state: BotState, params: Params) -> list[JsonDict]:
    return state.commands.get(_scope_key(params), [])


async def delete_my_commands(state: BotState, params: Params) -> bool:
    state.commands.pop(_scope_key(params), None)
    return True


async def send_message(state: BotState, params: Params) -> JsonDict:
    chat = sendable_chat(state, params)
    text = str(params["text"])
    message = post_message(
        state,
        chat,
        state.bot,
        text=rendered_text(text, params.get("parse_mode")),
        raw_text=text,
        parse_mode=params.get("parse_mode"),
        reply_markup=markup_param(params),
    )
    return message.to_dict()


def _file_id(state: BotState, value: object) -> tuple[str, int]:
    """A file_id for an upload (stored for getFile) or the id the bot passed."""
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256(value.content).hexdigest()[:16]
        file_id = f"fake-{digest}-{state.next_id()}"
        state.files[file_id] = value.content
        return file_id, len(value.content)
    return str(value), len(state.files.get(str(value), b""))


def _media_handler(method: str) -> Handler:
    kind = MEDIA_KINDS[method]

    async def send_media(state: BotState, params: Params) -> JsonDict:
        chat = sendable_chat(state, params)
        file_id, size = _file_id(state, params[kind])
        base: JsonDict = {"file_id": file_id, "file_unique_id": file_id[-12:], "file_size": size}
        visual = {"width": 640, "height": 480}
        media: Any = {
            "photo": [base | visual],
            "video": base | visual | {"duration": 1},
            "voice": base | {"duration": 1},
            "animation": base | visual | {"duration": 1},
        }[kind]
        caption = params.get("caption")
        message = post_message(
            state,
            chat,
            state.bot,
            kind=kind,
            media=media,
            text=rendered_text(caption, params.get("parse_mode")) if caption else None,
            raw_text=caption,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup_param(params),
        )
        return message.to_dict()

    return send_media


def _message_to_edit(state: BotState, params: Params) -> Message:
    if "inline_message_id" in params:
        raise ApiError(400, "Bad Request: inline messages are not supported by the fake")
    chat_id, message_id = params.get("chat_id"), params.get("message_id")
    if not isinstance(chat_id, int) or not isinstance(message_id, int):
        raise ApiError(400, "Bad Request: message identifier is not specified")
    message = state.find_message(chat_id, message_id)
    if message is None:
        raise ApiError(400, EDIT_NOT_FOUND)
    if not message.from_bot:
        raise ApiError(400, "Bad Request: message can't be edited")
    return message


async def edit_message_text(state: BotState, params: Params) -> JsonDict:
    message = _message_to_edit(state, params)
    if message.kind != "text":
        raise ApiError(400, "Bad Request: there is no text in the message to edit")
    if "text" not in params:
        raise ApiError(400, "Bad Request: text must be non-empty")
    text = rendered_text(str(params["text"]), params.get("parse_mode"))
    markup = markup_param(params)  # Telegram drops the keyboard when an edit carries none
    if text == message.text and markup == message.reply_markup:
        raise ApiError(400, NOT_MODIFIED)
    message.text, message.raw_text = text, str(params["text"])
    message.parse_mode = params.get("parse_mode")
    if markup != message.reply_markup:
        _set_markup(message, markup)
    message.edit_date = state.now()
    return message.to_dict()


async def edit_message_reply_markup(state: BotState, params: Params) -> JsonDict:
    message = _message_to_edit(state, params)
    markup = markup_param(params)
    if markup == message.reply_markup:
        raise ApiError(400, NOT_MODIFIED)
    _set_markup(message, markup)
    message.edit_date = state.now()
    return message.to_dict()


async def delete_message(state: BotState, params: Params) -> bool:
    chat = _chat(state, params)
    message = state.find_message(chat.id, int(params["message_id"]))
    if message is None:
        raise ApiError(400, DELETE_NOT_FOUND)
    message.deleted = True
    return True


async def answer_callback_query(state: BotState, params: Params) -> bool:
    query = state.callbacks.get(str(params["callback_query_id"]))
    if query is None or query.answered:
        raise ApiError(400, QUERY_TOO_OLD)
    query.answered = True
    query.answer = {k: v for k, v in params.items() if k != "callback_query_id"}
    return True


async def get_file(state: BotState, params: Params) -> JsonDict:
    file_id = str(params["file_id"])
    if file_id not in state.files:
        raise ApiError(400, "Bad Request: invalid file_id")
    size = len(state.files[file_id])
    return {
        "file_id": file_id,
        "file_unique_id": file_id[-12:],
        "file_size": size,
        "file_path": f"files/{file_id}",
    }


HANDLERS: dict[str, Handler] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "sendMessage": send_message,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "answerCallbackQuery": answer_callback_query,
    "sendChatAction": ok,
    "getFile": get_file,
    **{method: _media_handler(method) for method in MEDIA_KINDS},
}
