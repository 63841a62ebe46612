"""The `expect:` block of a golden transcript: what the player should see and be after a step.

Numbers may be compared (`points: ">= 10"`); texts are matched on what the player reads (tags
stripped), so a writer copies from the preview. A mismatch is raised with a unified diff of the
expected keys against what was actually there.
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable
from typing import Any

import yaml

from cli.play.render import lock_reason, telegram
from cli.play.session import Session, Shown

_COMPARISON = re.compile(r"\s*(>=|<=|==|!=|>|<)\s*(-?\d+)\s*")
_OPS: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
}
KEYS = (
    "fragment",
    "chapter",
    "text contains",
    "text not contains",
    "says",
    "media",
    "buttons",
    "buttons include",
    "locked",
    "points",
    "streak",
    "level",
    "vip",
    "emotions",
    "state",
    "variables",
    "clues",
    "visited",
    "ended",
    "ending",
    "outcome",
)


class ExpectError(AssertionError):
    def __init__(self, want: dict[str, Any], got: dict[str, Any]) -> None:
        self.want, self.got = want, got
        super().__init__(self.diff)

    @property
    def diff(self) -> str:
        a = _dump(self.want).splitlines()
        b = _dump(self.got).splitlines()
        return "\n".join(difflib.unified_diff(a, b, "expected", "actual", lineterm="", n=3))


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def _number(got: int, want: object) -> bool:
    if isinstance(want, str):
        found = _COMPARISON.fullmatch(want)
        return found is not None and _OPS[found.group(1)](got, int(found.group(2)))
    return got == want


def _plain(html: str) -> str:
    return telegram(html, plain=True).plain


def compare(session: Session, shown: Shown, expect: object) -> None:
    if not isinstance(expect, dict):
        raise ExpectError({"expect": "a mapping of checks"}, {"expect": expect})
    unknown = [k for k in expect if k not in KEYS]
    if unknown:
        close = difflib.get_close_matches(str(unknown[0]), KEYS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ExpectError(
            {"expect": f"one of: {', '.join(KEYS)}"},
            {"expect": f"unknown check {unknown[0]!r}{hint}"},
        )
    got = {key: _check(session, shown, key, want) for key, want in expect.items()}
    if any(got[k] is not _SAME for k in got):
        raise ExpectError(
            dict(expect), {k: (expect[k] if v is _SAME else v) for k, v in got.items()}
        )


_SAME: Any = object()


def _check(session: Session, shown: Shown, key: str, want: Any) -> Any:
    """`_SAME` when `want` holds, else the actual value to show in the diff."""
    story, state, now = session.story, session.state, session.now
    texts = [p.text for p in shown.parts]
    plain = [_plain(t) for t in texts]
    if key in {"text contains", "text not contains", "says"}:
        pool = plain + texts
        if key == "says":
            raw = [p.text for p in shown.parts if p.kind == "response"]
            pool = raw + [_plain(t) for t in raw]
        items = want if isinstance(want, list) else [want]
        present = [any(str(i) in t for t in pool) for i in items]
        ok = all(present) if key != "text not contains" else not any(present)
        return _SAME if ok else [_gist(t) for t in plain]
    if key in {"buttons", "buttons include", "locked"}:
        screen = session.frame.screen.buttons
        if key != "locked":
            actual: list[Any] = [b.label for b in screen if b.available]
            wanted = list(want) if isinstance(want, list) else [want]
            ok = actual == wanted if key == "buttons" else all(w in actual for w in wanted)
            return _SAME if ok else actual
        if isinstance(want, dict):
            locked = {b.label: lock_reason(b, story) for b in screen if not b.available}
            ok = set(locked) == set(want) and all(
                str(w) in str(locked[k]) for k, w in want.items() if w
            )
            return _SAME if ok else locked
        actual = [b.label for b in screen if not b.available]
        return _SAME if actual == list(want or []) else actual
    if key in {"emotions", "variables"}:
        source = state.emotions if key == "emotions" else state.variables
        if not isinstance(want, dict):
            return f"a mapping such as {{trust: 20}}, not {want!r}"
        ok = all(
            k in source
            and (_number(v, w) if isinstance(v, int) and not isinstance(v, bool) else v == w)
            for k, w in want.items()
            for v in [source.get(k)]
        )
        return _SAME if ok else {k: source.get(k) for k in want}
    if key in {"clues", "visited"}:
        items = want if isinstance(want, list) else [want]
        have = state.clues if key == "clues" else set(state.visits.to_dict())
        return _SAME if all(i in have for i in items) else sorted(have)
    simple: dict[str, Callable[[], Any]] = {
        "fragment": lambda: state.fragment,
        "chapter": lambda: state.chapter,
        "state": lambda: state.mood,
        "level": lambda: story.economy.level_for(state.lifetime_points).id,
        "vip": lambda: state.vip_active(now),
        "ended": lambda: session.frame.screen.ended,
        "ending": lambda: _ending(session),
        "media": lambda: next((p.media.file for p in shown.parts if p.media), None),
        "outcome": lambda: shown.outcome.value if shown.outcome else None,
    }
    if key in {"points", "streak"}:
        value = state.points if key == "points" else state.streak
        return _SAME if _number(value, want) else value
    value = simple[key]()
    return _SAME if value == want else value


def _gist(text: str) -> str:
    """A message's first line, short enough for a diff."""
    first = text.strip().split("\n", 1)[0]
    return first if len(first) <= 90 and first == text.strip() else first[:87].rstrip() + "..."


def _ending(session: Session) -> str | None:
    fragment = session.story.fragments.get(session.state.fragment or "")
    return fragment.ending.type if fragment and fragment.ending else None
