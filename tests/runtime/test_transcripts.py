"""Every golden transcript under tests/stories/, played directly and with the state saved to
JSON and loaded back between every step: both must match the transcript, and both must give
identical results at every step (full outputs, events, outcomes and states)."""

from __future__ import annotations

from pathlib import Path

import pytest
from transcript_runner import Player, cases, compare_runs, compile_case, versions

from engine.content import Story

CASES = cases()
_compiled: dict[str, dict[str, Story]] = {}


def _stories(case: str, root: Path) -> dict[str, Story]:
    if case not in _compiled:
        _compiled[case] = {
            v: compile_case(case, v, root / case / (v or "content")) for v in versions(case)
        }
    return _compiled[case]


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 20, CASES


@pytest.mark.parametrize("roundtrip", [False, True], ids=["direct", "json"])
@pytest.mark.parametrize("case", CASES)
def test_transcript(case: str, roundtrip: bool, tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.getbasetemp() / "stories"
    Player(case, _stories(case, root), roundtrip).play()


@pytest.mark.parametrize("case", CASES)
def test_direct_and_json_runs_agree(case: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.getbasetemp() / "stories"
    stories = _stories(case, root)
    compare_runs(Player(case, stories, False).play(), Player(case, stories, True).play())
