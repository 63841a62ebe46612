"""Turn the runtime's presentation-neutral `Output` into Telegram messages (HTML + buttons).

Pure: no network. The story texts are already Telegram HTML with every substituted value
escaped by the runtime; what is added here (speaker names, bot notices) comes from content
and goes through the same renderer. Button labels are plain text, as Telegram shows them.
How labels are worded and parts split into messages lives in `engine.telegram.formatting`
(no aiogram), which `diana preview` uses too; `Outgoing`, `Keyboard` and `URL_PREFIX` are
defined there and re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from engine.content.compiled import Story, Text
from engine.runtime import Button, Engine, Html, Output, PlayerState
from engine.runtime.plan import choice_ref
from engine.telegram import formatting
from engine.telegram.bot.callbacks import CallbackCodec, ChoiceButton
from engine.telegram.formatting import URL_PREFIX, Keyboard, Outgoing

__all__ = ["URL_PREFIX", "Keyboard", "Outgoing", "Presenter", "language_names", "ref_of"]


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
        over = self.text(state, "story_over") if output.ended else None
        out = formatting.messages(self.engine, state, output.parts, output.ended, over)
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
        """A button's text (`formatting.button_label`: the cost added unless the label has the
        currency symbol; a locked button with why), exactly as `diana preview` shows it."""
        return formatting.button_label(self.engine, state, button)

    def lock_notice(self, state: PlayerState, button: Button | None) -> str:
        """The pop-up for a tap on a locked button (`formatting.lock_notice`)."""
        return formatting.lock_notice(self.engine, state, button)

    def button_at(self, state: PlayerState, output: Output, ref: str) -> Button | None:
        return next((b for b in output.buttons if b.ref == ref), None)


def ref_of(presenter: Presenter, payload: ChoiceButton) -> str | None:
    return presenter.by_index.get((payload.fragment, payload.choice))


def language_names(story: Story) -> Mapping[str, str]:
    bot = story.bot
    names = dict(bot.languages) if bot is not None else {}
    return {lang: names.get(lang, lang) for lang in story.languages}
