"""What the runtime derives from a story once per `Engine`, so a step does not redo it.

For every fragment: its choices with their button reference and the VIP rank each needs (its
own gate, or a gated target without an upsell). Memoised on first use, because they are pure
functions of the story's texts and so safe to share across players: parsed templates of texts
with placeholders, and rendered fragment parts and buttons of texts without any.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.content.compiled import Choice, Story
from engine.content.expressions import parse_placeholders
from engine.runtime.output import Button, MessagePart

Template = tuple[tuple[str, str | None, tuple[str, str] | None], ...]
"""(literal text, placeholder name or None, plural forms or None), in order."""


def choice_ref(fragment_id: str, choice_id: str) -> str:
    """The opaque reference a button carries: `<fragment>.<choice>` (at most 65 bytes)."""
    return f"{fragment_id}.{choice_id}"


def required_rank(story: Story, choice: Choice) -> int:
    """The VIP rank a choice needs: its own gate, or its target's when no upsell catches it."""
    need = choice.vip_rank
    target = story.fragments.get(choice.target)
    if target is not None and target.vip_rank > need:
        upsell = target.upsell
        if upsell is None or upsell not in story.fragments:
            need = target.vip_rank
    return need


@dataclass(frozen=True, slots=True)
class Option:
    choice: Choice
    ref: str
    need: int
    """The VIP rank needed to take it."""
    buttons: dict[tuple[object, str], Button] = field(default_factory=dict, compare=False)
    """Its rendered button by (status, language) when the label has no placeholders: kept
    beside the option, which every step touches anyway, rather than in one big dict."""


class Plan:
    __slots__ = ("_templates", "by_ref", "gated", "options", "parts", "story")

    def __init__(self, story: Story) -> None:
        self.story = story
        self.options: dict[str, tuple[Option, ...]] = {
            fid: tuple(Option(c, choice_ref(fid, c.id), required_rank(story, c)) for c in f.choices)
            for fid, f in story.fragments.items()
        }
        self.by_ref: dict[str, tuple[str, Option]] = {
            option.ref: (fid, option) for fid, options in self.options.items() for option in options
        }
        """Every button reference, to its fragment and choice: a press needs no parsing."""
        self.gated = frozenset(fid for fid, f in story.fragments.items() if f.vip_rank)
        """Fragments that need VIP: a player standing on one may have lost it since."""
        self._templates: dict[str, Template | None] = {}
        self.parts: dict[tuple[str, str], tuple[MessagePart, ...]] = {}
        """Rendered fragment parts without placeholders, by (fragment, language)."""

    def template(self, raw: str) -> Template | None:
        """`raw` split at its placeholders; None when it has escaped braces (`{{`, `}}`) or
        is malformed, so the caller falls back to `render_substitutions`."""
        try:
            return self._templates[raw]
        except KeyError:
            pass
        parsed: Template | None = None
        found = None if "{{" in raw or "}}" in raw else parse_placeholders(raw)
        if isinstance(found, list):
            pieces: list[tuple[str, str | None, tuple[str, str] | None]] = []
            pos = 0
            for placeholder in found:
                pieces.append((raw[pos : placeholder.start], placeholder.name, placeholder.forms))
                pos = placeholder.end
            pieces.append((raw[pos:], None, None))
            parsed = tuple(pieces)
        self._templates[raw] = parsed
        return parsed
