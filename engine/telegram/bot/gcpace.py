"""Run the cyclic garbage collector between updates, not in the middle of one.

Why: `diana bench bot --trace` found 48 of the 50 slowest taps overlapping a GC pass (gen-0
~1.3 ms, gen-1 ~2.7 ms on the project's machine; the loaded story is frozen out of every pass,
so these are young objects only). CPython starts a pass after ~700 net container allocations,
wherever the program happens to be, and a tap allocates enough for one every ~60 taps. The
pacer switches automatic collection off and runs the same passes (every 10th a gen-1, every
100th a full one, as CPython's default thresholds would) at the first moment the bot has
nothing in flight: no update being handled, no message being delivered. A bot that never
idles still collects: past `hard_limit` young objects a pass runs wherever it is.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

YOUNG_THRESHOLD = 700
"""CPython's own gen-0 threshold."""
HARD_LIMIT = 20_000


class GcPacer:
    def __init__(
        self,
        busy: Callable[[], bool],
        *,
        threshold: int = YOUNG_THRESHOLD,
        hard_limit: int = HARD_LIMIT,
    ) -> None:
        self.busy = busy
        self.threshold = threshold
        self.hard_limit = hard_limit
        self.passes = 0
        self.forced = 0
        """Passes run while busy, because the young objects passed `hard_limit`."""
        self._running = False
        self._was_enabled = True

    def start(self) -> None:
        if self._running:
            return
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._running = True

    def stop(self) -> None:
        if self._running and self._was_enabled:
            gc.enable()
        self._running = False

    def poke(self) -> None:
        """Something finished (an update, a delivery): collect if due and nothing is in flight."""
        if not self._running:
            return
        young = gc.get_count()[0]
        if young < self.threshold:
            return
        if self.busy():
            if young < self.hard_limit:
                return
            self.forced += 1
        self.passes += 1
        generation = 2 if self.passes % 100 == 0 else 1 if self.passes % 10 == 0 else 0
        gc.collect(generation)
