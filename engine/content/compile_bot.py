"""Compile bot.yaml, the Telegram bot's own texts, into `compiled.BotTexts`.

Each text gets a stable id (`bot.texts.points`, `bot.commands.daily`...) so translation files
can supply it, and the placeholders each one may use are checked like any other text's.
"""

from __future__ import annotations

from types import MappingProxyType

from engine.content import compiled as c
from engine.content import model as m
from engine.content.texts import TextTable
from engine.content.yamlsrc import YamlDocument

PLACEHOLDERS: dict[str, frozenset[str]] = {
    "unknown_chapter": frozenset({"chapter"}),
    "locked_vip": frozenset({"reason"}),
    "locked_cost": frozenset({"cost", "missing"}),
    "locked_condition": frozenset({"reason"}),
    "button_cost": frozenset({"label", "cost", "symbol"}),
    "button_locked": frozenset({"label", "reason"}),
    "points": frozenset({"recent"}),
    "points_line": frozenset({"amount", "reason", "date", "balance"}),
    "profile": frozenset(
        {"vip", "archetype", "clues", "achievements", "chapter", "visited", "total"}
    ),
    "vip_active": frozenset({"tier", "until"}),
    "language_set": frozenset({"language"}),
    "admin_usage": frozenset({"usage"}),
    "admin_no_player": frozenset({"player"}),
    "admin_points": frozenset({"player", "amount", "balance"}),
    "admin_vip": frozenset({"player", "tier", "until"}),
    "admin_reset": frozenset({"player"}),
    "admin_player": frozenset(
        {
            "player",
            "player_name",
            "language",
            "fragment",
            "balance",
            "vip",
            "blocked",
            "checkins",
            "recent",
        }
    ),
    "admin_published": frozenset({"release", "moved"}),
    "admin_invalid": frozenset({"count", "first"}),
    "admin_stats": frozenset({"players", "active", "vip", "actions", "release"}),
    "vip_offer": frozenset({"title", "description", "stars", "days"}),
    "vip_buy": frozenset({"stars"}),
    "vip_status": frozenset({"tier", "until"}),
    "vip_welcome": frozenset({"tier", "until"}),
    "vip_canceled": frozenset({"until"}),
    "vip_refunded": frozenset({"tier"}),
    "vip_reminder": frozenset({"tier", "until", "days"}),
    "vip_expired": frozenset({"tier"}),
    "engagement": frozenset({"amount", "channel"}),
    "admin_invite": frozenset({"link", "days", "uses"}),
    "admin_refunded": frozenset({"player", "charge"}),
    "admin_refund_failed": frozenset({"error"}),
}
"""Extra substitutions per bot text, beyond those every text may use ({name}, {points}...)."""


def compile_bot(bot: m.Bot, doc: YamlDocument, texts: TextTable) -> c.BotTexts:
    pos = doc.positions

    def group(section: str, values: m._Model) -> MappingProxyType[str, c.Text]:
        out: dict[str, c.Text] = {}
        for key, value in values:
            extra = PLACEHOLDERS.get(key, frozenset()) if section == "texts" else frozenset()
            out[key] = texts.add(
                f"bot.{section}.{key}",
                value,
                pos.value((section, key)),
                extra_placeholders=extra,
            )
        return MappingProxyType(out)

    return c.BotTexts(
        languages=MappingProxyType(dict(bot.languages)),
        commands=group("commands", bot.commands),
        admin_commands=group("admin_commands", bot.admin_commands),
        reasons=group("reasons", bot.reasons),
        texts=group("texts", bot.texts),
    )
