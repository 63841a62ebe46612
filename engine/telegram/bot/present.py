"""Turn the runtime's presentation-neutral `Output` into Telegram messages (HTML + buttons).

Pure: no network. The story texts are already Telegram HTML with every substituted value
escaped by the runtime; what is added here (speaker names, bot notices) comes from content
and goes through the same renderer. Button labels are plain text, as Telegram shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from engine.content.compiled import Story, Text
from engine.runtime import Button, Engine, Html, MediaPart, MessagePart, Output, PlayerState
from engine.runtime.plan import choice_ref
from engine.telegram.bot.callbacks import CallbackCodec, ChoiceButton

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_PAUSE = 4.0
"""Longest typing pause shown, whatever the content says (seconds)."""

Keyboard = tuple[tuple[tuple[str, str], ...], ...]
"""Rows of (label, callback data); data starting with `URL_PREFIX` makes a link button."""
URL_PREFIX = "url:"


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


@dataclass(slots=True)
class Presenter:
    """Everything story-specific the bot shows, for one compiled story."""

    engine: Engine
    codec: CallbackCodec
    refs: dict[str, tuple[int, int]] = field(init=False)
    by_index: dict[tuple[int, int], str] = field(init=False)

    def __post_init__(self) -> None:
        story = self.engine.story
        self.refs = {}
        for fragment in story.by_index:
            for choice in fragment.choices:
                self.refs[choice_ref(fragment.id, choice.id)] = (fragment.index, choice.index)
        self.by_index = {v: k for k, v in self.refs.items()}

    @property
    def story(self) -> Story:
        return self.engine.story

    # -- texts -------------------------------------------------------------------------------

    def text(self, state: PlayerState, key: str, **values: object) -> str:
        """A bot.yaml text (HTML) for this player."""
        return self.engine.render(state, self._bot_text(key), values)

    def plain(self, state: PlayerState, key: str, **values: object) -> str:
        """A bot.yaml text for plain-text places (pop-ups, labels)."""
        return self.engine.render_plain(state, self._bot_text(key), values)

    def _bot_text(self, key: str) -> Text:
        bot = self.story.bot
        if bot is None:
            raise LookupError("the content has no bot.yaml")
        return bot.texts[key]

    def content_text(self, state: PlayerState, text: Text) -> str:
        return self.engine.render(state, text)

    def tier_name(self, state: PlayerState, tier: str | None) -> Html:
        """A VIP tier's name in the player's language (HTML, from content)."""
        found = next((t for t in self.story.vip.tiers if t.id == tier), None)
        return Html(self.content_text(state, found.name) if found else (tier or "VIP"))

    # -- the story ---------------------------------------------------------------------------

    def screen(self, state: PlayerState) -> int:
        """The version of the screen the player is on: visits of the current fragment."""
        return state.visits.get(state.fragment, 0) if state.fragment else 0

    def messages(self, state: PlayerState, output: Output) -> list[Outgoing]:
        """The messages for `output`, the buttons under the last one; a closing hint after an
        ending."""
        out: list[Outgoing] = []
        for part in output.parts:
            out.extend(self._part(state, part))
        if output.ended:
            out.append(Outgoing(self.text(state, "story_over")))
        keyboard = self.keyboard(state, output.buttons)
        if keyboard:
            if not out:
                return out
            last = out[-1]
            out[-1] = Outgoing(last.text, last.media, last.pause, keyboard)
        return out

    def keyboard(self, state: PlayerState, buttons: tuple[Button, ...]) -> Keyboard:
        screen = self.screen(state)
        rows: list[tuple[tuple[str, str], ...]] = []
        for button in buttons:
            indices = self.refs.get(button.ref)
            if indices is None:  # pragma: no cover - every ref comes from this story
                continue
            data = self.codec.encode(ChoiceButton(indices[0], indices[1], screen))
            rows.append(((self.label(state, button), data),))
        return tuple(rows)

    def label(self, state: PlayerState, button: Button) -> str:
        """A button's text; the cost is added unless the writer already put the currency
        symbol in the label (`Invitarla a una copa (15 💋)`), so it is never shown twice."""
        priced = self.story.economy.currency_symbol in button.label
        if button.available:
            if button.cost and not priced:
                return self.plain(
                    state,
                    "button_cost",
                    label=button.label,
                    cost=button.cost,
                    symbol=self.story.economy.currency_symbol,
                )
            return button.label
        reason = button.reason
        if reason is None and button.lock == "cost":
            if priced:
                return f"🔒 {button.label}"[:64]
            reason = f"{button.cost} {self.story.economy.currency_symbol}"
        return self.plain(state, "button_locked", label=button.label, reason=reason or "")[:64]

    def lock_notice(self, state: PlayerState, button: Button | None) -> str:
        """The pop-up for a tap on a locked button."""
        if button is None:
            return self.plain(state, "stale_button")
        if button.lock == "vip":
            return self.plain(state, "locked_vip", reason=button.reason or "VIP")
        if button.lock == "cost":
            missing = max(button.cost - state.points, 0)
            return self.plain(state, "locked_cost", cost=button.cost, missing=missing)
        return self.plain(state, "locked_condition", reason=button.reason or "")

    def _part(self, state: PlayerState, part: MessagePart) -> list[Outgoing]:
        pause = min(part.pause, MAX_PAUSE)
        if part.kind == "ending":
            return [Outgoing(f"★ <b>{part.text}</b> ★")]
        if part.kind == "achievement":
            return [Outgoing(f"🏆 {part.text}")]
        if part.kind == "level":
            return [Outgoing(f"⬆️ {part.text}")]
        body = part.text
        speaker = part.speaker_name or self._speaker(state, part.speaker)
        if speaker:
            body = f"<b>{speaker}</b>\n{body}"
        if part.media is None:
            return [Outgoing(body[:MAX_TEXT], pause=pause)]
        media = part.media
        caption = media.caption
        if caption is None and len(body) <= MAX_CAPTION:
            return [Outgoing(body, media, pause)]
        return [Outgoing(caption or "", media, pause), Outgoing(body[:MAX_TEXT])]

    def _speaker(self, state: PlayerState, speaker: str | None) -> str | None:
        if speaker is None:
            return None
        name = self.story.characters.get(speaker)
        return self.engine.render(state, name) if name is not None else None

    def button_at(self, state: PlayerState, output: Output, ref: str) -> Button | None:
        return next((b for b in output.buttons if b.ref == ref), None)


def ref_of(presenter: Presenter, payload: ChoiceButton) -> str | None:
    return presenter.by_index.get((payload.fragment, payload.choice))


def language_names(story: Story) -> Mapping[str, str]:
    bot = story.bot
    names = dict(bot.languages) if bot is not None else {}
    return {lang: names.get(lang, lang) for lang in story.languages}
