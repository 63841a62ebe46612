"""Telegram's limits that the spec states only in prose, checked on decoded parameters.

Text is measured after entity parsing, as Telegram does: HTML tags and entities and
MarkdownV2 escapes do not count towards the 4096 characters.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_MAX_BYTES = 64
CALLBACK_ANSWER_LIMIT = 200

# (method, field) -> (min, max, unit): prose limits of the spec, checked as problems.
_SIZES: dict[tuple[str, str], tuple[int, int, str]] = {
    **{
        (method, name): size
        for method in ("createInvoiceLink", "sendInvoice")
        for name, size in {
            "title": (1, 32, "characters"),
            "description": (1, 255, "characters"),
            "payload": (1, 128, "bytes"),
        }.items()
    },
    ("createChatInviteLink", "name"): (0, 32, "characters"),
    ("createChatInviteLink", "member_limit"): (1, 99_999, "members"),
}

_TAG_RE = re.compile(r"<[^>]*>")
_MARKDOWN_V2_MARKS = frozenset("*_~|`")
_CAPTIONED = frozenset(
    {
        "sendPhoto",
        "sendVideo",
        "sendVoice",
        "sendAnimation",
        "sendAudio",
        "sendDocument",
        "editMessageCaption",
        "copyMessage",
    }
)


def rendered_text(text: str, parse_mode: object) -> str:
    """The text a user sees once Telegram has parsed `parse_mode` markup out of it."""
    mode = parse_mode.lower() if isinstance(parse_mode, str) else ""
    if mode == "html":
        return html.unescape(_TAG_RE.sub("", text))
    if mode == "markdownv2":
        return _strip_markdown_v2(text)
    if mode == "markdown":
        return re.sub(r"[*_`\[]", "", text)
    return text


def _strip_markdown_v2(text: str) -> str:
    # Approximation: drop unescaped formatting marks and keep escaped characters literally.
    out: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            out.append(next(chars, ""))
        elif char not in _MARKDOWN_V2_MARKS:
            out.append(char)
    return "".join(out)


def limit_problems(method: str, params: Mapping[str, object]) -> list[str]:
    """Problems worded as Telegram words them, prefixed with where they are."""
    problems: list[str] = []
    text = params.get("text")
    if method in ("sendMessage", "editMessageText") and isinstance(text, str):
        size = len(rendered_text(text, params.get("parse_mode")))
        if size == 0:
            problems.append(f"{method}.text: message text is empty")
        elif size > TEXT_LIMIT:
            problems.append(
                f"{method}.text: message is too long "
                f"({size} characters after entity parsing, limit {TEXT_LIMIT})"
            )
    caption = params.get("caption")
    if method in _CAPTIONED and isinstance(caption, str):
        size = len(rendered_text(caption, params.get("parse_mode")))
        if size > CAPTION_LIMIT:
            problems.append(
                f"{method}.caption: message caption is too long "
                f"({size} characters, limit {CAPTION_LIMIT})"
            )
    answer = method == "answerCallbackQuery" and isinstance(text, str)
    if answer and isinstance(text, str) and len(text) > CALLBACK_ANSWER_LIMIT:
        problems.append(
            f"{method}.text: MESSAGE_TOO_LONG "
            f"({len(text)} characters, limit {CALLBACK_ANSWER_LIMIT})"
        )
    for (limited, name), (low, high, unit) in _SIZES.items():
        value = params.get(name)
        if limited != method or value is None:
            continue
        size = _size(value, unit)
        if not low <= size <= high:
            problems.append(f"{method}.{name}: must be {low}-{high} {unit}, got {size}")
    for where, data in _callback_data(params.get("reply_markup")):
        size = len(data.encode("utf-8"))
        if not 1 <= size <= CALLBACK_DATA_MAX_BYTES:
            problems.append(
                f"{method}.reply_markup.{where}.callback_data: BUTTON_DATA_INVALID "
                f"({size} bytes, must be 1-{CALLBACK_DATA_MAX_BYTES})"
            )
    return problems


def _size(value: object, unit: str) -> int:
    if isinstance(value, int):
        return value
    text = str(value)
    return len(text.encode("utf-8")) if unit == "bytes" else len(text)


def _callback_data(markup: object) -> Iterator[tuple[str, str]]:
    if not isinstance(markup, dict):
        return
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list):
        return
    for r, row in enumerate(rows):
        if not isinstance(row, list):
            continue
        for c, button in enumerate(row):
            if isinstance(button, dict) and isinstance(button.get("callback_data"), str):
                yield f"inline_keyboard[{r}][{c}]", button["callback_data"]
