"""Turn compiled texts into what a player reads: their language, their substitutions.

Substitution values are looked up only for the placeholders a text has, so the common cases
(plain text, or just `{name}`) cost next to nothing. `{level}`, `{currency}` and `{state}` read
as names in the player's language; variables, emotions and archetypes as their values.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping

from engine.content.compiled import Fragment, Text
from engine.content.expressions import plural_form, render_substitutions
from engine.runtime.choices import Status, assess_all
from engine.runtime.evaluation import Context
from engine.runtime.output import Button, Lock, MediaPart, MessagePart
from engine.runtime.plan import Option, Plan
from engine.runtime.state import Draft

_MISSING = object()


class Html(str):
    """A substitution value that is already Telegram HTML (a content text): inserted as is.

    Texts are Telegram HTML, so every other value (a player's name, a variable) is escaped
    where it is substituted: a name like `<b>Ana & co</b>` reads literally and breaks nothing.
    """

    __slots__ = ()


def _html(value: object) -> str:
    if isinstance(value, Html):
        return value
    return html.escape(str(value), quote=False)


class _Escaped(Mapping[str, object]):
    """The values of a `_Values`, escaped for HTML (for the general substitution path)."""

    __slots__ = ("inner",)

    def __init__(self, values: _Values) -> None:
        self.inner = values

    def __getitem__(self, key: str) -> object:
        return _html(self.inner[key])

    def __contains__(self, key: object) -> bool:
        return key in self.inner

    def __iter__(self) -> Iterator[str]:
        return iter(self.inner)

    def __len__(self) -> int:
        return len(self.inner)


_BUILTIN = frozenset({"name", "points", "lifetime_points", "streak", "level", "currency", "state"})


class _Values(Mapping[str, object]):
    """Substitution values computed on demand: most texts need only `{name}` or nothing."""

    __slots__ = ("extra", "r")

    def __init__(self, renderer: Renderer, extra: Mapping[str, object] | None) -> None:
        self.r = renderer
        self.extra = extra

    def __getitem__(self, key: str) -> object:
        value = self.lookup(key)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.lookup(key) is not _MISSING

    def lookup(self, key: str) -> object:
        if self.extra and key in self.extra:
            return self.extra[key]
        d = self.r.d
        for source in (d.emotions, d.variables, d.archetypes):
            if key in source:
                return source[key]
        return self.r.builtin(key) if key in _BUILTIN else _MISSING

    def __iter__(self) -> Iterator[str]:
        d = self.r.d
        return iter({*_BUILTIN, *d.emotions, *d.variables, *d.archetypes, *(self.extra or ())})

    def __len__(self) -> int:
        return sum(1 for _ in self)


class Renderer:
    __slots__ = ("d", "default", "language", "plan", "story")

    def __init__(self, plan: Plan, d: Draft) -> None:
        self.plan = plan
        self.story = plan.story
        self.d = d
        self.language = d.language
        self.default = plan.story.default_language

    def text(
        self, text: Text, extra: Mapping[str, object] | None = None, *, plain: bool = False
    ) -> str:
        """`text` in the player's language with its substitutions; values are HTML-escaped
        unless `plain` (button labels and pop-ups are plain text in Telegram)."""
        values = text.values
        raw = values.get(self.language)
        if raw is None:
            raw = values.get(self.default, "")
        if "{" not in raw and "}" not in raw:
            return raw
        template = self.plan.template(raw)
        lookup = _Values(self, extra)
        if template is None:
            return render_substitutions(raw, lookup if plain else _Escaped(lookup))
        out: list[str] = []
        for literal, name, forms in template:
            out.append(literal)
            if name is not None:
                value = lookup.lookup(name)
                if value is _MISSING:
                    out.append("{" + name + "}")
                elif forms is not None:  # content text: already Telegram HTML
                    out.append(plural_form(value, forms, str(value) if plain else _html(value)))
                else:
                    out.append(str(value) if plain else _html(value))
        return "".join(out)

    def builtin(self, name: str) -> object:
        story, d = self.story, self.d
        if name == "name":
            return d.name
        if name == "points":
            return d.points
        if name == "lifetime_points":
            return d.lifetime_points
        if name == "streak":
            return d.streak
        if name == "level":
            return Html(self.text(story.economy.level_for(d.lifetime_points).name))
        if name == "currency":
            return Html(self.text(story.economy.currency_name))
        state = next((st.name for st in story.emotions.states if st.id == d.mood), None)
        return Html(self.text(state)) if state is not None else d.mood

    def fragment(self, fragment: Fragment) -> tuple[MessagePart, ...]:
        """The fragment's message (and its ending's title when it is one).

        Texts without placeholders render the same for everyone speaking the language, so
        those parts are kept in the plan and shared (they are immutable).
        """
        key = (fragment.id, self.language)
        cached = self.plan.parts.get(key)
        if cached is not None:
            return cached
        speaker_name = None
        if fragment.speaker is not None:
            name = self.story.characters.get(fragment.speaker)
            speaker_name = self.text(name) if name is not None else fragment.speaker
        media = None
        if fragment.media is not None:
            m = fragment.media
            caption = m.caption
            media = MediaPart(
                m.kind,
                m.file,
                self.text(caption) if caption is not None else None,
                caption.id if caption is not None else None,
            )
        parts = [
            MessagePart(
                "fragment",
                self.text(fragment.text),
                fragment.text.id,
                fragment.speaker,
                speaker_name,
                media,
                fragment.pause,
            )
        ]
        if fragment.ending is not None:
            title = fragment.ending.title
            parts.append(MessagePart("ending", self.text(title), title.id))
        out = tuple(parts)
        if (
            self._static(fragment.text)
            and (
                fragment.media is None
                or fragment.media.caption is None
                or self._static(fragment.media.caption)
            )
            and (fragment.ending is None or self._static(fragment.ending.title))
        ):
            self.plan.parts[key] = out
        return out

    def buttons(self, fragment_id: str, ctx: Context, rank: int) -> tuple[Button, ...]:
        out: list[Button] = []
        language = self.language
        for option, status, shown in assess_all(ctx, rank, self.plan.options[fragment_id]):
            if not shown:
                continue
            key = (status, language)
            button = option.buttons.get(key)
            if button is None:
                button = self._button(option, status)
                choice = option.choice
                if self._static(choice.label) and (
                    choice.locked_reason is None or self._static(choice.locked_reason)
                ):
                    option.buttons[key] = button
            out.append(button)
        return tuple(out)

    def _button(self, option: Option, status: Status) -> Button:
        choice = option.choice
        label = choice.label
        if status is Status.AVAILABLE:
            return Button(
                self.text(label, plain=True),
                label.id,
                option.ref,
                True,
                None,
                None,
                None,
                choice.cost,
            )
        reason = choice.locked_reason
        if reason is None and status is Status.VIP:
            tiers = self.story.vip.tiers
            reason = tiers[option.need - 1].name if 0 < option.need <= len(tiers) else None
        return Button(
            self.text(label, plain=True),
            label.id,
            option.ref,
            False,
            _LOCKS[status],
            self.text(reason, plain=True) if reason is not None else None,
            reason.id if reason is not None else None,
            choice.cost,
        )

    def _static(self, text: Text) -> bool:
        """True when `text` reads the same for every player of this language."""
        raw = text.values.get(self.language)
        if raw is None:
            raw = text.values.get(self.default, "")
        return "{" not in raw and "}" not in raw


_LOCKS: dict[Status, Lock] = {
    Status.VIP: "vip",
    Status.COST: "cost",
    Status.CONDITION: "condition",
}
