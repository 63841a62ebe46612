"""Supergroups and channels: who is in them (and how), invite links, join requests, reactions.

A `Room` is the fake's record of one group or channel. Statuses are Telegram's: `creator`,
`administrator`, `member`, `left` (also anyone never seen in the chat) and `kicked`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.telegram.botapi.objects import Chat, JsonDict, User

MEMBER_STATUSES = frozenset({"creator", "administrator", "member"})
_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)


@dataclass
class InviteLink:
    invite_link: str
    creator: User
    creates_join_request: bool = False
    name: str | None = None
    expire_date: int | None = None
    member_limit: int | None = None
    is_primary: bool = False
    is_revoked: bool = False
    joined: int = 0  # members who came in through it

    def to_dict(self, pending: int | None = None) -> JsonDict:
        data: JsonDict = {
            "invite_link": self.invite_link,
            "creator": self.creator.to_dict(),
            "creates_join_request": self.creates_join_request,
            "is_primary": self.is_primary,
            "is_revoked": self.is_revoked,
        }
        optional = {
            "name": self.name,
            "expire_date": self.expire_date,
            "member_limit": self.member_limit,
            "pending_join_request_count": pending,
        }
        data.update({k: v for k, v in optional.items() if v is not None})
        return data

    def refusal(self, now: int) -> str | None:
        """Why a user cannot use the link now, as the app would tell them; None if they can."""
        if self.is_revoked:
            return "invite link revoked"
        if self.expire_date is not None and now >= self.expire_date:
            return "invite link expired"
        if self.member_limit is not None and self.joined >= self.member_limit:
            return "invite link member limit reached"
        return None


@dataclass
class JoinRequest:
    user: User
    date: int
    invite_link: InviteLink | None = None
    bio: str | None = None


@dataclass
class Room:
    """One supergroup or channel, with the bot's and every user's standing in it."""

    chat: Chat
    owner: User
    description: str | None = None
    linked_chat_id: int | None = None  # the discussion group of a channel, or its channel
    statuses: dict[int, str] = field(default_factory=dict)
    people: dict[int, User] = field(default_factory=dict)
    until_dates: dict[int, int] = field(default_factory=dict)
    invite_links: dict[str, InviteLink] = field(default_factory=dict)
    join_requests: dict[int, JoinRequest] = field(default_factory=dict)
    # message_id -> user_id -> the emoji that user has on it now
    reactions: dict[int, dict[int, list[str]]] = field(default_factory=dict)
    # channel post id -> id of its automatic forward in the discussion group
    forwards: dict[int, int] = field(default_factory=dict)

    @property
    def is_channel(self) -> bool:
        return self.chat.type == "channel"

    def status(self, user_id: int) -> str:
        return self.statuses.get(user_id, "left")

    def is_member(self, user_id: int) -> bool:
        return self.status(user_id) in MEMBER_STATUSES

    def is_admin(self, user_id: int) -> bool:
        return self.status(user_id) in ("creator", "administrator")

    def set_status(self, user: User, status: str, until_date: int = 0) -> str:
        """Record a new status; return the old one."""
        old = self.status(user.id)
        self.people[user.id] = user
        self.statuses[user.id] = status
        if status == "kicked":
            self.until_dates[user.id] = until_date
        else:
            self.until_dates.pop(user.id, None)
        return old

    def member(self, user: User, status: str | None = None) -> JsonDict:
        """The ChatMember object for `user` (with `status`, or the current one)."""
        status = status or self.status(user.id)
        data: JsonDict = {"status": status, "user": user.to_dict()}
        if status == "creator":
            data["is_anonymous"] = False
        elif status == "administrator":
            data |= {"can_be_edited": False, "is_anonymous": False, "can_promote_members": False}
            data["can_send_welcome_messages"] = True  # newer than 10.1; aiogram 3.31 needs it
            data |= dict.fromkeys(_RIGHTS, True)
            if self.is_channel:
                data |= {"can_post_messages": True, "can_edit_messages": True}
            else:
                data |= {"can_pin_messages": True}
        elif status == "kicked":
            data["until_date"] = self.until_dates.get(user.id, 0)
        return data

    def reaction_counts(self, message_id: int) -> list[JsonDict]:
        """ReactionCount objects for a message, most used first."""
        totals: dict[str, int] = {}
        for emojis in self.reactions.get(message_id, {}).values():
            for emoji in emojis:
                totals[emoji] = totals.get(emoji, 0) + 1
        ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
        return [{"type": emoji_reaction(e), "total_count": n} for e, n in ranked]


def emoji_reaction(emoji: str) -> JsonDict:
    return {"type": "emoji", "emoji": emoji}
