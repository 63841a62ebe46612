"""`diana playtest`: seeded random and exhaustive playthroughs for player profiles, coverage
with file:line, endings, paywalls, soft-locks and errors, as tables and JSON.

Small stories written here pin the findings exactly; the shipped story (being written while
these tests run) is checked against figures computed from the loaded story.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playtest_helpers import load, playtest_json, runner, story_dir

from cli.main import app
from cli.play.commands import parse
from cli.play.playreport import Options, run
from cli.play.playtest import Coverage, random_runs
from cli.play.profiles import BUILTIN
from cli.play.relevance import Relevance
from cli.play.session import Session, Setup
from engine.content import Story, load_story
from engine.runtime import Engine, Outcome

ROOT = Path(__file__).parent.parent
CONTENT = ROOT / "content"
NOW = datetime(2026, 1, 1, 20, tzinfo=UTC)

HUB = """\
kind: chapter
id: main
title: {es: Principal, en: Main}
fragments:
  - id: inicio
    text: {es: Entrada., en: Hall.}
    choices:
      - {label: {es: Salón, en: Salon}, to: salon}
      - {id: caro, label: {es: Copa, en: Glass}, to: copa, cost: 15}
      - {id: vip, label: {es: Diván, en: Divan}, to: divan, vip: true}
  - id: salon
    text: {es: Salón., en: Salon.}
    choices:
      - {label: {es: Volver, en: Back}, to: inicio, effects: {add: {romantic: 1}}}
      - {label: {es: Salir, en: Leave}, to: fin_malo}
  - id: copa
    text: {es: Copa., en: Glass.}
    choices:
      - {label: {es: Brindar, en: Toast}, to: fin_bueno}
  - id: divan
    text: {es: Diván., en: Divan.}
    choices:
      - {label: {es: Quedarse, en: Stay}, to: fin_bueno}
  - id: fin_bueno
    text: {es: Bien., en: Good.}
    ending: {title: {es: Bien, en: Good}, type: good}
  - id: fin_malo
    text: {es: Mal., en: Bad.}
    ending: {title: {es: Mal, en: Bad}, type: bad}
"""

STUCK = """\
kind: chapter
id: main
title: {es: Principal, en: Main}
fragments:
  - id: inicio
    text: {es: Entrada., en: Hall.}
    choices:
      - {label: {es: Puerta, en: Door}, to: puerta}
  - id: puerta
    text: {es: Una puerta cerrada., en: A locked door.}
    choices:
      - label: {es: Abrir, en: Open}
        to: fin
        if: 'has_clue("llave")'
        locked: show
        locked_reason: {es: Cerrada, en: Locked}
  - id: fin
    text: {es: Fin., en: The end.}
    ending: {title: {es: Fin, en: End}, type: good}
"""


def test_profiles_endings_paywalls_and_coverage(tmp_path: Path) -> None:
    content = story_dir(tmp_path, HUB)
    code, data = playtest_json(str(content), "--runs", "60", "--seed", "3")
    assert code == 0 and data["ok"] is True
    profiles = data["profiles"]
    assert isinstance(profiles, dict) and list(profiles) == [p.name for p in BUILTIN]
    free, daily, vip = profiles["free"], profiles["daily"], profiles["vip"]
    assert free["runs"] == 60 and sum(free["endings"].values()) == 60
    assert set(free["endings"]) == {"fin_malo"}  # 10 points: no glass (15); no VIP divan
    assert daily["endings"].get("fin_bueno", 0) > 0  # checks in until the glass is paid for
    assert vip["endings"].get("fin_bueno", 0) > 0
    assert "VipGateBlocked" not in vip["paywall"]["events"]
    assert free["paywall"]["events"]["VipGateBlocked"] > 0
    assert free["paywall"]["events"]["NotEnoughPoints"] > 0
    # the salon is always free: no run is blocked, though every one sees the locked buttons
    assert free["paywall"]["blocked"] == {"runs": 0, "rate": 0.0}
    assert free["paywall"]["saw_locked"] == {"runs": 60, "rate": 1.0}
    assert free["paywall"]["blocked_at"] == {} and free["paywall"]["upsell_redirects"] == {}
    assert daily["soft_locks"] == [] and free["soft_locks"] == []
    coverage = data["coverage"]
    assert coverage["fragments"] == {"covered": 6, "total": 6, "uncovered": []}
    assert coverage["choices"]["covered"] == coverage["choices"]["total"] == 7
    pts = free["points_at_endings"]
    assert pts["min"] <= pts["mean"] <= pts["max"]


PAYWALL = """\
kind: chapter
id: main
title: {es: Principal, en: Main}
fragments:
  - id: inicio
    text: {es: Entrada., en: Hall.}
    choices:
      - {label: {es: Pasillo, en: Corridor}, to: pasillo}
      - {label: {es: Subir, en: Upstairs}, to: alcoba}
  - id: pasillo
    text: {es: Pasillo., en: Corridor.}
    choices:
      - {id: pagar, label: {es: Pagar, en: Pay}, to: fin, cost: 100}
      - {id: secreto, label: {es: Secreto, en: Secret}, to: fin, vip: true}
      - {label: {es: Salir, en: Leave}, to: fin, fallback: true}
  - id: aviso
    text: {es: Solo VIP., en: VIP only.}
    choices:
      - {label: {es: Volver, en: Back}, to: fin}
  - id: fin
    text: {es: Fin., en: The end.}
    ending: {title: {es: Fin, en: End}, type: neutral}
"""

GATED = """\
kind: chapter
id: alcoba
title: {es: Alcoba, en: Alcove}
vip: true
upsell: aviso
fragments:
  - id: alcoba
    text: {es: Alcoba., en: Alcove.}
    choices:
      - {label: {es: Quedarse, en: Stay}, to: fin}
"""


def test_paywall_blocked_counts_walls_and_upsell_redirects(tmp_path: Path) -> None:
    """Blocked: a screen where only a fallback leads on past a VIP and a dear button, or a VIP
    gate's redirect to its upsell; random runs and the exhaustive explorer agree."""
    content = story_dir(tmp_path, PAYWALL)
    (content / "chapters" / "alcoba.yaml").write_text(GATED, encoding="utf-8")
    code, data = playtest_json(
        str(content), "--runs", "40", "--profile", "free", "--profile", "vip"
    )
    assert code == 0
    free, vip = data["profiles"]["free"]["paywall"], data["profiles"]["vip"]["paywall"]
    assert free["counted_in"] == "runs"
    assert free["blocked"] == {"runs": 40, "rate": 1.0}  # every way leads into a paywall
    walls, redirects = free["blocked_at"]["pasillo"], free["upsell_redirects"]["alcoba"]
    assert walls + redirects == 40 and walls > 0 and redirects > 0
    assert vip["blocked"] == {"runs": 0, "rate": 0.0} and vip["upsell_redirects"] == {}
    assert 0 < vip["saw_locked"]["rate"] < 1  # the 100-point button, in the corridor only
    code, data = playtest_json(str(content), "--exhaustive", "--profile", "free")
    free = data["profiles"]["free"]["paywall"]
    assert free["counted_in"] == "states"
    assert free["blocked_at"] == {"pasillo": 1} and free["upsell_redirects"] == {"alcoba": 1}
    states = data["profiles"]["free"]["states"]
    assert free["blocked"] == {"states": 2, "rate": round(2 / states, 3)}
    text = runner.invoke(app, ["playtest", str(content), "--runs", "5", "--profile", "free"])
    assert "paywall-blocked" in text.output and "saw a lock" in text.output
    assert "paywalls (free): pasillo" in text.output and "alcoba → upsell" in text.output


def test_a_gated_chapter_is_a_paywall_for_random_and_exhaustive_runs() -> None:
    """Starting a VIP chapter as a free player lands on its upsell: blocked, both ways."""
    story = load(CONTENT)
    chapter = next(c for c in story.chapters.values() if c.vip_rank > 0)
    args = ["--chapter", chapter.id, "--profile", "free"]
    for mode in (["--exhaustive"], ["--runs", "5"]):
        _, data = playtest_json(str(CONTENT), *args, *mode)
        paywall = data["profiles"]["free"]["paywall"]
        assert paywall["blocked"]["rate"] == 1.0, (mode, paywall)
        assert paywall["upsell_redirects"] == {
            chapter.start: paywall["blocked"][paywall["counted_in"]]
        }


def test_same_seed_same_report(tmp_path: Path) -> None:
    content = story_dir(tmp_path, HUB)
    first = playtest_json(str(content), "--runs", "40", "--seed", "9")
    assert first == playtest_json(str(content), "--runs", "40", "--seed", "9")


def test_soft_lock_is_reported_with_a_replay_and_fails(tmp_path: Path) -> None:
    content = story_dir(tmp_path, STUCK)
    story = load(content)
    code, data = playtest_json(str(content), "--runs", "5")
    assert code == 1 and data["ok"] is False
    locks = data["profiles"]["free"]["soft_locks"]
    pos = story.fragments["puerta"].pos
    assert locks == [
        {
            "fragment": "puerta",
            "at": f"{pos.path}:{pos.line}",
            "path": ["inicio.puerta"],
            "replay": f'diana preview {content} --choices "c inicio.puerta"',
        }
    ]
    uncovered = data["coverage"]["fragments"]["uncovered"]
    fin = load_story(content).compiled
    assert fin is not None
    at = fin.positions["fragment:fin"]
    assert uncovered == [{"id": "fin", "at": f"{at.path}:{at.line}"}]
    choice = story.fragments["puerta"].choices[0]
    assert data["coverage"]["choices"]["uncovered"] == [
        {"id": "puerta.fin", "at": f"{choice.pos.path}:{choice.pos.line}"}
    ]
    text = runner.invoke(app, ["playtest", str(content), "--runs", "5"])
    assert text.exit_code == 1 and "soft-lock" in text.output and "replay:" in text.output
    replay = runner.invoke(app, ["preview", str(content), "--choices", "c inicio.puerta"])
    assert replay.exit_code == 0 and "🔒 Abrir · Cerrada" in replay.output


def test_too_dear_is_a_soft_lock_only_without_income(tmp_path: Path) -> None:
    chapter = HUB.replace(
        "{label: {es: Salón, en: Salon}, to: salon}", "{id: x, label: X, to: copa, vip: true}"
    )
    content = story_dir(tmp_path, chapter.replace("to: divan, vip: true", "to: divan, cost: 99"))
    code, data = playtest_json(
        str(content), "--runs", "10", "--profile", "free", "--profile", "daily"
    )
    assert code == 1
    profiles = data["profiles"]
    assert [lock["fragment"] for lock in profiles["free"]["soft_locks"]] == ["inicio"]
    assert profiles["daily"]["soft_locks"] == []  # checks in until it can pay
    assert sum(profiles["daily"]["endings"].values()) == 10


def test_exhaustive_explores_every_state(tmp_path: Path) -> None:
    content = story_dir(tmp_path, HUB)
    code, data = playtest_json(
        str(content), "--exhaustive", "--profile", "vip", "--profile", "daily"
    )
    assert code == 0
    vip, daily = data["profiles"]["vip"], data["profiles"]["daily"]
    assert not vip["truncated"] and vip["states"] > 0
    assert set(vip["endings"]) == {"fin_bueno", "fin_malo"}
    assert daily["paywall"]["events"]["NotEnoughPoints"] > 0  # taps the glass, then checks in
    assert data["coverage"]["fragments"]["covered"] == 6  # the glass: only after check-ins
    capped = playtest_json(str(content), "--exhaustive", "--max-states", "2")[1]
    assert capped["profiles"]["free"]["truncated"] is True


def test_chapter_scope_on_the_shipped_story() -> None:
    story = load(CONTENT)
    chapter = next(iter(story.chapters))
    code, data = playtest_json(
        str(CONTENT), "--exhaustive", "--chapter", chapter, "--profile", "free"
    )
    fragments = [f.id for f in story.by_index if f.chapter == chapter]
    assert data["coverage"]["fragments"]["total"] == len(fragments)
    assert code == (0 if data["ok"] else 1)
    bad = runner.invoke(app, ["playtest", str(CONTENT), "--chapter", "nope"])
    assert bad.exit_code == 2


def test_shipped_story_playtest_reaches_every_fragment_and_ending() -> None:
    """Random runs, then the directed search, reach every fragment and every ending of the
    shipped story with no soft-lock or error; each route the search reports replays."""
    story = load(CONTENT)
    code, data = playtest_json(str(CONTENT), "--runs", "30")
    cov = data["coverage"]
    fragments = len(story.fragments)
    assert cov["fragments"] == {"covered": fragments, "total": fragments, "uncovered": []}
    endings = [f.id for f in story.by_index if f.ending is not None]
    assert cov["endings"] == {"covered": len(endings), "total": len(endings), "uncovered": []}
    assert cov["choices"]["total"] == sum(len(f.choices) for f in story.fragments.values())
    for profile in data["profiles"].values():
        assert set(profile["endings"]) <= set(endings)
        assert profile["errors"] == [] and profile["soft_locks"] == []
    assert code == 0 and data["ok"] is True
    for hit in data["directed"]["found"]:
        assert replayed(story, hit["replay"]) == hit["to"], hit


def replayed(story: Story, command: str) -> str | None:
    """Where a `diana preview ... --choices "..."` command leads, played as the preview plays
    (every button it presses must move the player)."""
    args = shlex.split(command)
    points = args[args.index("--points") + 1] if "--points" in args else None
    session = Session(
        story, Setup(vip="--vip" in args, points=None if points is None else int(points))
    )
    for line in args[args.index("--choices") + 1].split(","):
        action = parse(line).action
        assert action is not None
        shown = session.do(action)
        assert action.kind != "choose" or shown.outcome is Outcome.MOVED, (line, shown.outcome)
    return session.state.fragment


def test_declared_profiles(tmp_path: Path) -> None:
    content = story_dir(tmp_path, HUB)
    (content / "tests").mkdir()
    (content / "tests" / "_profiles.yaml").write_text(
        "profiles:\n  rico: {points: 100, description: a rich free player}\n", encoding="utf-8"
    )
    code, data = playtest_json(str(content), "--runs", "30", "--profile", "rico")
    assert code == 0 and list(data["profiles"]) == ["rico"]
    assert data["profiles"]["rico"]["paywall"]["events"].get("NotEnoughPoints", 0) == 0
    unknown = runner.invoke(app, ["playtest", str(content), "--profile", "nadie"])
    assert unknown.exit_code == 2 and "rico" in unknown.output


def test_a_crash_is_reported_as_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    story = load(story_dir(tmp_path, HUB))

    def broken(self: Engine, state: object, ref: str, now: datetime) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(Engine, "choose", broken)
    tally = random_runs(story, BUILTIN[0], Coverage(), seed=1, runs=3, max_steps=10, now=NOW)
    assert [e["error"] for e in tally.errors] == ["RuntimeError: boom"] * 3
    report = run(story, "x", [BUILTIN[0]], Options(runs=3), NOW)
    assert not report.ok


def test_relevance_caps_counters_compared_with_literals(tmp_path: Path) -> None:
    chapter = HUB.replace(
        "{label: {es: Salir, en: Leave}, to: fin_malo}",
        "{label: {es: Salir, en: Leave}, to: fin_malo,"
        " if: 'romantic >= 2 and visits(\"salon\") < 3'}",
    )
    relevance = Relevance.of(load(story_dir(tmp_path, chapter)))
    assert relevance.caps["romantic"] == 2 and relevance.caps["visits:salon"] == 3
    assert "trust" not in relevance.caps  # emotions go both ways: never capped


def test_help_and_subprocess(tmp_path: Path) -> None:
    helped = runner.invoke(app, ["playtest", "--help"])
    assert helped.exit_code == 0 and "Example" in helped.output
    diana = Path(sys.executable).parent / "diana"
    proc = subprocess.run(
        [str(diana), "playtest", str(story_dir(tmp_path, STUCK)), "--runs", "3"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1 and "soft-lock" in proc.stdout and "Traceback" not in proc.stderr
