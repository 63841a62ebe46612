"""Helpers for the fake Bot API tests, imported by name (pytest puts this dir on sys.path)."""

from __future__ import annotations

from typing import Any

from aiogram import Bot

from engine.telegram.botapi import FakeBotAPI, fake_bot


def make_bot(server: FakeBotAPI, **kwargs: Any) -> Bot:
    """A real aiogram Bot whose HTTP session talks to the fake server."""
    return fake_bot(server, **kwargs)
