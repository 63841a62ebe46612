"""Telegram's limits: message and caption length, button labels and count, callback data, HTML.

Texts are sent in Telegram's HTML mode, so each one is checked, per language, by a small
tokenizer that follows Telegram's rules (not a browser's: an unknown tag, an unclosed one or a
bare '<' makes Telegram refuse the whole message). Lengths count what the player reads: tags
removed, entities decoded, and every `{placeholder}` at the longest value it can take.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from engine.content.compiled import Story, Text
from engine.content.expressions import render_substitutions
from engine.content.texts import RESPONSE_PLACEHOLDERS

if TYPE_CHECKING:
    from engine.content.checks import CheckContext

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
LABEL_LIMIT = 40
MAX_BUTTONS = 8
CALLBACK_LIMIT = 64
CALLBACK_FORMAT = "c:{step}:{fragment}:{choice}"
"""The bot's callback data: state step, fragment index and choice index, each in base 36."""
STEP_DIGITS = 8
NAME_LENGTH = 64
"""Telegram's longest first_name."""
NUMBER_LENGTH = 10
Kind = Literal["message", "caption", "label"]

_ALLOWED = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-spoiler",
        "span",
        "tg-emoji",
    }
)
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPECIAL = re.compile(r"[<&]")
_ENTITY = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|([A-Za-z][A-Za-z0-9]*));")
_VALUE = r"""(?:"[^"]*"|'[^']*'|[^\s"'<>=`]+)"""
_TAG = re.compile(
    rf"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s\"'<>/=]+(?:\s*=\s*{_VALUE})?)*)\s*(/?)>"
)
_ATTR = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>=`]+)))?""")


def parse_html(text: str) -> tuple[str, str | None]:
    """(what the player reads, the first problem Telegram would refuse, or None)."""
    if "<" not in text and "&" not in text:
        return text, None
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
    closing, name, attrs, self_closing = (
        tag.group(1),
        tag.group(2).lower(),
        tag.group(3),
        tag.group(4),
    )
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


def longest_values(story: Story, language: str) -> dict[str, str]:
    """Each placeholder's longest possible value in `language` (as filler of that length)."""
    lengths: dict[str, int] = dict.fromkeys(
        ("points", "lifetime_points", "streak", *RESPONSE_PLACEHOLDERS), NUMBER_LENGTH
    )
    lengths["name"] = NAME_LENGTH

    def longest(texts: Iterator[Text]) -> int:
        return max((len(t.get(language, story.default_language)) for t in texts), default=0)

    eco, emo = story.economy, story.emotions
    lengths["level"] = longest(level.name for level in eco.levels)
    lengths["currency"] = longest(iter([eco.currency_name]))
    lengths["state"] = max(
        longest(s.name for s in emo.states), max((len(s.id) for s in emo.states), default=0)
    )
    lengths.update(dict.fromkeys([*emo.dimensions, *story.archetypes], NUMBER_LENGTH))
    for name, start in story.variables.items():
        lengths[name] = (
            len(str(False))
            if isinstance(start, bool)
            else NUMBER_LENGTH
            if isinstance(start, int)
            else len(start)
        )
    for f in story.by_index:
        for effects in (f.on_enter, *(c.effects for c in f.choices)):
            for name, value in effects.sets if effects is not None else ():
                if isinstance(value, str) and name in lengths:
                    lengths[name] = max(lengths[name], len(value))
    return {name: "x" * n for name, n in lengths.items()}


def story_texts(story: Story) -> Iterator[tuple[Text, Kind]]:
    """The texts Telegram shows as messages, captions and button labels."""
    for f in story.by_index:
        yield f.text, "message"
        if f.media is not None and f.media.caption is not None:
            yield f.media.caption, "caption"
        for c in f.choices:
            yield c.label, "label"
        if f.ending is not None:
            yield f.ending.title, "message"
    for by_state in story.emotions.responses.values():
        for variants in by_state.values():
            for text in variants:
                yield text, "message"


def check(ctx: CheckContext) -> None:
    """D701-D706; runs even after errors (texts do not depend on the story's graph)."""
    story, bag, positions = ctx.story, ctx.bag, ctx.compiled.positions
    fills: dict[str, tuple[dict[str, str], int]] = {}
    for text, kind in story_texts(story):
        pos = positions.get(f"text:{text.id}")
        if pos is None:
            continue
        for lang, raw in text.values.items():
            if lang not in fills:
                fill = longest_values(story, lang)
                fills[lang] = fill, max(map(len, fill.values()), default=0)
            fill, widest = fills[lang]
            if kind == "label":
                visible = raw
            else:
                visible, problem = parse_html(raw)
                if problem is not None:
                    bag.add("D706", pos, language=lang, detail=problem)
            limit = (
                LABEL_LIMIT
                if kind == "label"
                else (CAPTION_LIMIT if kind == "caption" else TEXT_LIMIT)
            )
            if len(visible) + widest * visible.count("{") <= limit:
                continue  # cannot be too long even with every placeholder at its longest
            length = len(render_substitutions(visible, fill))
            if length > limit:
                code = {"label": "D703", "caption": "D702", "message": "D701"}[kind]
                bag.add(code, pos, length=length, language=lang, limit=limit)
    for f in story.by_index:
        if len(f.choices) > MAX_BUTTONS:
            bag.add("D704", f.pos, count=len(f.choices), limit=MAX_BUTTONS)
    _callbacks(ctx)


def base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def callback_data_length(fragment_index: int, choice_index: int) -> int:
    """Bytes of the longest callback data a button of this fragment and choice can carry."""
    data = CALLBACK_FORMAT.format(
        step="z" * STEP_DIGITS, fragment=base36(fragment_index), choice=base36(choice_index)
    )
    return len(data.encode())


def _callbacks(ctx: CheckContext) -> None:
    """D705. The data grows with the indices, so the largest pair bounds every button."""
    frags = ctx.story.by_index
    most = max((len(f.choices) for f in frags), default=0)
    if not frags or callback_data_length(len(frags) - 1, max(most - 1, 0)) <= CALLBACK_LIMIT:
        return
    for f in frags:
        for c in f.choices:
            length = callback_data_length(f.index, c.index)
            if length > CALLBACK_LIMIT:
                ctx.bag.add("D705", c.pos, length=length)
