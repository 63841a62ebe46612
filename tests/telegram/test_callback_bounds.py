"""Why the content checks have no "callback data over 64 bytes" diagnostic (the catalogue
skips D705): a button's data never holds content text, only indices, so its size is bounded
by the story's size, not by what writers type. This proves the bound far beyond any story."""

from __future__ import annotations

from engine.telegram.bot.callbacks import MAX_BYTES, CallbackCodec, ChoiceButton, LanguageButton


def test_the_largest_imaginable_button_fits_in_64_bytes() -> None:
    codec = CallbackCodec("123456:" + "A" * 35)
    huge = ChoiceButton(fragment=10**9, choice=10**4, screen=2**63)
    data = codec.encode(huge)
    assert len(data.encode()) <= MAX_BYTES, data
    assert codec.decode(data) == huge
    typical = codec.encode(ChoiceButton(fragment=75, choice=3, screen=2))
    assert len(typical.encode()) <= 24, typical
    language = codec.encode(LanguageButton("pt"))
    assert len(language.encode()) <= MAX_BYTES and codec.decode(language) == LanguageButton("pt")
