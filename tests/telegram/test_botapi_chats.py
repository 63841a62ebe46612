"""Groups and channels through the fake: getChat, members, bans, invite links, joining,
leaving and join requests."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import ChatMemberAdministrator, ChatMemberOwner
from botapi_helpers import fetch, kinds

from engine.telegram.botapi import FakeBotAPI, ScriptedChat, ScriptedUser

EVERYTHING = ["message", "channel_post", "chat_member", "chat_join_request"]


@pytest.fixture
def vip(server: FakeBotAPI) -> ScriptedChat:
    return server.channel("Diana VIP", discussion="Diana VIP chat", description="Only VIP")


@pytest.fixture
def ana(server: FakeBotAPI) -> ScriptedUser:
    return server.user(1001, "Ana")


async def test_get_chat(server: FakeBotAPI, bot: Bot, vip: ScriptedChat, ana: ScriptedUser) -> None:
    group = vip.discussion
    assert group is not None
    info = await bot.get_chat(vip.id)
    assert (info.type, info.title, info.description) == ("channel", "Diana VIP", "Only VIP")
    assert info.linked_chat_id == group.id and str(vip.id).startswith("-100")
    assert (await bot.get_chat(group.id)).linked_chat_id == vip.id
    assert (await bot.get_chat(ana.id)).first_name == "Ana"
    public = server.channel("News", username="diana_news")
    assert (await bot.get_chat("@diana_news")).id == public.id
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.get_chat(-100999)


async def test_get_chat_member_statuses(
    server: FakeBotAPI, bot: Bot, vip: ScriptedChat, ana: ScriptedUser
) -> None:
    ben = server.user(1002, "Ben")
    vip.add_member(ana)
    owner = await bot.get_chat_member(vip.id, vip.room.owner.id)
    assert isinstance(owner, ChatMemberOwner)
    me = await bot.get_chat_member(vip.id, bot.id)
    assert isinstance(me, ChatMemberAdministrator) and me.can_invite_users
    assert me.can_post_messages is True
    assert (await bot.get_chat_member(vip.id, ana.id)).status == "member"
    assert (await bot.get_chat_member(vip.id, ben.id)).status == "left"
    await bot.ban_chat_member(vip.id, ben.id)
    banned = await bot.get_chat_member(vip.id, ben.id)
    assert banned.status == "kicked"
    with pytest.raises(TelegramBadRequest, match="user not found"):
        await bot.get_chat_member(vip.id, 777)
    assert (await bot.get_chat_member(ana.id, ana.id)).status == "member"


async def test_a_channel_hides_members_from_a_bot_that_is_no_admin(
    server: FakeBotAPI, bot: Bot, ana: ScriptedUser
) -> None:
    chan = server.channel("Elsewhere", bot_admin=False)
    with pytest.raises(TelegramBadRequest, match="member list is inaccessible"):
        await bot.get_chat_member(chan.id, ana.id)
    with pytest.raises(TelegramBadRequest, match="not enough rights"):
        await bot.ban_chat_member(chan.id, ana.id)
    with pytest.raises(TelegramBadRequest, match="need administrator rights"):
        await bot.send_message(chan.id, "hello")


async def test_ban_and_unban_send_chat_member_updates(
    server: FakeBotAPI, bot: Bot, vip: ScriptedChat, ana: ScriptedUser
) -> None:
    vip.add_member(ana)
    assert await bot.ban_chat_member(vip.id, ana.id)
    assert vip.status(ana) == "kicked"
    assert await bot.unban_chat_member(vip.id, ana.id)
    assert vip.status(ana) == "left"
    first, second = await fetch(bot, EVERYTHING)
    assert first.chat_member is not None and second.chat_member is not None
    assert first.chat_member.from_user.id == bot.id
    assert (first.chat_member.old_chat_member.status, first.chat_member.new_chat_member.status) == (
        "member",
        "kicked",
    )
    assert second.chat_member.new_chat_member.status == "left"


async def test_unban_removes_a_member_unless_only_if_banned(
    server: FakeBotAPI, bot: Bot, vip: ScriptedChat, ana: ScriptedUser
) -> None:
    vip.add_member(ana)
    assert await bot.unban_chat_member(vip.id, ana.id, only_if_banned=True)
    assert vip.status(ana) == "member"
    assert await bot.unban_chat_member(vip.id, ana.id)  # the usual way to kick someone out
    assert vip.status(ana) == "left"


async def test_owner_and_admins_cannot_be_banned(
    server: FakeBotAPI, bot: Bot, vip: ScriptedChat, ana: ScriptedUser
) -> None:
    with pytest.raises(TelegramBadRequest, match="can't remove chat owner"):
        await bot.ban_chat_member(vip.id, vip.room.owner.id)
    vip.add_member(ana, "administrator")
    with pytest.raises(TelegramBadRequest, match="user is an administrator of the chat"):
        await bot.ban_chat_member(vip.id, ana.id)
    with pytest.raises(TelegramBadRequest, match="supergroup and channel chats only"):
        await bot.ban_chat_member(ana.id, ana.id)


async def test_ban_until_date(server: FakeBotAPI, bot: Bot, vip: ScriptedChat) -> None:
    ana, ben = server.user(1), server.user(2)
    day = server.state.now() + 24 * 3600
    await bot.ban_chat_member(vip.id, ana.id, until_date=day)
    await bot.ban_chat_member(vip.id, ben.id, until_date=server.state.now() + 5)
    assert vip.room.member(ana.person)["until_date"] == day
    assert vip.room.member(ben.person)["until_date"] == 0  # under 30 s: forever


async def test_invite_link_join_and_limits(
    server: FakeBotAPI, bot: Bot, vip: ScriptedChat, ana: ScriptedUser
) -> None:
    link = await bot.create_chat_invite_link(vip.id, name="VIP pass", member_limit=1)
    assert link.invite_link.startswith("https://t.me/+")
    assert (link.name, link.member_limit, link.creates_join_request) == ("VIP pass", 1, False)
    assert link.creator.id == bot.id
    with pytest.raises(PermissionError, match="private"):
        await ana.join(vip)  # a private channel needs a link
    await ana.join(vip, invite_link=link.invite_link)
    assert vip.status(ana) == "member"
    with pytest.raises(PermissionError, match="member limit"):
        await server.user(1002).join(vip, invite_link=link.invite_link)
    [update] = await fetch(bot, EVERYTHING)
    joined = update.chat_member
    assert joined is not None and joined.from_user.id == ana.id
    assert joined.invite_link is not None and joined.invite_link.invite_link == link.invite_link
    assert joined.new_chat_member.status == "member"


async def test_invite_link_errors_and_expiry(
    server: FakeBotAPI, bot: Bot, vip: ScriptedChat, ana: ScriptedUser
) -> None:
    with pytest.raises(TelegramBadRequest, match="member_limit"):
        await bot.create_chat_invite_link(vip.id, creates_join_request=True, member_limit=5)
    with pytest.raises(TelegramBadRequest, match="EXPIRE_DATE_INVALID"):
        await bot.create_chat_invite_link(vip.id, expire_date=server.state.now() - 10)
    soon = server.state.now() + 60
    link = await bot.create_chat_invite_link(vip.id, expire_date=soon)
    later = soon + 1
    server.state.clock = lambda: later
    with pytest.raises(PermissionError, match="expired"):
        await ana.join(vip, invite_link=link.invite_link)
    with pytest.raises(PermissionError, match="not found"):
        await ana.join(vip, invite_link="https://t.me/+made-up")
    with pytest.raises(TelegramBadRequest, match="1-99999 members"):
        await bot.create_chat_invite_link(vip.id, member_limit=0)
    server.take_violations()


async def test_join_request_approved(
    server: FakeBotAPI, bot: Bot, vip: ScriptedChat, ana: ScriptedUser
) -> None:
    link = await bot.create_chat_invite_link(vip.id, creates_join_request=True)
    assert link.pending_join_request_count == 0
    await ana.join(vip, invite_link=link)  # the app sends a request for such a link
    assert ana.id in vip.join_requests and vip.status(ana) == "left"
    [update] = await fetch(bot, EVERYTHING)
    request = update.chat_join_request
    assert request is not None and request.from_user.id == ana.id
    assert request.user_chat_id == ana.id and request.invite_link is not None
    assert await bot.approve_chat_join_request(vip.id, ana.id)
    assert vip.status(ana) == "member" and vip.join_requests == {}
    with pytest.raises(TelegramBadRequest, match="HIDE_REQUESTER_MISSING"):
        await bot.approve_chat_join_request(vip.id, ana.id)
    [joined] = await fetch(bot)
    assert joined.chat_member is not None
    assert joined.chat_member.new_chat_member.status == "member"
    assert joined.chat_member.invite_link is not None


async def test_join_request_declined(server: FakeBotAPI, bot: Bot, ana: ScriptedUser) -> None:
    club = server.supergroup("Club", username="diana_club")
    await ana.request_join(club, bio="hi!")
    with pytest.raises(ValueError, match="already asked"):
        await ana.request_join(club)
    [update] = await fetch(bot, EVERYTHING)
    assert update.chat_join_request is not None and update.chat_join_request.bio == "hi!"
    assert await bot.decline_chat_join_request(club.id, ana.id)
    assert club.status(ana) == "left"
    with pytest.raises(TelegramBadRequest, match="HIDE_REQUESTER_MISSING"):
        await bot.decline_chat_join_request(club.id, ana.id)
    with pytest.raises(TelegramBadRequest, match="HIDE_REQUESTER_MISSING"):
        await bot.approve_chat_join_request(club.id, server.user(1002).id)
    await ana.request_join(club)
    assert await bot.approve_chat_join_request(club.id, ana.id)
    _, joined = await fetch(bot)
    assert joined.chat_member is not None and joined.chat_member.via_join_request is True


async def test_join_and_leave_only_reach_a_bot_that_asked(
    server: FakeBotAPI, bot: Bot, ana: ScriptedUser
) -> None:
    club = server.supergroup("Club", username="diana_club")
    await ana.join(club)
    await ana.leave(club)
    assert await fetch(bot) == []  # chat_member is not in Telegram's default set
    assert kinds(server.state.dropped) == ["chat_member", "chat_member"]
    await ana.join(club)
    await ana.leave(club)
    joined, left = await fetch(bot, EVERYTHING)
    assert joined.chat_member is not None and left.chat_member is not None
    assert (joined.chat_member.old_chat_member.status, left.chat_member.new_chat_member.status) == (
        "left",
        "left",
    )
    with pytest.raises(ValueError, match="not in"):
        await ana.leave(club)


async def test_banned_users_cannot_come_back(
    server: FakeBotAPI, bot: Bot, ana: ScriptedUser
) -> None:
    club = server.supergroup("Club", username="diana_club")
    await ana.join(club)
    await bot.ban_chat_member(club.id, ana.id)
    with pytest.raises(PermissionError, match="banned"):
        await ana.join(club)
    with pytest.raises(PermissionError, match="banned"):
        await ana.send("let me in", chat=club)
    await bot.unban_chat_member(club.id, ana.id)
    await ana.join(club)
    assert club.status(ana) == "member"
