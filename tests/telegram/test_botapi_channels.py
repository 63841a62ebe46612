"""Channels and groups in motion: channel posts and their automatic forwards, comments,
group messages, and reactions (per user in a group, anonymous counts in a channel)."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramForbiddenError
from botapi_helpers import dumped, fetch, kinds

from engine.telegram.botapi import CHANNEL_SENDER, FakeBotAPI, ScriptedChat, ScriptedUser

EVERYTHING = ["message", "channel_post", "chat_member", "chat_join_request"]
REACTIONS = ["message", "message_reaction", "message_reaction_count"]


@pytest.fixture
def vip(server: FakeBotAPI) -> ScriptedChat:
    return server.channel("Diana VIP", discussion="Diana VIP chat", description="Only VIP")


@pytest.fixture
def ana(server: FakeBotAPI) -> ScriptedUser:
    return server.user(1001, "Ana")


async def test_channel_post_is_forwarded_to_the_discussion(
    server: FakeBotAPI, bot: Bot, vip: ScriptedChat, ana: ScriptedUser
) -> None:
    post = await vip.post("Chapter 3 is out")
    channel_post, forwarded = await fetch(bot)
    assert channel_post.channel_post is not None
    assert channel_post.channel_post.text == "Chapter 3 is out"
    assert channel_post.channel_post.from_user is None
    assert channel_post.channel_post.sender_chat is not None
    assert channel_post.channel_post.sender_chat.id == vip.id
    copy = forwarded.message
    assert copy is not None and copy.is_automatic_forward is True
    assert copy.chat.id == (vip.discussion.id if vip.discussion else 0)
    assert copy.from_user is not None and copy.from_user.id == CHANNEL_SENDER.id
    assert copy.forward_origin is not None
    assert dumped(forwarded)["message"]["forward_origin"]["message_id"] == post.message_id

    comment = await ana.comment(post, "Love it")
    [update] = await fetch(bot)
    message = update.message
    assert message is not None and message.text == "Love it" and message.from_user is not None
    assert message.from_user.id == ana.id and message.reply_to_message is not None
    assert message.reply_to_message.is_automatic_forward is True
    assert message.message_thread_id == copy.message_id == comment.thread_id


async def test_bot_posts_in_its_channel(server: FakeBotAPI, bot: Bot, vip: ScriptedChat) -> None:
    sent = await bot.send_message(vip.id, "Hola, VIPs")
    assert sent.sender_chat is not None and sent.sender_chat.id == vip.id
    assert sent.from_user is None
    [forwarded] = await fetch(bot)  # its own post comes back only as the group's copy
    assert forwarded.message is not None and forwarded.message.is_automatic_forward
    assert vip.forwarded_copy(vip.messages[0]) is not None


async def test_comments_need_a_discussion_group(
    server: FakeBotAPI, bot: Bot, ana: ScriptedUser
) -> None:
    lonely = server.channel("Lonely")
    post = await lonely.post("no comments here")
    with pytest.raises(ValueError, match="no discussion"):
        await ana.comment(post, "hello?")
    with pytest.raises(PermissionError, match="post in a channel"):
        await ana.send("hello?", chat=lonely)


async def test_group_messages_and_replies(server: FakeBotAPI, bot: Bot, ana: ScriptedUser) -> None:
    club = server.supergroup("Club", username="diana_club")
    with pytest.raises(PermissionError, match="not in"):
        await ana.send("hi", chat=club)
    club.add_member(ana)
    said = await ana.send("hi all", chat=club)
    await server.user(1002).join(club)
    answer = await server.user(1002).reply(said, "hi Ana")
    updates = await fetch(bot)
    assert kinds(updates) == ["message", "message"]
    assert updates[1].message is not None and updates[1].message.reply_to_message is not None
    assert updates[1].message.reply_to_message.message_id == said.message_id
    assert answer.reply_to is said


async def test_reactions_in_a_group_name_the_user(
    server: FakeBotAPI, bot: Bot, vip: ScriptedChat, ana: ScriptedUser
) -> None:
    post = await vip.post("React!")
    copy = vip.forwarded_copy(post)
    assert copy is not None
    await fetch(bot)
    await ana.react(copy, "👍")
    await ana.react(copy, "🔥")
    await ana.unreact(copy)
    assert await fetch(bot) == []  # message_reaction must be asked for
    await ana.react(copy, "👍")
    await ana.react(copy, "🔥")
    await ana.unreact(copy)
    first, second, third = await fetch(bot, REACTIONS)
    assert first.message_reaction is not None and first.message_reaction.user is not None
    assert first.message_reaction.user.id == ana.id
    as_dicts = [dumped(u)["message_reaction"] for u in (first, second, third)]
    assert [(r["old_reaction"], r["new_reaction"]) for r in as_dicts] == [
        ([], [{"type": "emoji", "emoji": "👍"}]),
        ([{"type": "emoji", "emoji": "👍"}], [{"type": "emoji", "emoji": "🔥"}]),
        ([{"type": "emoji", "emoji": "🔥"}], []),
    ]
    with pytest.raises(ValueError, match="no reaction"):
        await ana.react(copy, "🦖")


async def test_channel_reactions_are_anonymous_counts(
    server: FakeBotAPI, bot: Bot, vip: ScriptedChat, ana: ScriptedUser
) -> None:
    post = await vip.post("Vote with hearts")
    await fetch(bot, [*REACTIONS, "channel_post"])
    ben = server.user(1002)
    await ana.react(post, "❤")
    await ben.react(post, "❤")
    await ben.react(post, "👍")
    updates = await fetch(bot)
    assert kinds(updates) == ["message_reaction_count"] * 3
    last = dumped(updates[-1])["message_reaction_count"]
    assert last["message_id"] == post.message_id and "user" not in last
    assert last["reactions"] == [
        {"type": {"type": "emoji", "emoji": "❤"}, "total_count": 1},
        {"type": {"type": "emoji", "emoji": "👍"}, "total_count": 1},
    ]
    assert vip.reactions(post) == {ana.id: ["❤"], ben.id: ["👍"]}


async def test_a_bot_that_is_no_admin_hears_nothing(
    server: FakeBotAPI, bot: Bot, ana: ScriptedUser
) -> None:
    club = server.supergroup("Club", username="diana_club", bot_admin=False)
    await ana.join(club)
    said = await ana.send("anyone?", chat=club)
    await ana.react(said, "👍")
    await ana.request_join(server.supergroup("Other", username="other", bot_admin=False))
    assert await fetch(bot, EVERYTHING + REACTIONS) == []
    with pytest.raises(TelegramForbiddenError, match="not a member"):
        await bot.send_message(club.id, "hi")
