"""What random runs miss, the playtester still reaches: a regular who comes back every day
builds a streak, and the directed search plays towards a narrow gate and reports a route that
`diana preview` replays. Small stories written here pin the findings exactly.
"""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from pathlib import Path

from playtest_helpers import load, playtest_json, runner, story_dir

from cli.main import app
from cli.play.distance import closed, distance
from cli.play.player import prepare
from engine.content import Story
from engine.content.expressions import Expression
from engine.runtime import Engine, PlayerState
from engine.runtime.evaluation import Context

ROOT = Path(__file__).parent.parent
NOW = datetime(2026, 1, 1, 20, tzinfo=UTC)


def room(i: int) -> str:
    return "inicio" if i == 0 else f"sala{i}"


def corridor(steps: int) -> str:
    """Rooms in a row; only the warm button at each raises trust enough for the last door,
    which opens when Diana trusts (trust >= 50: all five warm buttons)."""
    rooms = []
    for i in range(steps):
        nxt = room(i + 1) if i + 1 < steps else "puerta"
        rooms.append(
            f"""  - id: {room(i)}
    text: {{es: Sala {i}., en: Room {i}.}}
    choices:
      - {{id: calida, label: Cálida, to: {nxt}, effects: {{add: {{trust: 6}}}}}}
      - {{id: neutra, label: Neutra, to: {nxt}}}
      - {{id: fria, label: Fría, to: {nxt}, effects: {{add: {{trust: -6}}}}}}
"""
        )
    return (
        "kind: chapter\nid: main\ntitle: {es: Principal, en: Main}\nfragments:\n"
        + "".join(rooms)
        + """  - id: puerta
    text: {es: Una puerta., en: A door.}
    choices:
      - {id: abrir, label: Abrir, to: fin_bueno, if: 'state == "trusting"'}
      - {id: irse, label: Irse, to: fin_malo}
  - id: fin_bueno
    text: {es: Bien., en: Good.}
    ending: {title: {es: Bien, en: Good}, type: good}
  - id: fin_malo
    text: {es: Mal., en: Bad.}
    ending: {title: {es: Mal, en: Bad}, type: bad}
"""
    )


STREAK = """\
kind: chapter
id: main
title: {es: Principal, en: Main}
fragments:
  - id: inicio
    text: {es: El salón., en: The salon.}
    choices:
      - {id: pasear, label: Pasear, to: inicio, effects: {add: {count: 1}}}
      - {id: regalo, label: Regalo, to: fin_bueno, if: "streak >= 3", locked: show}
      - {id: salir, label: Salir, to: fin_malo, if: "count >= 20"}
  - id: fin_bueno
    text: {es: Bien., en: Good.}
    ending: {title: {es: Bien, en: Good}, type: good}
  - id: fin_malo
    text: {es: Mal., en: Bad.}
    ending: {title: {es: Mal, en: Bad}, type: bad}
"""

CONDITIONS = """\
kind: chapter
id: main
title: {es: Principal, en: Main}
fragments:
  - id: inicio
    text: {es: Entrada., en: Hall.}
    choices:
      - {id: y, label: Y, to: sala, if: "trust >= 40 and count >= 2"}
      - {id: o, label: O, to: sala, if: "trust >= 40 or flag"}
      - {id: estado, label: E, to: sala, if: 'state == "trusting"'}
      - {id: nunca, label: N, to: sala, if: 'not visited("sala") and visits("inicio") < 3'}
      - {id: ir, label: Ir, to: sala}
  - id: sala
    text: {es: Sala., en: Room.}
    choices:
      - {label: Volver, to: inicio}
      - {label: Salir, to: fin}
  - id: fin
    text: {es: Fin., en: The end.}
    ending: {title: {es: Fin, en: End}, type: good}
"""


def test_directed_search_opens_the_gate_random_runs_miss(tmp_path: Path) -> None:
    content = story_dir(tmp_path, corridor(5))
    args = (str(content), "--profile", "free", "--runs", "20")
    _, blind = playtest_json(*args, "--seek", "0")
    assert [u["id"] for u in blind["coverage"]["fragments"]["uncovered"]] == ["fin_bueno"]
    assert blind["coverage"]["endings"]["uncovered"] == ["fin_bueno"]
    assert blind["directed"] == {"budget": 0, "found": []}
    code, data = playtest_json(*args)
    assert code == 0 and data["coverage"]["fragments"]["uncovered"] == []
    assert data["coverage"]["choices"]["uncovered"] == []
    [hit] = data["directed"]["found"]
    warm = [f"{room(i)}.calida" for i in range(5)]
    assert hit["choice"] == "puerta.abrir" and hit["to"] == "fin_bueno"
    assert hit["profile"] == "free" and hit["path"] == [*warm, "puerta.abrir"]
    replay = runner.invoke(app, shlex.split(hit["replay"])[1:])
    assert replay.exit_code == 0 and "at: fin_bueno" in replay.output
    text = runner.invoke(app, ["playtest", *args])
    assert "found by directed search puerta.abrir -> fin_bueno" in text.output
    assert "endings covered: 2/2 (100%)" in text.output


def test_regular_comes_back_every_day_and_builds_a_streak(tmp_path: Path) -> None:
    content = story_dir(tmp_path, STREAK)
    args = (str(content), "--profile", "free", "--profile", "regular", "--seek", "0")
    code, data = playtest_json(*args, "--runs", "5")
    assert code == 0
    free, regular = data["profiles"]["free"], data["profiles"]["regular"]
    assert set(free["endings"]) == {"fin_malo"}  # no check-ins: the streak never starts
    assert regular["endings"] == {"fin_bueno": 5}  # a third evening, and the gift is new
    _, exhaustive = playtest_json(*args, "--exhaustive", "--max-states", "3000")
    assert exhaustive["profiles"]["regular"]["endings"].get("fin_bueno", 0) > 0
    assert exhaustive["profiles"]["free"]["endings"].get("fin_bueno", 0) == 0
    _, searched = playtest_json(str(content), "--profile", "free", "--runs", "3")
    assert searched["directed"]["found"] == []  # a free player can never reach it


def test_declared_profile_sessions_and_unknown_keys(tmp_path: Path) -> None:
    content = story_dir(tmp_path, STREAK)
    (content / "tests").mkdir()
    profiles = content / "tests" / "_profiles.yaml"
    profiles.write_text("profiles:\n  fiel: {session: 1}\n", encoding="utf-8")
    code, data = playtest_json(str(content), "--profile", "fiel", "--runs", "2", "--seek", "0")
    assert code == 0 and data["profiles"]["fiel"]["endings"] == {"fin_bueno": 2}
    assert data["profiles"]["fiel"]["soft_locks"] == []
    profiles.write_text("profiles:\n  fiel: {sesion: 1}\n", encoding="utf-8")
    bad = runner.invoke(app, ["playtest", str(content)])
    assert bad.exit_code == 2 and "sesion" in bad.output


def condition(story: Story, choice: str) -> Expression:
    found = next(c for c in story.fragments["inicio"].choices if c.id == choice)
    assert found.condition is not None
    return found.condition


def test_distance_measures_how_far_a_condition_is(tmp_path: Path) -> None:
    story = load(story_dir(tmp_path, CONDITIONS))
    engine = Engine(story)
    fresh, _ = prepare(engine, NOW, seed=1, name="A")
    state = engine.start(fresh, NOW).state

    def far(choice: str, s: PlayerState) -> int:
        return distance(story, condition(story, choice), Context(story, s, NOW))

    assert far("y", state) == 20 + 2  # trust 20 of 40, count 0 of 2
    assert far("o", state) == 1  # the flag is nearer than trust
    assert far("estado", state) == 30  # trusting: trust >= 50
    assert far("nunca", state) == 0
    warm, _ = prepare(engine, NOW, seed=1, name="A", emotions={"trust": 45})
    warm = engine.start(warm, NOW).state
    assert far("y", warm) == 2 and far("o", warm) == 0 and far("estado", warm) == 5
    never = condition(story, "nunca")
    assert not closed(story, never, Context(story, state, NOW))
    back = engine.choose(engine.choose(state, "inicio.ir", NOW).state, "sala.inicio", NOW).state
    assert closed(story, never, Context(story, back, NOW))  # visited: closed for good
    assert not closed(story, condition(story, "y"), Context(story, back, NOW))
