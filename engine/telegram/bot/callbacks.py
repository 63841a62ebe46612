"""Compact, signed callback data for inline buttons (Telegram allows 1-64 bytes).

A story button carries the fragment's and the choice's index in the compiled story and the
*screen version*: how many times the player had entered that fragment when the button was
drawn. Together they say which screen the button belongs to, so a button from an older screen
(or from before a content release that re-indexed the story) is recognised as stale instead of
acting on whatever now sits at those indices. A check-in or a points change does not redraw
the screen, so it does not turn the buttons under it stale.

Everything is signed with a short HMAC keyed from the bot token: a forged or mangled payload
is refused before it reaches the engine (which re-checks every condition anyway).
`c1k.2.5.Xq3v9aBc` is a typical button: 18 bytes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

MAX_BYTES = 64
_SIG_BYTES = 6


@dataclass(frozen=True, slots=True)
class ChoiceButton:
    fragment: int
    choice: int
    screen: int


@dataclass(frozen=True, slots=True)
class LanguageButton:
    language: str


Payload = ChoiceButton | LanguageButton


class BadCallback(ValueError):
    """Callback data this bot did not sign, or cannot read."""


class CallbackCodec:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"diana-callback\x00" + secret.encode()).digest()

    def encode(self, payload: Payload) -> str:
        match payload:
            case ChoiceButton(fragment, choice, screen):
                body = f"c{_b36(fragment)}.{_b36(choice)}.{_b36(screen)}"
            case LanguageButton(language):
                body = f"l{language}"
        data = f"{body}.{self._sign(body)}"
        if len(data.encode()) > MAX_BYTES:  # pragma: no cover - indices would need 10^30 items
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data}")
        return data

    def decode(self, data: str | None) -> Payload:
        if not data or len(data.encode()) > MAX_BYTES:
            raise BadCallback("empty or too long")
        body, _, sig = data.rpartition(".")
        # Bytes: compare_digest refuses non-ASCII str, and a modified client may send any.
        if not body or not hmac.compare_digest(sig.encode(), self._sign(body).encode()):
            raise BadCallback("bad signature")
        kind, rest = body[0], body[1:]
        try:
            if kind == "c":
                fragment, choice, screen = (int(x, 36) for x in rest.split("."))
                return ChoiceButton(fragment, choice, screen)
            if kind == "l" and rest.isalpha():
                return LanguageButton(rest)
        except ValueError:
            pass
        raise BadCallback(f"unreadable payload {body!r}")

    def _sign(self, body: str) -> str:
        mac = hmac.new(self._key, body.encode(), hashlib.sha256).digest()[:_SIG_BYTES]
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def _b36(value: int) -> str:
    if value < 0:
        raise ValueError("indices are never negative")
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        value, rem = divmod(value, 36)
        out = digits[rem] + out
        if value == 0:
            return out
