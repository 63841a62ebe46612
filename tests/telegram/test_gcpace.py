"""The GC pacer collects when the bot is idle, waits while it is busy, and gives up waiting
past its hard limit. Real collections on the real collector, no mocks."""

from __future__ import annotations

import gc

from engine.telegram.bot.gcpace import GcPacer


class _Junk:
    """Instances are allocated for real (lists and dicts may come from free lists, which the
    collector's young-object count does not see)."""


def _garbage(n: int) -> list[_Junk]:
    return [_Junk() for _ in range(n)]


def test_collects_only_when_idle_and_due() -> None:
    busy = [False]
    pacer = GcPacer(lambda: busy[0], threshold=500, hard_limit=100_000)
    gc.collect()  # start from no young objects
    pacer.start()
    try:
        assert not gc.isenabled()
        keep = _garbage(100)
        pacer.poke()  # not due yet
        assert pacer.passes == 0
        keep += _garbage(1_000)
        busy[0] = True
        pacer.poke()  # due, but an update is in flight
        assert pacer.passes == 0 and gc.get_count()[0] >= 500
        busy[0] = False
        pacer.poke()
        assert pacer.passes == 1 and gc.get_count()[0] < 500 and pacer.forced == 0
        assert len(keep) == 1_100
    finally:
        pacer.stop()
    assert gc.isenabled()


def test_a_bot_that_never_idles_still_collects() -> None:
    pacer = GcPacer(lambda: True, threshold=100, hard_limit=2_000)
    gc.collect()
    pacer.start()
    try:
        keep = _garbage(500)
        pacer.poke()
        assert pacer.passes == 0
        keep += _garbage(3_000)
        pacer.poke()
        assert pacer.passes == 1 and pacer.forced == 1
        assert len(keep) == 3_500
    finally:
        pacer.stop()


def test_every_tenth_pass_reaches_the_older_generation() -> None:
    pacer = GcPacer(lambda: False, threshold=1)
    pacer.start()
    counts = []
    keep = []
    try:
        for _ in range(10):
            keep.append(_garbage(5))  # kept: freed objects do not count as young
            before = gc.get_stats()[1]["collections"]
            pacer.poke()
            counts.append(gc.get_stats()[1]["collections"] - before)
    finally:
        pacer.stop()
    assert pacer.passes == 10 and counts == [0] * 9 + [1] and len(keep) == 10


def test_stop_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        pacer = GcPacer(lambda: False)
        pacer.start()
        pacer.stop()
        assert not gc.isenabled()
    finally:
        gc.enable()
