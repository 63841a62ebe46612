"""The victim of the SIGKILL test: plays 20 players as fast as it can until it is killed.

Usage: python persistence_crash_worker.py DATABASE_URL STORY_DIR
Prints "ready" once the players exist and "running" after 300 committed actions.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

from engine.content import load_story
from engine.persistence import Choose, Database, FixedClock, Start, Store
from engine.runtime import CheckIn, Reaction

PLAYERS = range(1, 21)


async def main(url: str, story_dir: str) -> None:
    story = load_story(story_dir).story
    assert story is not None
    clock = FixedClock(datetime(2025, 3, 1, 10, tzinfo=UTC))
    db = Database(url)
    store = Store(db, story, clock=clock)
    await store.open()
    for p in PLAYERS:
        await store.ensure_player(p)
    print("ready", flush=True)
    done = 0

    async def play(p: int) -> None:
        nonlocal done
        n = 0
        while True:
            for action in (Start(), Choose("inicio.invitar"), Reaction("❤"), CheckIn()):
                await store.act(p, action, f"{p}:{n}")
                n += 1
                done += 1
                if done == 300:
                    print("running", flush=True)
            clock.advance(hours=7)

    await asyncio.gather(*(play(p) for p in PLAYERS))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
