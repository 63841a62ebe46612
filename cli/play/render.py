"""What a Telegram user would see, as terminal text: Telegram HTML turned into rich `Text`,
the bot's messages (worded and split by `engine.telegram.formatting`, as the bot does),
numbered buttons labelled as the bot labels them, and a status block.

Every function takes `plain`: without a terminal the same text is produced with markers where
styling would be lost (`||spoiler||`, `text <url>`) and without any ANSI codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from rich.style import Style
from rich.table import Table
from rich.text import Text

from engine.content.compiled import Story
from engine.runtime import Button, Engine, Event, PlayerState
from engine.runtime.events import (
    AchievementUnlocked,
    ClueFound,
    EmotionChanged,
    PointsAwarded,
    PointsCharged,
    StoryEnded,
    VipGateBlocked,
)
from engine.telegram.formatting import Outgoing, button_label

_STYLES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strike",
    "strike": "strike",
    "del": "strike",
    "code": "bold cyan",
    "pre": "cyan",
    "tg-spoiler": "reverse dim",
    "blockquote": "italic",
}
_QUOTE = "▎ "
_TYPING = {"es": "{name} está escribiendo…", "en": "{name} is typing…"}


class _Telegram(HTMLParser):
    """Telegram's HTML subset; unknown tags keep their text and lose their markup."""

    def __init__(self, plain: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.plain = plain
        self.out = Text()
        self.open: list[tuple[str, int, str | None]] = []
        self.quotes = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "span" and "tg-spoiler" in (found.get("class") or ""):
            tag = "tg-spoiler"
        if tag == "br":
            self.handle_data("\n")
            return
        if tag == "blockquote":
            if self.out.plain and not self.out.plain.endswith("\n"):
                self.out.append("\n")
            self.quotes += 1
            self.out.append(_QUOTE, style="dim")
        if tag == "tg-spoiler" and self.plain:
            self.out.append("||")
        self.open.append((tag, len(self.out), found.get("href")))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.open) - 1, -1, -1):
            name = self.open[i][0]
            if name == tag or (tag == "span" and name == "tg-spoiler"):
                for _ in range(len(self.open) - i):
                    self._close(*self.open.pop())
                return

    def handle_data(self, data: str) -> None:
        if self.quotes:
            data = data.replace("\n", "\n" + _QUOTE)
        self.out.append(data)

    def _close(self, tag: str, start: int, href: str | None) -> None:
        end = len(self.out)
        if tag == "blockquote":
            self.quotes -= 1
            self.out.stylize("italic", start, end)
            if not self.out.plain.endswith("\n"):
                self.out.append("\n")
            return
        if tag == "a" and href:
            if self.plain:
                if self.out.plain[start:end] != href:
                    self.out.append(f" <{href}>")
            else:
                self.out.stylize(Style(link=href, underline=True, color="blue"), start, end)
            return
        if tag == "tg-spoiler" and self.plain:
            self.out.append("||")
            return
        style = _STYLES.get(tag)
        if style and not self.plain:
            self.out.stylize(style, start, end)

    def finish(self) -> Text:
        self.close()
        while self.open:
            self._close(*self.open.pop())
        return self.out


def telegram(html: str, *, plain: bool = False) -> Text:
    """Telegram HTML (`<b>`, `<i>`, `<u>`, `<s>`, `<tg-spoiler>`, `<a href>`, `<code>`,
    `<pre>`, `<blockquote>`) as styled text."""
    parser = _Telegram(plain)
    parser.feed(html)
    return parser.finish()


def typing_line(story: Story, language: str) -> str:
    """The chat action Telegram shows during a pause: the bot is Diana's character."""
    name_text = story.characters.get(story.emotions.character)
    name = name_text.get(language, story.default_language) if name_text else story.id
    return _TYPING.get(language, _TYPING["en"]).format(name=name)


def outgoing(message: Outgoing, *, plain: bool) -> Text:
    """One Telegram message as the bot sends it (`engine.telegram.formatting`): its media,
    then its text or caption (Telegram HTML: the speaker's name in bold, endings framed)."""
    out = Text()
    if message.media is not None:
        m = message.media
        out.append(f"[{m.kind}: {m.file}]", style="green")
        if message.text:
            out.append("\n")
    out.append_text(telegram(message.text, plain=plain))
    return out


def lock_reason(button: Button, story: Story) -> str:
    """Why a button is locked, for golden transcripts' `locked:` checks: `VIP, El Diván`,
    `15 💋`, `Cerrada con llave` (the bot's own wording is `formatting.button_label`)."""
    why = [button.reason] if button.reason else []
    if button.lock == "vip":
        why.insert(0, "VIP")
    if button.cost and button.lock != "condition":
        why.append(f"{button.cost} {story.economy.currency_symbol}")
    if not why:
        why.append("condition not met")
    return ", ".join(dict.fromkeys(why))


def button_line(number: int, label: str, *, available: bool = True) -> Text:
    """`2. Copa · 15 💋`: a button's text exactly as Telegram shows it, numbered; a locked
    one (`🔒 Diván · El Diván`) dimmed."""
    out = Text.assemble((f"{number:>2}. ", "bold"))
    out.append(label, style="" if available else "dim")
    return out


def buttons(items: Sequence[Button], engine: Engine, state: PlayerState) -> Text:
    """The buttons under a screen, worded by the same function the bot uses."""
    lines = (
        button_line(i, button_label(engine, state, b), available=b.available)
        for i, b in enumerate(items, start=1)
    )
    return Text("\n").join(lines)


def status_rows(story: Story, state: PlayerState, now: datetime) -> list[tuple[str, str]]:
    """The side panel: points, streak, level, VIP, Diana's state and emotions, where."""
    lang, default = state.language, story.default_language
    eco = story.economy
    level = eco.level_for(state.lifetime_points).name.get(lang, default)
    mood = next((s for s in story.emotions.states if s.id == state.mood), None)
    mood_name = f"{mood.name.get(lang, default)} ({mood.id})" if mood else state.mood
    if not state.vip_active(now):
        vip = "no"
    else:
        tier = next((t for t in story.vip.tiers if t.id == state.vip_tier), None)
        tier_name = tier.name.get(lang, default) if tier else str(state.vip_tier)
        until = state.vip_until.date().isoformat() if state.vip_until else "no expiry"
        vip = f"{tier_name} ({until})"
    local = now.astimezone(ZoneInfo(state.timezone))
    rows = [
        (eco.currency_name.get(lang, default), f"{state.points} {eco.currency_symbol}"),
        ("streak", str(state.streak)),
        ("level", level),
        ("VIP", vip),
        (story.emotions.character, mood_name),
        *((name, str(value)) for name, value in state.emotions.items()),
    ]
    if state.clues:
        names = [story.clues[c].get(lang, default) if c in story.clues else c for c in state.clues]
        rows.append(("clues", ", ".join(sorted(names))))
    fragment = story.fragments.get(state.fragment or "")
    if fragment is not None:
        rows.append(("at", fragment.id))
        rows.append(("source", f"{fragment.pos.path}:{fragment.pos.line}"))
    rows.append(("date", f"{local:%Y-%m-%d %H:%M} {state.timezone}"))
    rows.append(("language", lang))
    return rows


def status(story: Story, state: PlayerState, now: datetime) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for key, value in status_rows(story, state, now):
        grid.add_row(key, value)
    return grid


def event_notes(events: Sequence[Event]) -> Text | None:
    """A dim line of what happened behind the scenes: points, clues, emotions, paywalls."""
    notes: list[str] = []
    for e in events:
        if isinstance(e, PointsAwarded):
            notes.append(f"+{e.amount} ({e.reason})")
        elif isinstance(e, PointsCharged):
            notes.append(f"-{e.amount} ({e.reason})")
        elif isinstance(e, EmotionChanged):
            notes.append(f"{e.dimension} {e.before}→{e.after}")
        elif isinstance(e, ClueFound):
            notes.append(f"clue {e.clue}")
        elif isinstance(e, AchievementUnlocked):
            notes.append(f"achievement {e.achievement}")
        elif isinstance(e, VipGateBlocked):
            notes.append(f"VIP gate at {e.fragment}" + (f" → {e.upsell}" if e.upsell else ""))
        elif isinstance(e, StoryEnded):
            notes.append(f"ending {e.fragment} ({e.ending})")
    return Text("· " + " · ".join(notes), style="dim") if notes else None


def status_line(story: Story, state: PlayerState, now: datetime) -> Text:
    """The status block on one line, for transcripts."""
    rows = dict(status_rows(story, state, now))
    for key in ("date", "language"):
        rows.pop(key, None)
    return Text("[" + " · ".join(f"{k}: {v}" for k, v in rows.items()) + "]", style="dim")
