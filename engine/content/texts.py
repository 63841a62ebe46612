"""Player-visible texts: stable ids, languages, substitutions and translation files.

Every `LocalText` in the content becomes a `Text` with a stable id (`salon.text`,
`salon.c.vino.label`, ...). Texts are collected first and frozen last, so translation files can
fill in languages wherever they sit in the tree; then missing translations are reported once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from engine.content.compiled import Text
from engine.content.diagnostics import DiagnosticBag, Position
from engine.content.expressions import ExprError, parse_substitutions
from engine.content.schema_stage import suggest

BASE_PLACEHOLDERS = frozenset(
    {"name", "points", "lifetime_points", "streak", "level", "currency", "state"}
)
"""Substitutions every text may use; variables, emotions and archetypes are added per story."""

RESPONSE_PLACEHOLDERS = frozenset({"cost", "missing", "amount", "days"})
"""Extra substitutions in Diana's responses, filled from the event being answered."""


@dataclass(slots=True)
class _Draft:
    text: Text
    values: dict[str, str]
    pos: Position
    placeholders: frozenset[str]


@dataclass(slots=True)
class TextTable:
    default_language: str
    languages: tuple[str, ...]
    bag: DiagnosticBag
    known_placeholders: frozenset[str] = BASE_PLACEHOLDERS
    drafts: dict[str, _Draft] = field(default_factory=dict)
    positions: dict[str, Position] = field(default_factory=dict)

    def add(
        self,
        string_id: str,
        value: str | Mapping[str, str],
        pos: Position,
        *,
        extra_placeholders: frozenset[str] = frozenset(),
        neutral: bool = False,
    ) -> Text:
        """Register a text under `string_id`.

        The returned `Text` is final except for its languages: translation files may still
        add to it until `freeze()`, which seals its values.
        """
        if isinstance(value, str):
            # A plain string is default-language text; names (neutral) read the same in all.
            langs = self.languages if neutral else (self.default_language,)
            values = dict.fromkeys(langs, value)
        else:
            values = dict(value)
        for lang in values:
            if lang not in self.languages:
                self.bag.add("D802", pos, language=lang)
        text = Text(string_id, values)
        self.drafts[string_id] = _Draft(
            text, values, pos, self.known_placeholders | extra_placeholders
        )
        self.positions[string_id] = pos
        return text

    def apply_translations(
        self, language: str, strings: Mapping[str, str], positions: Iterable[Position]
    ) -> None:
        """Fill `language` from a translations file; unknown ids are reported."""
        if language not in self.languages:
            self.bag.add("D802", next(iter(positions), Position("?")), language=language)
            return
        for (string_id, text), pos in zip(strings.items(), positions, strict=False):
            draft = self.drafts.get(string_id)
            if draft is None:
                self.bag.add("D804", pos, string_id=string_id)
            else:
                draft.values[language] = text

    def freeze(self) -> None:
        """Check placeholders and translations, then seal every text's values."""
        for draft in self.drafts.values():
            for lang, text in draft.values.items():
                self._check_placeholders(draft, lang, text)
            for lang in self.languages:
                if lang not in draft.values:
                    self.bag.add("D801", draft.pos, language=lang, string_id=draft.text.id)
            # The one place a compiled object is changed after construction: sealing it.
            object.__setattr__(draft.text, "values", MappingProxyType(draft.values))

    def _check_placeholders(self, draft: _Draft, lang: str, text: str) -> None:
        if "{" not in text and "}" not in text:
            return
        found = parse_substitutions(text)
        if isinstance(found, ExprError):
            self.bag.add("D401", draft.pos, detail=f"{found.detail} ({lang})")
            return
        for name, _offset in found:
            if name not in draft.placeholders:
                self.bag.add(
                    "D803",
                    draft.pos,
                    name=name,
                    suggestion=suggest(name, sorted(draft.placeholders)),
                )
