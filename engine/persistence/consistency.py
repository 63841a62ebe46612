"""Proof that a run lost or doubled nothing, read back from the database after it.

The soak and the concurrency run record in a `Tally` what the store answered for every
idempotency key (a key delivered twice has two answers), then `check` reads the database and
reports every disagreement:

- every player's ledger, in order, has `balance_after` equal to the running sum of `amount`,
  and the sum equals the balance stored with the state, both the column and inside the state;
- one key advanced a player's state at most once, and its effects came back once; a key
  delivered again later had no effect at all;
- `processed_updates` has one row per key, the ledger one row per points event answered, the
  outbox one row per event answered;
- every player's stored state is the one last answered: its step, and a version that grew by
  one per change (nothing lost, nothing applied twice).

Players are read a page at a time, so checking 10,000 players does not hold them all at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select

from engine.persistence.db import Database
from engine.persistence.tables import ledger, outbox, player_state, processed_updates
from engine.runtime import PointsAwarded, PointsCharged, Step, loads_state

PAGE = 1_000
MAX_PROBLEMS = 50


@dataclass(slots=True)
class Tally:
    """What the store answered, per player and per key; see the module docstring."""

    keys: int = 0
    points_events: int = 0
    events: int = 0
    redeliveries: int = 0
    steps: dict[int, int] = field(default_factory=dict)
    changes: dict[int, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def registered(self, player_id: int, step: Step) -> None:
        self.steps[player_id] = step.state.step
        self.changes[player_id] = 0
        self._count(player_id, [step])

    def record(self, player_id: int, answers: Sequence[Step]) -> None:
        """The answers to every delivery of one new key for `player_id` (usually one)."""
        before = self.steps[player_id]
        after = max(a.state.step for a in answers)
        if after - before > 1:
            self.problems.append(
                f"player {player_id}: one key advanced the state {after - before} times"
            )
        if after > before:
            self.changes[player_id] += 1
        self.steps[player_id] = after
        self._count(player_id, answers)

    def redelivered(self, player_id: int, answer: Step) -> None:
        """The answer to a key delivered again after it was processed: no effect allowed."""
        self.redeliveries += 1
        if answer.events or answer.state.step != self.steps[player_id]:
            self.problems.append(f"player {player_id}: a redelivered key had an effect")

    def _count(self, player_id: int, answers: Sequence[Step]) -> None:
        self.keys += 1
        effective = [a for a in answers if a.events]
        if len(effective) > 1:
            self.problems.append(
                f"player {player_id}: one key's effects came back {len(effective)} times"
            )
        for answer in effective:
            self.events += len(answer.events)
            self.points_events += sum(
                type(e) is PointsAwarded or type(e) is PointsCharged for e in answer.events
            )


@dataclass(slots=True)
class Report:
    players: int = 0
    consistent: int = 0
    """Players whose ledger agrees with itself and with their stored balance."""
    counts: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    """Table -> (rows found, rows expected from the tally; None without one)."""
    problems: list[str] = field(default_factory=list)
    more: int = 0
    """Problems found beyond the first MAX_PROBLEMS listed."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.more += 1

    def summary(self) -> str:
        parts = [f"ledgers consistent {self.consistent:,}/{self.players:,}"]
        for table, (found, expected) in self.counts.items():
            wanted = "" if expected is None else f"/{expected:,}"
            parts.append(f"{table} {found:,}{wanted}")
        problems = len(self.problems) + self.more
        parts.append("no problems" if not problems else f"{problems:,} PROBLEMS")
        return "; ".join(parts)


async def check(db: Database, tally: Tally | None = None) -> Report:
    """Read every player back and compare (see the module docstring)."""
    report = Report()
    for problem in tally.problems if tally else ():
        report.add(problem)
    async with db.engine.connect() as conn:
        expected = {
            "processed_updates": tally.keys if tally else None,
            "ledger": tally.points_events if tally else None,
            "outbox": tally.events if tally else None,
        }
        for table, want in zip((processed_updates, ledger, outbox), expected.values(), strict=True):
            found = int((await conn.execute(select(func.count()).select_from(table))).scalar_one())
            report.counts[table.name] = (found, want)
            if want is not None and found != want:
                report.add(f"{table.name}: {found:,} rows, expected {want:,}")
        seen: set[int] = set()
        last = -(2**63)
        while True:
            page = (
                await conn.execute(
                    select(
                        player_state.c.player_id,
                        player_state.c.version,
                        player_state.c.state,
                        player_state.c.points,
                    )
                    .where(player_state.c.player_id > last)
                    .order_by(player_state.c.player_id)
                    .limit(PAGE)
                )
            ).all()
            if not page:
                break
            entries = (
                await conn.execute(
                    select(ledger.c.player_id, ledger.c.amount, ledger.c.balance_after)
                    .where(ledger.c.player_id.between(page[0][0], page[-1][0]))
                    .order_by(ledger.c.player_id, ledger.c.id)
                )
            ).all()
            sums: dict[int, int] = {}
            broken: set[int] = set()
            for pid, amount, balance_after in entries:
                sums[pid] = sums.get(pid, 0) + amount
                if balance_after != sums[pid]:
                    broken.add(pid)
            for pid, version, blob, points in page:
                seen.add(pid)
                _check_player(report, tally, pid, version, blob, points, sums.get(pid, 0), broken)
            last = page[-1][0]
    for pid in sorted(set(tally.steps) - seen) if tally else ():
        report.add(f"player {pid}: answered as registered, but has no stored state")
    return report


def _check_player(
    report: Report,
    tally: Tally | None,
    pid: int,
    version: int,
    blob: str,
    points: int,
    total: int,
    broken: set[int],
) -> None:
    report.players += 1
    state = loads_state(blob)
    ok = True
    if pid in broken:
        ok = False
        report.add(f"player {pid}: a ledger balance_after is not the running sum")
    if not total == points == state.points:
        ok = False
        report.add(f"player {pid}: ledger sums to {total}, balance {points} (state {state.points})")
    report.consistent += ok
    if tally is None or pid not in tally.steps:
        return
    if state.step != tally.steps[pid] or version != tally.changes[pid] + 1:
        report.add(
            f"player {pid}: stored step {state.step} version {version}, answered step "
            f"{tally.steps[pid]} after {tally.changes[pid]} changes (lost or doubled update)"
        )
