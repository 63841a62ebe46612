"""Group and channel methods: getChat, getChatMember, bans, invite links and join requests.

The bot must be an administrator of a group or channel for most of these, as on Telegram.
Bans and approvals change members' statuses and send the `chat_member` updates Telegram
sends (to a bot that asked for them in allowed_updates).
"""

from __future__ import annotations

import secrets

from engine.telegram.botapi.chats import InviteLink, Room
from engine.telegram.botapi.errors import (
    ApiError,
    Handler,
    Params,
    find_chat,
    find_room,
    find_user,
)
from engine.telegram.botapi.events import change_member
from engine.telegram.botapi.state import BotState, JsonDict

NO_RIGHTS = "Bad Request: not enough rights to restrict/unrestrict chat member"
ADMIN_REQUIRED = "Bad Request: CHAT_ADMIN_REQUIRED"
HIDE_REQUESTER_MISSING = "Bad Request: HIDE_REQUESTER_MISSING"
_FOREVER_AFTER = 366 * 24 * 3600
_FOREVER_BEFORE = 30
_GIFTS = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription")


def _admin_room(state: BotState, params: Params, refusal: str) -> Room:
    room = find_room(state, params)
    if not room.is_admin(state.bot.id):
        raise ApiError(400, refusal)
    return room


async def get_chat(state: BotState, params: Params) -> JsonDict:
    chat = find_chat(state, params)
    info: JsonDict = chat.to_dict() | {
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": dict.fromkeys((*_GIFTS, "gifts_from_channels"), False),
    }
    room = state.rooms.get(chat.id)
    if room is not None:
        if room.description:
            info["description"] = room.description
        if room.linked_chat_id is not None:
            info["linked_chat_id"] = room.linked_chat_id
    return info


async def get_chat_member(state: BotState, params: Params) -> JsonDict:
    chat = find_chat(state, params)
    user = find_user(state, params["user_id"])
    room = state.rooms.get(chat.id)
    if room is None:  # a private chat has the user and the bot in it
        if user.id not in (chat.id, state.bot.id):
            raise ApiError(400, "Bad Request: PARTICIPANT_ID_INVALID")
        return {"status": "member", "user": user.to_dict()}
    if room.is_channel and not room.is_admin(state.bot.id):
        raise ApiError(400, "Bad Request: member list is inaccessible")
    return room.member(user)


def _removable(room: Room, user_id: int) -> None:
    status = room.status(user_id)
    if status == "creator":
        raise ApiError(400, "Bad Request: can't remove chat owner")
    if status == "administrator":
        raise ApiError(400, "Bad Request: user is an administrator of the chat")


async def ban_chat_member(state: BotState, params: Params) -> bool:
    room = _admin_room(state, params, NO_RIGHTS)
    user = find_user(state, params["user_id"])
    _removable(room, user.id)
    until = int(params.get("until_date", 0))
    ahead = until - state.now()
    if not _FOREVER_BEFORE <= ahead <= _FOREVER_AFTER:
        until = 0  # "considered to be banned forever"
    room.join_requests.pop(user.id, None)
    change_member(state, room, user, "kicked", actor=state.bot, until_date=until)
    return True


async def unban_chat_member(state: BotState, params: Params) -> bool:
    room = _admin_room(state, params, NO_RIGHTS)
    user = find_user(state, params["user_id"])
    _removable(room, user.id)
    status = room.status(user.id)
    if status == "kicked" or (status == "member" and not params.get("only_if_banned")):
        # Unbanning a member removes them: afterwards they are out but may join again.
        change_member(state, room, user, "left", actor=state.bot)
    return True


async def create_chat_invite_link(state: BotState, params: Params) -> JsonDict:
    room = _admin_room(state, params, ADMIN_REQUIRED)
    approval = bool(params.get("creates_join_request", False))
    if approval and "member_limit" in params:
        raise ApiError(
            400, "Bad Request: member_limit can't be specified for links requiring approval"
        )
    expire = params.get("expire_date")
    if expire is not None and int(expire) <= state.now():
        raise ApiError(400, "Bad Request: EXPIRE_DATE_INVALID")
    link = InviteLink(
        f"https://t.me/+{secrets.token_urlsafe(12)}",
        state.bot,
        creates_join_request=approval,
        name=params.get("name"),
        expire_date=expire,
        member_limit=params.get("member_limit"),
    )
    room.invite_links[link.invite_link] = link
    return link.to_dict(pending=0 if approval else None)


async def approve_chat_join_request(state: BotState, params: Params) -> bool:
    room = _admin_room(state, params, ADMIN_REQUIRED)
    user = find_user(state, params["user_id"])
    request = room.join_requests.pop(user.id, None)
    if request is None:
        raise ApiError(400, HIDE_REQUESTER_MISSING)
    link = request.invite_link
    if link is not None:
        link.joined += 1
    change_member(
        state,
        room,
        user,
        "member",
        actor=state.bot,
        invite_link=link,
        via_join_request=link is None,
    )
    return True


async def decline_chat_join_request(state: BotState, params: Params) -> bool:
    room = _admin_room(state, params, ADMIN_REQUIRED)
    user = find_user(state, params["user_id"])
    if room.join_requests.pop(user.id, None) is None:
        raise ApiError(400, HIDE_REQUESTER_MISSING)
    return True


HANDLERS: dict[str, Handler] = {
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "banChatMember": ban_chat_member,
    "unbanChatMember": unban_chat_member,
    "createChatInviteLink": create_chat_invite_link,
    "approveChatJoinRequest": approve_chat_join_request,
    "declineChatJoinRequest": decline_chat_join_request,
}
