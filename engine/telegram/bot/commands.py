"""The command menu, per language and per scope: players see the player commands, each admin
also sees the admin commands (BotCommandScopeChat), and nobody else ever does."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from engine.content.compiled import Story, Text

PLAYER = ("start", "daily", "points", "profile", "vip", "language", "help", "paysupport")
ADMIN = {
    "grant": "grant",
    "vip_grant": "vip",
    "player": "player",
    "reset": "reset",
    "publish": "publish",
    "stats": "stats",
    "invite": "invite",
    "refund": "refund",
}
"""Command -> its description's key in bot.yaml's admin_commands."""


def _text(text: Text, language: str, story: Story) -> str:
    return text.values.get(language) or text.values.get(story.default_language, "")


def menu(story: Story, language: str, admin: bool) -> list[BotCommand]:
    bot = story.bot
    assert bot is not None
    commands = [BotCommand(command=c, description=_text(bot.commands[c], language, story)[:256])
                for c in PLAYER]  # fmt: skip
    if admin:
        commands += [
            BotCommand(command=c, description=_text(bot.admin_commands[k], language, story)[:256])
            for c, k in ADMIN.items()
        ]
    return commands


async def register_commands(bot: Bot, story: Story, admin_ids: frozenset[int]) -> None:
    """setMyCommands for every language (and the default), then for each admin's chat."""
    default = BotCommandScopeDefault()
    await bot.set_my_commands(menu(story, story.default_language, False), scope=default)
    for language in story.languages:
        await bot.set_my_commands(
            menu(story, language, False), scope=default, language_code=language
        )
    for admin_id in sorted(admin_ids):
        scope = BotCommandScopeChat(chat_id=admin_id)
        await bot.set_my_commands(menu(story, story.default_language, True), scope=scope)
        for language in story.languages:
            await bot.set_my_commands(
                menu(story, language, True), scope=scope, language_code=language
            )
