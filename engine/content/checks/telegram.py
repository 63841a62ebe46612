"""Telegram's limits: message and caption length, button labels and count, callback data, HTML.

Texts are sent in Telegram's HTML mode, so each one is checked, per language, by a small
tokenizer that follows Telegram's rules (not a browser's: an unknown tag, an unclosed one or a
bare '<' makes Telegram refuse the whole message). Lengths count what the player reads: tags
removed, entities decoded, and every `{placeholder}` at the longest value it can take.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from engine.content.compiled import Story, Text
from engine.content.expressions import render_substitutions
from engine.content.texts import RESPONSE_PLACEHOLDERS

if TYPE_CHECKING:
    from engine.content.checks import CheckContext
    from engine.content.checks.graph import Graph

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
LABEL_LIMIT = 40
MAX_BUTTONS = 8
NAME_LENGTH = 64
"""Telegram's longest first_name."""
NUMBER_LENGTH = 10
Kind = Literal["message", "caption", "label"]

_FORMATTING = ("b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler")
_PLAIN_TAGS = frozenset((*_FORMATTING, "code", "pre", "blockquote"))
"""Tags that need no attribute."""
_ALLOWED = _PLAIN_TAGS | {"a", "span", "tg-emoji"}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPECIAL = re.compile(r"[<&]")
_ENTITY = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|([A-Za-z][A-Za-z0-9]*));")
_VALUE = r"""(?:"[^"]*"|'[^']*'|[^\s"'<>=`]+)"""
_TAG = re.compile(
    rf"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s\"'<>/=]+(?:\s*=\s*{_VALUE})?)*)\s*(/?)>"
)
_SIMPLE_TAG = re.compile(r"<(/?)([a-z-]+)>")
_ATTR = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>=`]+)))?""")


def parse_html(text: str) -> tuple[str, str | None]:
    """(what the player reads, the first problem Telegram would refuse, or None)."""
    if "<" not in text and "&" not in text:
        return text, None
    if "&" not in text:  # the common case, simple tags only: one regex and a short loop
        tags = _SIMPLE_TAG.findall(text)
        if len(tags) == text.count("<") and _nested(tags):
            return _SIMPLE_TAG.sub("", text), None
    return _parse(text)


def _nested(tags: list[tuple[str, str]]) -> bool:
    stack: list[str] = []
    for closing, name in tags:
        if name not in _PLAIN_TAGS:
            return False
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


def _parse(text: str) -> tuple[str, str | None]:
    """The exact tokenizer: every '<' and '&' must start a valid tag or entity."""
    out: list[str] = []
    open_tags: list[str] = []
    problem: str | None = None
    i = 0
    for special in _SPECIAL.finditer(text):
        at = special.start()
        if at < i:
            continue  # inside a tag or entity already read
        out.append(text[i:at])
        if text[at] == "&":
            entity = _ENTITY.match(text, at)
            decoded = _decode(entity) if entity is not None else None
            if decoded is None:
                problem = problem or _bad_entity(entity.group() if entity else None)
                out.append("&")
                i = at + 1
            else:
                out.append(decoded)
                i = entity.end() if entity is not None else at + 1
            continue
        tag = _TAG.match(text, at)
        if tag is None:
            problem = problem or "a bare '<' that starts no tag (write &lt;)"
            out.append("<")
            i = at + 1
            continue
        i = tag.end()
        problem = problem or _tag_problem(tag, open_tags)
    out.append(text[i:])
    if problem is None and open_tags:
        problem = f"<{open_tags[-1]}> is never closed"
    return "".join(out), problem


def _decode(entity: re.Match[str]) -> str | None:
    decimal, hexadecimal, name = entity.groups()
    if name is not None:
        return _NAMED.get(name)
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
        return chr(code)
    return None


def _bad_entity(entity: str | None) -> str:
    if entity is None:
        return "a bare '&' (write &amp;)"
    return f"unsupported entity {entity} (Telegram knows &lt; &gt; &amp; &quot; and &#NN;)"


def _tag_problem(tag: re.Match[str], open_tags: list[str]) -> str | None:
    closing, name, attrs, self_closing = tag.groups()
    name = name.lower()
    if name not in _ALLOWED:
        return f"<{name}> is not a Telegram tag"
    if closing:
        if attrs.strip() or self_closing:
            return f"</{name}> cannot have attributes"
        if not open_tags:
            return f"</{name}> closes no open tag"
        if open_tags[-1] != name:
            return f"</{name}> found where </{open_tags[-1]}> was expected"
        open_tags.pop()
        return None
    if self_closing:
        return f"<{name}/> must be written <{name}>...</{name}>"
    values = {
        m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
        for m in _ATTR.finditer(attrs)
    }
    open_tags.append(name)
    if name == "a" and not values.get("href"):
        return "<a> needs an href"
    if name == "span" and values.get("class") != "tg-spoiler":
        return '<span> is only allowed as <span class="tg-spoiler">'
    if name == "tg-emoji" and not values.get("emoji-id"):
        return "<tg-emoji> needs an emoji-id"
    return None


def placeholder_lengths(story: Story, graph: Graph) -> dict[str, dict[str, int]]:
    """Per language, the longest value each placeholder can take."""
    common = dict.fromkeys(
        ("points", "lifetime_points", "streak", *RESPONSE_PLACEHOLDERS), NUMBER_LENGTH
    )
    common.update(dict.fromkeys([*story.emotions.dimensions, *story.archetypes], NUMBER_LENGTH))
    common["name"] = NAME_LENGTH
    for name, start in story.variables.items():  # True/False fit in a number's width
        common[name] = len(start) if isinstance(start, str) else NUMBER_LENGTH
    effects = [e for _, e in graph.on_enter] + [e for _, _, e in graph.choice_effects]
    for name, value in (pair for e in effects for pair in e.sets):
        if isinstance(value, str) and name in common:
            common[name] = max(common[name], len(value))
    eco, emo = story.economy, story.emotions
    out: dict[str, dict[str, int]] = {}
    for lang in story.languages:

        def longest(texts: Iterable[Text], lang: str = lang) -> int:
            return max((len(t.get(lang, story.default_language)) for t in texts), default=0)

        out[lang] = {
            **common,
            "level": longest(level.name for level in eco.levels),
            "currency": longest([eco.currency_name]),
            "state": max([longest(s.name for s in emo.states), *(len(s.id) for s in emo.states)]),
        }
    return out


def check(ctx: CheckContext) -> None:
    """D701-D706; runs even after errors (texts do not depend on the story's graph)."""
    story = ctx.story
    frags = (*story.by_index, *ctx.compiled.shadows)  # a duplicate's body is checked too
    lengths = placeholder_lengths(story, ctx.graph)
    widest = max((n for by_name in lengths.values() for n in by_name.values()), default=0)
    messages = [f.text for f in frags] + [f.ending.title for f in frags if f.ending is not None]
    messages += [
        text for by in story.emotions.responses.values() for v in by.values() for text in v
    ]
    captions = [f.media.caption for f in frags if f.media is not None and f.media.caption]
    fills: dict[str, dict[str, str]] = {}
    groups: list[tuple[Kind, list[Text]]] = [
        ("message", messages),
        ("caption", captions),
        ("label", [c.label for c in ctx.graph.choices]),
        ("label", [c.label for f in ctx.compiled.shadows for c in f.choices]),
    ]
    for kind, texts in groups:
        for text in _suspects(texts, widest, kind):
            _check_text(ctx, text, kind, lengths, fills)
    for f in frags:
        if len(f.choices) > MAX_BUTTONS:
            ctx.bag.add("D704", f.pos, count=len(f.choices), limit=MAX_BUTTONS)


def _suspects(texts: list[Text], widest: int, kind: Kind) -> list[Text]:
    """The texts that may break a rule: with markup, or long enough that placeholders at
    their widest could take them over the limit. Almost every text passes; one pass over the
    values (touching each string once) sorts them out, and only suspects get the full check.
    """
    limit = _LIMITS[kind]
    if kind == "label":
        found = [
            t
            for t in texts
            for raw in t.values.values()
            if len(raw) > limit or ("{" in raw and len(raw) + widest * raw.count("{") > limit)
        ]
    else:
        found = [
            t
            for t in texts
            for raw in t.values.values()
            if "<" in raw or "&" in raw or len(raw) + widest * raw.count("{") > limit
        ]
    return list({id(t): t for t in found}.values())  # suspect in two languages: check once


def _check_text(
    ctx: CheckContext,
    text: Text,
    kind: Kind,
    lengths: dict[str, dict[str, int]],
    fills: dict[str, dict[str, str]],
) -> None:
    pos = ctx.compiled.positions.get(f"text:{text.id}")
    if pos is None:
        return
    for lang, raw in text.values.items():
        if lang not in fills:
            by_name = lengths.get(lang) or lengths.get(ctx.story.default_language, {})
            fills[lang] = {name: "x" * n for name, n in by_name.items()}
        visible = raw
        if kind != "label":  # labels are plain text in Telegram
            visible, problem = parse_html(raw)
            if problem is not None:
                ctx.bag.add("D706", pos, language=lang, detail=problem)
        limit = _LIMITS[kind]
        length = len(render_substitutions(visible, fills[lang]) if "{" in visible else visible)
        if length > limit:
            ctx.bag.add(_CODES[kind], pos, length=length, language=lang, limit=limit)


_LIMITS: dict[Kind, int] = {"message": TEXT_LIMIT, "caption": CAPTION_LIMIT, "label": LABEL_LIMIT}
_CODES: dict[Kind, str] = {"message": "D701", "caption": "D702", "label": "D703"}
