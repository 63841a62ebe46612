"""`diana test`: writers' golden transcripts, kept beside the story in `<story>/tests/*.yaml`.

A transcript is friendly YAML: a few settings (`vip: true`, `points: 40`, `lang: en`...) and
`steps`, each an action (`choose: "button label"`, `checkin`, `advance_days: 1`, `grant: 20`,
`vip: false`, `jump: salon_principal`, `lang: en`, `back`) and/or an `expect:` block checked
against what the player sees after it. It plays through the same `Session` as the preview, so
a transcript is exactly what `diana preview` would show. Files starting with `_` are not
transcripts (`_profiles.yaml` holds playtest profiles).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cli.play.expect import ExpectError, compare
from cli.play.session import Action, ActionKind, Session, SessionError, Setup, Shown, parse_when
from engine.content.compiled import Story
from engine.runtime import Outcome

SETTINGS = {"name", "description", "vip", "points", "emotions", "date", "lang", "seed", "player"}
SETTINGS |= {"start", "steps"}
ACTIONS = ("choose", "checkin", "advance_days", "grant", "vip", "jump", "lang", "back")


class TranscriptError(Exception):
    """The transcript itself is malformed (not a failing expectation)."""


@dataclass(frozen=True, slots=True)
class Failure:
    step: int
    line: int
    title: str
    diff: str
    context: str = ""


@dataclass(frozen=True, slots=True)
class Result:
    path: Path
    name: str
    steps: int
    failure: Failure | None


def transcripts(path: Path) -> tuple[Path, list[Path]]:
    """(story folder, transcript files) for a story folder, its tests/ folder or one file."""
    if path.is_file():
        return path.parent.parent, [path]
    if path.name == "tests" and not (path / "tests").is_dir():
        return path.parent, _yaml_in(path)
    return path, _yaml_in(path / "tests")


def _yaml_in(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    found = [*folder.glob("*.yaml"), *folder.glob("*.yml")]
    return sorted(p for p in found if not p.name.startswith("_"))


def _step_lines(text: str) -> list[int]:
    """The line of every step, from the YAML node marks (for messages)."""
    root = yaml.compose(text)
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "steps" and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    return []


def _setup(spec: dict[str, Any], story: Story) -> Setup:
    unknown = sorted(set(spec) - SETTINGS)
    if unknown:
        raise TranscriptError(f"unknown setting {unknown[0]!r}{_close(unknown[0], SETTINGS)}")
    player = spec.get("player") or {}
    emotions = spec.get("emotions") or {}
    if not isinstance(player, dict) or not isinstance(emotions, dict):
        raise TranscriptError("`player` and `emotions` are mappings, e.g. emotions: {trust: 50}")
    date = spec.get("date")
    return Setup(
        seed=int(spec["seed"] if "seed" in spec else player.get("seed", 1)),
        name=str(player.get("name", "Ana")),
        language=spec.get("lang", player.get("lang")),
        start=spec.get("start"),
        vip=bool(spec.get("vip", False)),
        points=spec.get("points"),
        emotions={str(k): int(v) for k, v in emotions.items()},
        when=parse_when(str(date), story) if date is not None else None,
    )


def _close(word: str, options: set[str] | tuple[str, ...]) -> str:
    found = difflib.get_close_matches(word, list(options), n=1)
    return f"; did you mean {found[0]!r}?" if found else ""


def run(story: Story, path: Path) -> Result:
    text = path.read_text(encoding="utf-8")
    try:
        lines = _step_lines(text)
        spec = yaml.safe_load(text) or {}
        if not isinstance(spec, dict) or not isinstance(spec.get("steps"), list):
            raise TranscriptError("a transcript is a mapping with a list of `steps:`")
        session = Session(story, _setup(spec, story))
    except (TranscriptError, SessionError, ValueError, yaml.YAMLError) as exc:
        return Result(path, path.stem, 0, Failure(0, 1, "setting up", str(exc)))
    name = str(spec.get("name", path.stem))
    shown = session.opening
    for number, step in enumerate(spec["steps"], start=1):
        line = lines[number - 1] if number <= len(lines) else 0
        title = _describe(step)
        try:
            shown, title = _act(session, shown, step)
            expect = step.get("expect") if isinstance(step, dict) else None
            checked = isinstance(expect, dict) and "outcome" in expect
            if title.startswith("choose") and not checked and shown.outcome is not Outcome.MOVED:
                outcome = shown.outcome.value if shown.outcome else "?"
                raise ExpectError({"outcome": "moved"}, {"outcome": outcome})
            if expect:
                compare(session, shown, expect)
        except ExpectError as exc:
            return Result(
                path, name, number, Failure(number, line, title, exc.diff, _where(session))
            )
        except (TranscriptError, SessionError) as exc:
            return Result(
                path, name, number, Failure(number, line, title, str(exc), _where(session))
            )
    return Result(path, name, len(spec["steps"]), None)


def _describe(step: object) -> str:
    if isinstance(step, dict) and step:
        action = next((a for a in ACTIONS if a in step), next(iter(step)))
        value = step.get(action)
        return f"{action}: {value}" if value is not None and action != "expect" else str(action)
    return str(step)


def _where(session: Session) -> str:
    state = session.state
    fragment = session.story.fragments.get(state.fragment or "")
    labels = ", ".join(
        repr(b.label) + ("" if b.available else " (locked)") for b in session.frame.screen.buttons
    )
    at = f"{fragment.id} ({fragment.pos.path}:{fragment.pos.line})" if fragment else "nowhere"
    return f"the player is at {at}; buttons: {labels or 'none'}"


def _act(session: Session, shown: Shown, step: object) -> tuple[Shown, str]:
    """Perform a step's action (if any); returns what it showed and a title for messages."""
    if isinstance(step, str):
        step = {step: None}
    if not isinstance(step, dict):
        raise TranscriptError(f"a step is an action or an `expect:` block, not {step!r}")
    extra = sorted(set(step) - {*ACTIONS, "expect"})
    if extra:
        raise TranscriptError(f"unknown step key {extra[0]!r}{_close(extra[0], ACTIONS)}")
    actions = [a for a in ACTIONS if a in step]
    if len(actions) > 1:
        raise TranscriptError(f"one action a step, got {', '.join(actions)}")
    if not actions:
        return shown, "expect"
    action, arg = actions[0], step[actions[0]]
    title = f"{action}: {arg}" if arg is not None else action
    if action == "choose":
        if isinstance(arg, int) and not isinstance(arg, bool):
            return session.press(arg), title
        labels = [b.label for b in session.frame.screen.buttons]
        if str(arg) not in labels:
            raise ExpectError({"buttons include": [str(arg)]}, {"buttons include": labels})
        return session.press_label(str(arg)), title
    if action == "back":
        if not session.back():
            raise TranscriptError("nothing to go back to")
        return session.current(), title
    if action == "vip":
        if bool(arg if arg is not None else True) == session.state.vip_active(session.now):
            return session.current(), title
        return session.do(Action("vip")), title
    kinds: dict[str, ActionKind] = {
        "checkin": "checkin",
        "advance_days": "advance",
        "grant": "grant",
        "jump": "jump",
        "lang": "language",
    }
    value = "" if arg is None else str(arg)
    if action == "advance_days" and not value.isdigit():
        raise TranscriptError(f"advance_days takes a whole number of days, not {arg!r}")
    return session.do(Action(kinds[action], value)), title
