"""How the bot words what it shows: button labels, locked buttons and the messages a runtime
`Output` becomes. Pure functions with no aiogram (nor anything under `engine.telegram.bot`), so
the bot's `Presenter` and `diana preview` share them and the preview shows what Telegram shows.

Labels come from bot.yaml's `button_cost` and `button_locked`; content without a bot.yaml (a
preview-only story) gets the shipped wording, `Copa · 15 💋` and `🔒 Diván · El Diván`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.runtime import Button, Engine, MediaPart, MessagePart, PlayerState

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_LABEL = 64
"""Telegram cuts longer button texts; locked labels are cut here so the cut is ours."""
MAX_PAUSE = 4.0
"""Longest typing pause shown, whatever the content says (seconds)."""

Keyboard = tuple[tuple[tuple[str, str], ...], ...]
"""Rows of (label, callback data); data starting with `URL_PREFIX` makes a link button."""
URL_PREFIX = "url:"

DEFAULT_LABELS = {
    "button_cost": "{label} · {cost} {symbol}",
    "button_locked": "🔒 {label} · {reason}",
}
"""The label wording when the content has no bot.yaml (as the shipped bot.yaml words it)."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send: HTML text (or a caption), optional media and buttons."""

    text: str
    media: MediaPart | None = None
    pause: float = 0.0
    keyboard: Keyboard | None = None

    @property
    def plain_edit(self) -> bool:
        """Can replace an existing text message in place (no media, no pause)."""
        return self.media is None and self.pause == 0.0


def bot_plain(engine: Engine, state: PlayerState, key: str, **values: object) -> str:
    """A bot.yaml text for plain-text places (labels, pop-ups); LookupError without bot.yaml."""
    bot = engine.story.bot
    if bot is None:
        raise LookupError("the content has no bot.yaml")
    return engine.render_plain(state, bot.texts[key], values)


def _label_text(engine: Engine, state: PlayerState, key: str, **values: object) -> str:
    if engine.story.bot is None:
        return DEFAULT_LABELS[key].format(**values)
    return bot_plain(engine, state, key, **values)


def button_label(engine: Engine, state: PlayerState, button: Button) -> str:
    """A button's text as Telegram shows it. The cost is added unless the writer already put
    the currency symbol in the label (`Invitarla a una copa (15 💋)`), so it is never shown
    twice; a locked button says why (`🔒 Seguirla al Diván · El Diván`)."""
    symbol = engine.story.economy.currency_symbol
    priced = symbol in button.label
    if button.available:
        if button.cost and not priced:
            return _label_text(
                engine, state, "button_cost", label=button.label, cost=button.cost, symbol=symbol
            )
        return button.label
    reason = button.reason
    if reason is None and button.lock == "cost":
        if priced:
            return f"🔒 {button.label}"[:MAX_LABEL]
        reason = f"{button.cost} {symbol}"
    text = _label_text(engine, state, "button_locked", label=button.label, reason=reason or "")
    return text[:MAX_LABEL]


def lock_notice(engine: Engine, state: PlayerState, button: Button | None) -> str:
    """The pop-up for a tap on a locked button (`None`: it is no longer on the screen).
    LookupError without a bot.yaml."""
    if button is None:
        return bot_plain(engine, state, "stale_button")
    if button.lock == "vip":
        return bot_plain(engine, state, "locked_vip", reason=button.reason or "VIP")
    if button.lock == "cost":
        missing = max(button.cost - state.points, 0)
        return bot_plain(engine, state, "locked_cost", cost=button.cost, missing=missing)
    return bot_plain(engine, state, "locked_condition", reason=button.reason or "")


def speaker_name(engine: Engine, state: PlayerState, part: MessagePart) -> str | None:
    """Who says `part`, as the heading of its message (HTML), or None."""
    if part.speaker_name:
        return part.speaker_name
    if part.speaker is None:
        return None
    name = engine.story.characters.get(part.speaker)
    return engine.render(state, name) if name is not None else None


def part_messages(part: MessagePart, speaker: str | None) -> list[Outgoing]:
    """The Telegram messages for one runtime message part: endings, achievements and levels
    framed; the speaker's name in bold above the text; media with the text as its caption when
    it fits and the content gives none, else the media (with its own caption) and the text as
    a second message."""
    wait = min(part.pause, MAX_PAUSE)
    if part.kind == "ending":
        return [Outgoing(f"★ <b>{part.text}</b> ★")]
    if part.kind == "achievement":
        return [Outgoing(f"🏆 {part.text}")]
    if part.kind == "level":
        return [Outgoing(f"⬆️ {part.text}")]
    body = part.text
    if speaker:
        body = f"<b>{speaker}</b>\n{body}"
    if part.media is None:
        return [Outgoing(body[:MAX_TEXT], pause=wait)]
    media = part.media
    caption = media.caption
    if caption is None and len(body) <= MAX_CAPTION:
        return [Outgoing(body, media, wait)]
    return [Outgoing(caption or "", media, wait), Outgoing(body[:MAX_TEXT])]


def messages(
    engine: Engine,
    state: PlayerState,
    parts: Iterable[MessagePart],
    ended: bool,
    story_over: str | None = None,
) -> list[Outgoing]:
    """Every message for one screen, in order, without buttons: each part's messages, then
    `story_over` (the bot's closing hint, HTML) after an ending."""
    out: list[Outgoing] = []
    for part in parts:
        out.extend(part_messages(part, speaker_name(engine, state, part)))
    if ended and story_over is not None:
        out.append(Outgoing(story_over))
    return out


def story_over(engine: Engine, state: PlayerState) -> str | None:
    """bot.yaml's closing hint after an ending (HTML), or None without a bot.yaml."""
    bot = engine.story.bot
    return engine.render(state, bot.texts["story_over"]) if bot is not None else None
