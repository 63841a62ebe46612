"""PlayerState as compact JSON, with a format version and a minimum compatible version.

A writer stamps `v` (the format it wrote) and `min` (the oldest reader format that can read
it). A reader accepts any `min` up to its own format and ignores fields it does not know, so a
newer engine can add optional fields without locking older ones out; a reader refuses a state
whose `min` is newer than it, with a message that says so. Times are ISO 8601 (exact to the
microsecond), maps are sorted so equal states serialise to equal bytes.

A reader also refuses values no engine writes: negative points, lifetime points, streak or
step, and visit or choice counts below 1 (a count is stored from its first time). Emotion
bounds belong to the story, not the format: the engine clamps them when it migrates a state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

from engine.content.compiled import Scalar
from engine.runtime.errors import StateFormatError, StateFormatTooNew
from engine.runtime.pmap import PMap
from engine.runtime.state import Engagement, PlayerState

STATE_FORMAT = 1
"""The format this engine writes and the newest it reads."""
MIN_COMPATIBLE = 1
"""The oldest reader format that can read what this engine writes."""

T = TypeVar("T")


def dumps_state(state: PlayerState) -> bytes:
    s = state
    data: dict[str, Any] = {
        "v": STATE_FORMAT,
        "min": MIN_COMPATIBLE,
        "seed": s.seed,
        "lang": s.language,
        "tz": s.timezone,
        "name": s.name,
        "content": s.content_version,
        "frag": s.fragment,
        "chap": s.chapter,
        "visits": s.visits.to_dict(),
        "chosen": s.chosen.to_dict(),
        "vars": dict(sorted(s.variables.items())),
        "emo": dict(sorted(s.emotions.items())),
        "arch": dict(sorted(s.archetypes.items())),
        "clues": sorted(s.clues),
        "mood": s.mood,
        "vip": s.vip_tier,
        "vip_until": _time(s.vip_until),
        "pts": s.points,
        "life": s.lifetime_points,
        "streak": s.streak,
        "checkin": s.last_checkin.isoformat() if s.last_checkin else None,
        "eng": {
            kind: [e.last_at.isoformat(), e.day.isoformat(), e.earned]
            for kind, e in sorted(s.engagement.items())
        },
        "ach": sorted(s.achievements),
        "step": s.step,
        "seen": _time(s.last_seen),
    }
    return orjson.dumps(data)


def loads_state(raw: bytes | str) -> PlayerState:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise StateFormatError(f"player state is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise StateFormatError("player state must be a JSON object")
    r = _Reader(data)
    version = r.get("v", int)
    minimum = r.get("min", int)
    if minimum > STATE_FORMAT:
        raise StateFormatTooNew(version, minimum, STATE_FORMAT)
    return PlayerState(
        seed=r.get("seed", int),
        language=r.get("lang", str),
        timezone=r.valid("tz", _zone),
        name=r.get("name", str),
        content_version=r.get("content", str),
        fragment=r.opt("frag", str),
        chapter=r.opt("chap", str),
        visits=PMap(r.map("visits", _count)),
        chosen=PMap(r.map("chosen", _count)),
        variables=r.map("vars", _scalar),
        emotions=r.map("emo", _int),
        archetypes=r.map("arch", _int),
        clues=frozenset(r.list("clues", str)),
        mood=r.get("mood", str),
        vip_tier=r.opt("vip", str),
        vip_until=r.parse("vip_until", _parse_time),
        points=r.natural("pts"),
        lifetime_points=r.natural("life"),
        streak=r.natural("streak"),
        last_checkin=r.parse("checkin", date.fromisoformat),
        engagement=r.map("eng", _engagement),
        achievements=frozenset(r.list("ach", str)),
        step=r.natural("step"),
        last_seen=r.parse("seen", _parse_time),
    )


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None
    return name


def _time(t: datetime | None) -> str | None:
    return t.isoformat() if t is not None else None


def _parse_time(text: str) -> datetime:
    t = datetime.fromisoformat(text)
    if t.tzinfo is None:
        raise ValueError("time without a UTC offset")
    return t


def _scalar(value: object) -> Scalar:
    if isinstance(value, bool | int | str):
        return value
    raise TypeError("true/false, a whole number or text")


def _engagement(value: object) -> Engagement:
    if (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], str)
        and isinstance(value[1], str)
        and type(value[2]) is int
    ):
        return Engagement(_parse_time(value[0]), date.fromisoformat(value[1]), value[2])
    raise TypeError("[last time, day, points earned that day]")


class _Reader:
    """Typed field access that names the field and the expected type on failure."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def _raw(self, key: str) -> Any:
        if key not in self.data:
            raise StateFormatError(f"player state has no field '{key}'")
        return self.data[key]

    def get(self, key: str, typ: type[T]) -> T:
        value = self._raw(key)
        if type(value) is not typ:
            raise StateFormatError(
                f"player state field '{key}' must be {typ.__name__}, got {type(value).__name__}"
            )
        return value

    def natural(self, key: str) -> int:
        """A count or balance: a whole number, 0 or more."""
        value = self.get(key, int)
        if value < 0:
            raise StateFormatError(f"player state field '{key}' must be 0 or more, got {value}")
        return value

    def opt(self, key: str, typ: type[T]) -> T | None:
        return None if self._raw(key) is None else self.get(key, typ)

    def valid(self, key: str, check: Callable[[str], str]) -> str:
        try:
            return check(self.get(key, str))
        except ValueError as exc:
            raise StateFormatError(f"player state field '{key}': {exc}") from None

    def parse(self, key: str, parser: Callable[[str], T]) -> T | None:
        text = self.opt(key, str)
        if text is None:
            return None
        try:
            return parser(text)
        except ValueError as exc:
            raise StateFormatError(f"player state field '{key}': {exc}") from None

    def list(self, key: str, typ: type[T]) -> list[T]:
        value = self._raw(key)
        if not isinstance(value, list) or any(type(v) is not typ for v in value):
            raise StateFormatError(f"player state field '{key}' must be a list of {typ.__name__}")
        return value

    def map(self, key: str, conv: Callable[[Any], T]) -> Mapping[str, T]:
        value = self._raw(key)
        if not isinstance(value, dict):
            raise StateFormatError(f"player state field '{key}' must be an object")
        out: dict[str, T] = {}
        for k, v in value.items():
            try:
                out[k] = conv(v)
            except (TypeError, ValueError) as exc:
                raise StateFormatError(f"player state field '{key}.{k}' must be {exc}") from None
        return out


def _count(value: object) -> int:
    """A visit or choice count: stored only once it is 1 or more."""
    if type(value) is int and value >= 1:
        return value
    raise TypeError(f"a whole number of 1 or more, got {value!r}")


def _int(value: object) -> int:
    if type(value) is int:
        return value
    raise TypeError("a whole number")
