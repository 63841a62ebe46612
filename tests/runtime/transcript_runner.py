"""Golden transcripts: play a case under tests/stories/<case>/ and compare every step.

A case is a tiny content folder laid over tests/stories/_base/ (a file in the case replaces the
base file at the same path) plus `transcript.yaml`. A case with `story_v1/`, `story_v2/`...
folders ships several content versions (each laid over base + the case's own files); the
transcript switches between them with `content: v2`. A transcript may play another case's
content with `story_from: <case>` (the same story in another language, say).

Every step's full result (outcome, output, events, state; or the error raised) is recorded, so
the direct run and the JSON round-trip run can be compared step by step (`compare_runs`), not
only against the expectations the transcript gives. See tests/stories/README.md.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from engine.content import Story, load_story
from engine.content.diagnostics import Severity
from engine.runtime import (
    AdminGrant,
    Button,
    CheckIn,
    Comment,
    Engine,
    ExpireVip,
    GrantVip,
    Output,
    Payment,
    PlayerState,
    PointsAwarded,
    PointsCharged,
    Post,
    Reaction,
    ReturnAfterAbsence,
    RuntimeMisuse,
    Step,
    Trigger,
    dumps_state,
    loads_state,
)

STORIES = Path(__file__).parent.parent / "stories"
BASE = STORIES / "_base"
DEFAULT_CLOCK = "2025-03-01T10:00:00+00:00"
TRIGGERS: dict[str, Callable[..., Trigger]] = {
    "check_in": CheckIn,
    "reaction": Reaction,
    "comment": Comment,
    "post": Post,
    "payment": Payment,
    "grant_vip": GrantVip,
    "expire_vip": ExpireVip,
    "admin": AdminGrant,
    "return": ReturnAfterAbsence,
}
ACTIONS = ("start", "choose", "ref", "trigger", "advance", "at", "content", "migrate", "view")


def cases() -> list[str]:
    return sorted(
        p.name
        for p in STORIES.iterdir()
        if p.is_dir() and not p.name.startswith("_") and (p / "transcript.yaml").exists()
    )


def transcript(case: str) -> dict[str, Any]:
    spec = yaml.safe_load((STORIES / case / "transcript.yaml").read_text(encoding="utf-8"))
    if not isinstance(spec, dict):
        raise TranscriptError(f"{case}: transcript.yaml must be a mapping")
    return spec


def content_case(case: str) -> str:
    """The case whose content this case plays: its own, or the one named by `story_from`."""
    source = transcript(case).get("story_from")
    if source is None:
        return case
    if not (STORIES / str(source) / "transcript.yaml").exists():
        raise TranscriptError(f"{case}: story_from names no case: {source!r}")
    return str(source)


def versions(case: str) -> list[str]:
    """The content versions a case ships: `v1`, `v2`... or just `""` (the case folder)."""
    folder = STORIES / content_case(case)
    found = sorted(p.name.removeprefix("story_") for p in folder.glob("story_v*"))
    return found or [""]


def build(case: str, version: str, dest: Path) -> Path:
    """Base, then the case's own files, then the version's files, into `dest`."""
    case_dir = STORIES / content_case(case)
    own = [p.name for p in (STORIES / case).iterdir() if p.name != "transcript.yaml"]
    if case_dir != STORIES / case and own:
        raise TranscriptError(f"{case}: plays {case_dir.name}'s story, so ships none: {own}")
    shutil.copytree(BASE, dest)
    layers = [case_dir] + ([case_dir / f"story_{version}"] if version else [])
    for layer in layers:
        for src in sorted(layer.rglob("*")):
            rel = src.relative_to(layer)
            if src.is_dir() or rel.parts[0].startswith("story_v") or rel.name == "transcript.yaml":
                continue
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest / rel)
    return dest


def compile_case(case: str, version: str, dest: Path) -> Story:
    result = load_story(build(case, version, dest))
    errors = [str(d) for d in result.diagnostics.sorted() if d.severity is Severity.ERROR]
    assert not errors and result.story is not None, f"{case} {version}: content errors:\n" + (
        "\n".join(errors)
    )
    return result.story


class TranscriptError(AssertionError):
    pass


@dataclass(frozen=True)
class Record:
    """Everything one step produced, for comparing the direct and round-trip runs."""

    step: str
    outcome: str | None = None
    output: Output | None = None
    events: tuple[dict[str, Any], ...] = ()
    state: PlayerState | None = None
    error: str | None = None
    clock: str | None = None


@dataclass
class Player:
    """Replays one transcript; `roundtrip` reloads the state from JSON before every step."""

    case: str
    stories: Mapping[str, Story]
    roundtrip: bool
    spec: dict[str, Any] = field(default_factory=dict)
    ledger: int = 0
    buttons: tuple[Button, ...] = ()
    named: dict[str, tuple[Button, ...]] = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)

    def play(self) -> Player:
        self.spec = transcript(self.case)
        version = str(self.spec.get("content", next(iter(self.stories))))
        self.engine = Engine(self.stories[version])
        self.now = _time(self.spec.get("clock", DEFAULT_CLOCK))
        p = self.spec.get("player", {})
        first = self.engine.new_player(
            seed=p.get("seed", 1),
            language=p.get("language"),
            timezone=p.get("timezone"),
            name=p.get("name", "Ana"),
        )
        self.state = first.state
        self._account(first)
        self._record("new player", first)
        for number, step in enumerate(self.spec["steps"], start=1):
            try:
                self._step(step)
            except TranscriptError as exc:
                mode = "json round-trip" if self.roundtrip else "direct"
                raise TranscriptError(
                    f"{self.case}, step {number} ({_describe(step)}), {mode}:\n{exc}"
                ) from None
        return self

    def _record(self, label: str, result: Step) -> None:
        self.records.append(
            Record(
                label,
                str(result.outcome),
                result.output,
                tuple(e.as_dict() for e in result.events),
                result.state,
            )
        )

    # --- one step --------------------------------------------------------------------------

    def _step(self, step: dict[str, Any]) -> None:
        actions = [a for a in ACTIONS if a in step]
        if len(actions) != 1:
            raise TranscriptError(f"a step needs exactly one of {ACTIONS}, got {sorted(step)}")
        action = actions[0]
        arg = step[action]
        expect: dict[str, Any] = step.get("expect") or {}
        if self.roundtrip:
            saved = dumps_state(self.state)
            reloaded = loads_state(saved)
            _check(reloaded == self.state, "state differs after a JSON round-trip")
            _check(dumps_state(reloaded) == saved, "JSON differs after a round-trip")
            self.state = reloaded
        label = _describe(step)
        if action in ("advance", "at", "content"):
            if action == "advance":
                self.now += timedelta(**arg)
            elif action == "at":
                self.now = _time(arg)
            else:
                self.engine = Engine(self.stories[str(arg)])
            self.records.append(Record(label, clock=self.now.isoformat(), state=self.state))
            return
        before = self.state
        try:
            result = self._perform(action, arg)
        except RuntimeMisuse as exc:
            got = type(exc).__name__
            self.records.append(Record(label, error=f"{got}: {exc}", state=self.state))
            _check(expect.get("error") == got, f"raised {got}: {exc}")
            if "error_contains" in expect:
                _check(expect["error_contains"] in str(exc), f"error message: {exc}")
            return
        _check("error" not in expect, f"expected {expect.get('error')}, got {result.outcome}")
        self._record(label, result)
        self._account(result)
        if action != "view":  # view() shows, but does not return, a migrated state
            self._invariants(result.state)
        self._expect(expect, before, result)
        self.state = result.state
        if (
            result.output.buttons
            or result.output.ended
            or any(p.kind == "fragment" for p in result.output.parts)
        ):
            self.buttons = result.output.buttons
        if "name" in step:
            self.named[str(step["name"])] = result.output.buttons

    def _perform(self, action: str, arg: Any) -> Step:
        e, s, now = self.engine, self.state, self.now
        if action == "start":
            return e.start(s, now, (arg or {}).get("chapter"))
        if action == "choose":
            return e.choose(s, self._press(arg), now)
        if action == "ref":
            return e.choose(s, arg, now)
        if action == "migrate":
            return e.migrate(s, now)
        if action == "view":
            out = e.view(s, now)
            return Step(s, out, (), e.migrate(s, now).outcome)
        name, args = (arg, {}) if isinstance(arg, str) else next(iter(arg.items()))
        if name not in TRIGGERS:
            raise TranscriptError(f"unknown trigger '{name}'; known: {sorted(TRIGGERS)}")
        return e.trigger(s, TRIGGERS[name](**(args or {})), now)

    def _press(self, arg: str | dict[str, Any]) -> str:
        label, source = (
            (arg, self.buttons) if isinstance(arg, str) else (arg["label"], self.named[arg["from"]])
        )
        for button in source:
            if button.label == label:
                return button.ref
        raise TranscriptError(f"no button '{label}'; offered: {[b.label for b in source]}")

    # --- checks ----------------------------------------------------------------------------

    def _account(self, step: Step) -> None:
        for event in step.events:
            if isinstance(event, PointsAwarded):
                self.ledger += event.amount
            elif isinstance(event, PointsCharged):
                self.ledger -= event.amount
        _check(
            self.ledger == step.state.points,
            f"points {step.state.points} != ledger of events {self.ledger}",
        )

    def _invariants(self, state: PlayerState) -> None:
        _check(state.points >= 0, f"negative points {state.points}")
        for name, dim in self.engine.story.emotions.dimensions.items():
            value = state.emotions[name]
            _check(dim.low <= value <= dim.high, f"{name}={value} outside bounds")

    def _expect(self, expect: dict[str, Any], before: PlayerState, result: Step) -> None:
        out = result.output
        if "outcome" in expect:
            _same("outcome", str(result.outcome), expect["outcome"])
        if "texts" in expect:
            _same("texts", list(out.texts), [str(t) for t in expect["texts"]])
        if "kinds" in expect:
            _same("part kinds", [p.kind for p in out.parts], expect["kinds"])
        if "text_ids" in expect:
            _same("text ids", [p.text_id for p in out.parts], expect["text_ids"])
        if "speakers" in expect:
            _same("speakers", [p.speaker for p in out.parts], expect["speakers"])
        if "speaker_names" in expect:
            _same("speaker names", [p.speaker_name for p in out.parts], expect["speaker_names"])
        if "media" in expect:
            _media(out, expect["media"])
        if "pauses" in expect:
            _same("pauses", [p.pause for p in out.parts], [float(x) for x in expect["pauses"]])
        if "buttons" in expect:
            _buttons(out, expect["buttons"])
        if "ended" in expect:
            _same("ended", out.ended, expect["ended"])
        if "events" in expect:
            _events(result, expect["events"], exact=True)
        if "events_include" in expect:
            _events(result, expect["events_include"], exact=False)
        if expect.get("unchanged"):
            _check(
                result.state == before and result.state.step == before.step,
                "expected the state unchanged",
            )
        if "state" in expect:
            _state(self.engine.story, result.state, expect["state"])


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise TranscriptError(message)


def _same(what: str, got: object, want: object) -> None:
    _check(got == want, f"{what}:\n   got: {got!r}\n  want: {want!r}")


def _time(text: str | datetime) -> datetime:
    t = text if isinstance(text, datetime) else datetime.fromisoformat(text)
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def _describe(step: dict[str, Any]) -> str:
    action = next((a for a in ACTIONS if a in step), "?")
    return f"{action}: {step.get(action)!r}"


MEDIA_KEYS = ("kind", "file", "caption", "caption_id")


def _media(out: Output, want: list[Any]) -> None:
    """Every message's media: null (none) or the keys given of {kind, file, caption, caption_id}."""
    for item in want:
        if item is not None and (not isinstance(item, dict) or set(item) - set(MEDIA_KEYS)):
            raise TranscriptError(f"media: expected null or a mapping of {MEDIA_KEYS}, got {item}")
    got = [p.media._asdict() if p.media is not None else None for p in out.parts]
    shown = [
        g if g is None or w is None else {k: g[k] for k in w}
        for g, w in zip(got, want, strict=False)
    ]
    _check(
        len(got) == len(want) and shown == want,
        f"media:\n   got: {got}\n  want: {want}",
    )


def compare_runs(direct: Player, json: Player) -> None:
    """The direct and the JSON round-trip run of one case agree on every step, in full:
    outcome, every message (text, ids, speaker, media, pause), buttons (refs included),
    events, the state (equal, and equal JSON) or the error raised, and the clock."""
    a, b = direct.records, json.records
    _check(len(a) == len(b), f"{direct.case}: direct made {len(a)} steps, json {len(b)}")
    for number, (x, y) in enumerate(zip(a, b, strict=True)):
        where = f"{direct.case}, step {number} ({x.step})" if number else f"{direct.case}, start"
        for name in ("outcome", "output", "events", "error", "clock", "state"):
            got, other = getattr(x, name), getattr(y, name)
            if name == "state" and got is not None and other is not None:
                got, other = dumps_state(got).decode(), dumps_state(other).decode()
                _check(x.state == y.state, f"{where}: states differ, JSON:\n  {got}\n  {other}")
            _check(
                got == other,
                f"{where}: direct and json round-trip runs differ in {name}:\n"
                f"  direct: {got!r}\n    json: {other!r}",
            )


def _buttons(out: Output, want: list[Any]) -> None:
    got = [
        {
            "label": b.label,
            "available": b.available,
            "lock": b.lock,
            "reason": b.reason,
            "cost": b.cost,
        }
        for b in out.buttons
    ]
    expected = []
    for item in want:
        spec = {"label": item} if isinstance(item, str) else dict(item)
        spec.setdefault("available", "lock" not in spec)
        expected.append(spec)
    shown = [{k: g[k] for k in w} for g, w in zip(got, expected, strict=False)]
    _check(
        len(got) == len(expected) and shown == expected,
        f"buttons:\n   got: {got}\n  want: {expected}",
    )


def _events(step: Step, want: list[Any], *, exact: bool) -> None:
    got = [e.as_dict() for e in step.events]
    specs = []
    for item in want:
        if isinstance(item, str):
            specs.append({"type": item})
        else:
            ((kind, fields),) = item.items()
            specs.append({"type": kind, **(fields or {})})

    def matches(event: dict[str, Any], spec: dict[str, Any]) -> bool:
        return all(event.get(k) == v for k, v in spec.items())

    listing = "\n".join(f"    {g}" for g in got)
    if exact:
        ok = len(got) == len(specs) and all(map(matches, got, specs))
    else:
        it = iter(got)
        ok = all(any(matches(g, spec) for g in it) for spec in specs)
    _check(ok, f"events:\n  got:\n{listing}\n  want ({'exact' if exact else 'in order'}): {specs}")


def _state(story: Story, s: PlayerState, want: dict[str, Any]) -> None:
    flat: dict[str, Callable[[], object]] = {
        "fragment": lambda: s.fragment,
        "chapter": lambda: s.chapter,
        "points": lambda: s.points,
        "lifetime_points": lambda: s.lifetime_points,
        "streak": lambda: s.streak,
        "step": lambda: s.step,
        "mood": lambda: s.mood,
        "vip": lambda: s.vip_tier,
        "vip_until": lambda: s.vip_until.isoformat() if s.vip_until else None,
        "last_checkin": lambda: s.last_checkin.isoformat() if s.last_checkin else None,
        "level": lambda: story.economy.level_for(s.lifetime_points).id,
        "clues": lambda: sorted(s.clues),
        "achievements": lambda: sorted(s.achievements),
    }
    subsets: dict[str, Mapping[str, object]] = {
        "emotions": s.emotions,
        "variables": s.variables,
        "archetypes": s.archetypes,
        "visits": s.visits.to_dict(),
        "chosen": s.chosen.to_dict(),
    }
    for key, value in want.items():
        if key in flat:
            got = flat[key]()
            _same(f"state.{key}", got, sorted(value) if isinstance(value, list) else value)
        elif key in subsets:
            part = subsets[key]
            _same(f"state.{key}", {k: part.get(k) for k in value}, value)
        elif key == "no_variables":
            _same("absent variables", [k for k in value if k in s.variables], [])
        elif key == "no_emotions":
            _same("absent emotions", [k for k in value if k in s.emotions], [])
        else:
            raise TranscriptError(f"unknown state key '{key}'")
