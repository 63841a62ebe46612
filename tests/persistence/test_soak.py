"""The soak's and the concurrency run's proofs of consistency, on real databases: they pass on
a clean run and report every kind of damage done to the database afterwards (behaviour only:
no timing is asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest
from persistence_helpers import START
from sqlalchemy import Executable, delete, insert, update

from engine.benchrows import Audit
from engine.content import Story
from engine.persistence import Database
from engine.persistence.bench_audit import memory_rows
from engine.persistence.consistency import Tally, check
from engine.persistence.crowd import CrowdResult, crowd
from engine.persistence.soak import soak
from engine.persistence.tables import ledger, player_state, processed_updates
from engine.runtime import Engine


async def _crowd(url: str, story: Story) -> CrowdResult:
    return await crowd(url, story, players=25, rounds=4)


async def test_a_crowd_acting_at_once_loses_and_doubles_nothing(db_url: str, story: Story):
    result = await _crowd(db_url, story)
    report = result.report
    assert report.ok, report.problems
    assert report.players == report.consistent == 25
    # 25 registrations + 25 x 4 keys; the duplicates and redeliveries add deliveries, not rows.
    assert report.counts["processed_updates"] == (125, 125)
    # Players 10 and 20 are delivered twice at once every round; 1, 11 and 21 get their
    # previous key again in rounds 1 to 3.
    assert result.tally.redeliveries == 3 * 3
    assert result.deliveries == 25 * 4 + 2 * 4 + 3 * 3
    found, expected = report.counts["ledger"]
    assert found == expected and found >= 25


async def _damaged(tmp_path: Path, story: Story, damage: Executable) -> list[str]:
    """The problems `check` reports after `damage` (a statement) is applied to a clean run."""
    url = f"sqlite:///{tmp_path / 'crowd.sqlite3'}"
    result = await _crowd(url, story)
    assert result.report.ok
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(damage)
        report = await check(db, result.tally)
    finally:
        await db.dispose()
    assert not report.ok
    return report.problems


async def test_an_extra_ledger_row_is_reported(tmp_path: Path, story: Story):
    row = {
        "player_id": 7,
        "amount": 5,
        "balance_after": 999,
        "reason": "forged",
        "source": "test",
        "idempotency_key": "forged",
        "seq": 0,
        "created_at": START,
    }
    problems = await _damaged(tmp_path, story, insert(ledger).values(**row))
    assert any(p.startswith("ledger:") for p in problems)
    assert any("player 7: ledger sums to" in p for p in problems)
    assert any("player 7: a ledger balance_after" in p for p in problems)


async def test_a_balance_that_disagrees_with_the_ledger_is_reported(tmp_path: Path, story: Story):
    stmt = (
        update(player_state)
        .where(player_state.c.player_id == 3)
        .values(points=player_state.c.points + 1)
    )
    problems = await _damaged(tmp_path, story, stmt)
    assert len(problems) == 1 and problems[0].startswith("player 3: ledger sums to")


async def test_a_lost_processed_key_is_reported(tmp_path: Path, story: Story):
    problems = await _damaged(
        tmp_path, story, delete(processed_updates).where(processed_updates.c.key == "crowd:2:5")
    )
    assert problems == ["processed_updates: 124 rows, expected 125"]


async def test_a_state_write_applied_twice_is_reported(tmp_path: Path, story: Story):
    stmt = (
        update(player_state)
        .where(player_state.c.player_id == 9)
        .values(version=player_state.c.version + 1)
    )
    problems = await _damaged(tmp_path, story, stmt)
    assert len(problems) == 1 and "player 9: stored step" in problems[0]


def test_the_tally_catches_doubled_answers(story: Story):
    engine = Engine(story)
    joined = engine.new_player(seed=1)
    started = engine.start(joined.state, START)
    assert started.events and started.state.step == joined.state.step + 1
    again = engine.start(started.state, START)
    tally = Tally()
    tally.registered(1, joined)
    tally.record(1, [started, again])  # both answers changed something: applied twice
    assert any("advanced the state 2 times" in p for p in tally.problems)
    assert any("effects came back 2 times" in p for p in tally.problems)
    tally.redelivered(1, started)  # a later redelivery that carried events
    assert any("redelivered key had an effect" in p for p in tally.problems)
    clean = Tally()
    clean.registered(1, joined)
    clean.record(1, [started])
    assert not clean.problems and clean.changes[1] == 1 and clean.keys == 2


async def test_the_soak_samples_memory_and_checks_every_ledger(tmp_path: Path, story: Story):
    seen = []
    result = await soak(
        f"sqlite:///{tmp_path / 'soak.sqlite3'}",
        story,
        actions=400,
        players=20,
        every=100,
        concurrency=4,
        on_sample=seen.append,
    )
    assert [s.actions for s in result.samples] == [0, 100, 200, 300, 400]
    assert seen == result.samples[1:]
    assert all(s.rss_mb > 0 and s.states_mb > 0 for s in result.samples)
    assert result.warm.actions == 100 and result.latency.total == 300
    assert result.report.ok, result.report.problems
    assert result.report.counts["processed_updates"] == (440, 440)  # 20 joins, 20 starts, 400
    rows = memory_rows(result, floor_ms=0.02)
    assert [r.audit for r in rows] == [Audit.MEMORY, Audit.MEMORY]
    assert rows[0].median is not None and rows[0].met is not None
    assert "ledgers consistent 20/20" in rows[0].measured


@pytest.mark.parametrize("q", [0.5, 0.99])
def test_the_histogram_quantiles_stay_within_a_bucket(q: float):
    from engine.benchrows import Histogram

    h = Histogram()
    values = [i * 1e-5 for i in range(1, 1001)]  # 10 µs .. 10 ms
    for v in values:
        h.add(v)
    exact = values[int(len(values) * q)]
    assert abs(h.quantile(q) - exact) / exact < 0.03
