"""A process killed with SIGKILL in the middle of actions leaves a consistent database: every
ledger sums to its balance, every state loads, and the next process delivers what was left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from persistence_helpers import STORY, assert_consistent, count, processed_updates

from engine.bus import EventBus
from engine.content import Story
from engine.persistence import Database, FixedClock, Store
from engine.persistence.outbox import pending_count
from engine.runtime import Event

WORKER = Path(__file__).parent / "persistence_crash_worker.py"
ROOT = Path(__file__).resolve().parents[2]


def _wait_for(proc: subprocess.Popen[str], word: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.strip() == word:
            return
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError(
        f"the worker never said {word!r}: {proc.stderr.read() if proc.stderr else ''}"
    )


async def test_sigkill_mid_actions_leaves_everything_consistent(
    db: Database, db_url: str, story: Story, clock: FixedClock
):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), db_url, str(STORY)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_for(proc, "ready", 60)
        _wait_for(proc, "running", 60)
        time.sleep(0.3)  # well inside the stream of group commits
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert await count(db, processed_updates) > 300
    await assert_consistent(db)

    bus = EventBus()
    got: list[bool] = []
    bus.subscribe(Event, lambda event, context: got.append(context.replayed))
    store = Store(db, story, bus=bus, clock=clock)
    await store.open()  # relays what the dead process committed but never delivered
    try:
        assert all(got)
        assert await pending_count(db) == 0
        for player in range(1, 21):
            state = await store.state(player)
            assert state.points >= 0
    finally:
        await store.close()
