"""End to end: the real bot plays the shipped story with scripted users over HTTP."""

from __future__ import annotations

from pathlib import Path

from bot_harness import Harness, running_bot

from engine.persistence.ledger import history, ledger_sum
from engine.telegram.botapi import BotApiSpec, ScriptedUser


def buttons(user: ScriptedUser) -> list[str]:
    return [b["text"] for b in user.last_message().buttons()]


async def play_to_ending(h: Harness, user: ScriptedUser, limit: int = 150) -> int:
    """Tap the least-tapped button that is neither locked nor paid, until an ending shows."""
    tapped: dict[str, int] = {}
    for taps in range(limit):
        if any("★" in (m.text or "") for m in user.messages):
            return taps
        labels = buttons(user)
        free = [b for b in labels if not b.startswith("🔒") and "💋" not in b] or labels
        label = min(free, key=lambda b: (tapped.get(b, 0), -free.index(b)))
        tapped[label] = tapped.get(label, 0) + 1
        await h.tap(user, label)
    raise AssertionError(f"no ending after {limit} taps; last: {user.last_message().text}")


async def test_start_shows_the_first_fragment_with_buttons(
    bot_api_spec: BotApiSpec, tmp_path: Path
) -> None:
    async with running_bot(bot_api_spec, tmp_path / "d.sqlite3") as h:
        ana = h.server.user(1001, "Ana")
        await h.send(ana, "/start")
        first = ana.last_message()
        assert "invitación" in (first.text or "")
        assert buttons(ana) == [
            "Tocar la campana",
            "Rodear el muro del jardín",
            "Releer la invitación",
        ]
        data = [b["callback_data"] for b in first.buttons()]
        assert all(len(d.encode()) <= 24 for d in data)
        h.server.assert_no_violations()


async def test_a_player_plays_the_shipped_story_to_an_ending(
    bot_api_spec: BotApiSpec, tmp_path: Path
) -> None:
    async with running_bot(bot_api_spec, tmp_path / "d.sqlite3") as h:
        ana = h.server.user(
            1001,
            "Ana",
        )
        await h.send(ana, "/start")
        taps = await play_to_ending(h, ana)
        assert taps > 5
        assert "/start" in (ana.last_message().text or "")
        # Every tap was answered exactly once, and the ledger matches the balance.
        assert len(ana.answers) == taps
        state = await h.diana.store.state(1001)
        assert await ledger_sum(h.diana.db, 1001) == state.points
        assert await history(h.diana.db, 1001)
