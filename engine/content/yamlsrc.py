"""Read one YAML file into plain data plus source positions; problems become diagnostics.

Only YAML 1.2's JSON-like core is built: mappings, sequences, text, integers, floats,
true/false and null. So `yes`, `no`, `on` and `off` stay text (YAML 1.1 made them booleans),
dates such as `2026-01-01` stay text, and any other explicit tag (`!!python/object`,
`!!timestamp`, `!!set`...) is refused with D101: nothing but plain data is ever constructed.

libyaml's C parser produces the event stream and ONE flat Python loop over the events builds
the values, records positions and enforces the limits. We do not use PyYAML's C composer:
it recurses once per nesting level and crashes the interpreter (segfault, not an exception)
on ~100,000 nested `[`; building from events is also faster, since the composer calls the
Python resolver for every scalar.

Duplicate keys are all reported (D102); the LAST value is kept, as PyYAML and JSON parsers
do. Aliases are not copied: an alias is the very object of its anchor, and positions below an
alias fall back to the alias. Each alias counts with every alias inside what it expands to,
so a "billion laughs" file is refused (D104) after a few dozen events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Protocol

import yaml
from yaml import events as ev
from yaml.reader import ReaderError

from engine.content.diagnostics import DiagnosticBag, Position

Loc = tuple[str | int, ...]

MAX_BYTES: Final = 1_048_576
MAX_ALIASES: Final = 100
MAX_DEPTH: Final = 64


@dataclass(slots=True)
class PositionMap:
    """1-based (line, col) of every value node and mapping key, by its path in the data."""

    path: str
    value_marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def value(self, loc: Loc) -> Position:
        """Where the value at `loc` starts, else its nearest recorded ancestor, else 1:1."""
        marks = self.value_marks
        found = marks.get(loc)
        if found is not None:  # the common case: skip building ancestor tuples
            return Position(self.path, found[0], found[1])
        for end in range(len(loc) - 1, -1, -1):
            found = marks.get(loc[:end])
            if found is not None:
                return Position(self.path, found[0], found[1])
        return Position(self.path)

    def key(self, loc: Loc) -> Position:
        """Where the mapping key of the value at `loc` is written; falls back like value()."""
        found = self.key_marks.get(loc)
        if found is not None:
            return Position(self.path, found[0], found[1])
        return self.value(loc)


@dataclass(slots=True)
class YamlDocument:
    path: str
    data: object | None  # None when the file could not be read
    positions: PositionMap
    lines: list[str]  # the text's lines, to print a source line under a diagnostic


def load_yaml(
    path: str,
    raw: bytes,
    bag: DiagnosticBag,
    *,
    max_bytes: int = MAX_BYTES,
    max_aliases: int = MAX_ALIASES,
    max_depth: int = MAX_DEPTH,
    size: int | None = None,
) -> YamlDocument:
    """Parse one file's bytes; never raises on bad content, reports into `bag` instead.

    `size` is the file's size when the caller did not read all of it (see `read_capped`).
    """
    doc = YamlDocument(path, None, PositionMap(path), [])
    size = max(len(raw), size or 0)
    if size > max_bytes:
        bag.add("D106", Position(path), size=size, limit=max_bytes)
        return doc
    text = _decode(path, raw, bag)
    if text is None:
        return doc
    doc.lines = _split_lines(text)
    build = _Builder(doc, bag, max_aliases, max_depth)
    error: tuple[int, int, str] | None = None
    try:
        build.run(text)
    except yaml.YAMLError as exc:
        error, build.failed = _syntax_error(exc, text), True
    tabs = _tab_columns(doc.lines, build.blocks) if build.track_blocks else {}
    for line, col in tabs.items():
        bag.add("D103", Position(path, line, col))
    if error is not None and error[0] not in tabs:  # the tab already explains the failure
        bag.add("D101", Position(path, error[0], error[1]), detail=error[2])
    if (error is None and build.documents == 0) or build.empty:
        bag.add("D107", Position(path))
    elif not build.failed:
        doc.data = build.data
    return doc


def read_capped(path: Path, max_bytes: int = MAX_BYTES) -> tuple[bytes, int]:
    """A file's bytes and size, reading at most `max_bytes + 1` of them.

    The size is asked of the file system first, so an oversized file (even a sparse 2 GB one)
    is never read; a file that grows after that is still cut at `max_bytes + 1`. The bytes are
    empty when the file is too large: `load_yaml(..., size=size)` then reports D106.
    """
    size = path.stat().st_size
    if size > max_bytes:
        return b"", size
    with path.open("rb") as fh:
        raw = fh.read(max_bytes + 1)
    if len(raw) > max_bytes:
        return b"", len(raw)
    return raw, len(raw)


# --- plain scalars: the YAML 1.2 core schema -------------------------------------------------
_WORDS: Final[dict[str, bool | None]] = {
    **dict.fromkeys(("", "~", "null", "Null", "NULL")),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}  # `yes/no/on/off` are deliberately absent: YAML 1.2 reads them as text
_NUMBER_START: Final = frozenset("-+.0123456789")
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_RADIX = re.compile(r"0o[0-7]+|0x[0-9a-fA-F]+")
_SPECIAL_FLOATS: Final = {
    f"{s}.{w}": float(f"{s}inf") for s in ("", "+", "-") for w in ("inf", "Inf", "INF")
} | {f".{w}": float("nan") for w in ("nan", "NaN", "NAN")}


def _plain(text: str) -> object:
    """The value of an untagged plain scalar; anything that is not null, bool or a number is
    text (so dates, `yes`, `1_000` and `1:30` stay strings)."""
    if text[:1] not in _NUMBER_START:
        return _WORDS.get(text, text) if len(text) < 6 else text
    try:
        if _INT.fullmatch(text):
            return int(text)
        if _FLOAT.fullmatch(text):
            return float(text)
        if _RADIX.fullmatch(text):
            return int(text[2:], 8 if text[1] == "o" else 16)
    except ValueError:  # more digits than int() accepts
        return text
    return _SPECIAL_FLOATS.get(text, text)


_CORE: Final = "tag:yaml.org,2002:"
_SCALAR_TAGS: Final = {_CORE + t: t for t in ("str", "int", "float", "bool", "null")}


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


# --- the builder -------------------------------------------------------------------------------
class _Events(Protocol):
    def get_event(self) -> ev.Event | None: ...


def _events(text: str) -> _Events:
    if yaml.__with_libyaml__:
        from yaml._yaml import CParser

        return CParser(text)
    return yaml.SafeLoader(text)  # pragma: no cover - pure-Python fallback, same events


_NO_KEY: Final = object()  # a mapping frame waiting for its next key
_SKIP: Final = object()  # the pending value belongs to a refused key: build it, keep nothing
_DISCARD: Final[Loc] = ("<discarded>",)  # positions under refused keys are filed here


class _Frame:
    __slots__ = ("anchor", "items", "key", "key_loc", "loc", "mapping", "weight")

    def __init__(self, anchor: str | None, is_map: bool) -> None:
        self.anchor = anchor
        self.mapping: dict[object, object] | None = {} if is_map else None
        self.items: list[object] | None = None if is_map else []
        self.loc: Loc = ()
        self.key: object = _NO_KEY
        self.key_loc: Loc = ()
        self.weight = 0  # alias expansions inside this collection, nested ones included


class _Builder:
    def __init__(
        self, doc: YamlDocument, bag: DiagnosticBag, max_aliases: int, max_depth: int
    ) -> None:
        self.path, self.bag = doc.path, bag
        self.values, self.keys = doc.positions.value_marks, doc.positions.key_marks
        self.max_aliases, self.max_depth = max_aliases, max_depth
        self.track_blocks = False  # only files with tabs need block-scalar line ranges
        self.blocks: list[tuple[int, int]] = []  # 1-based first..last lines of `|`/`>` content
        self.data: object = None
        self.documents = 0
        self.empty = False  # the one document has no content at all (e.g. just `---`)
        self.failed = False  # data is unusable: a D101/D104/D105 was reported
        self.expansions = 0
        self.firsts: dict[Loc, tuple[int, int]] = {}  # first place of each duplicated key

    def fail(self, code: str, pos: tuple[int, int], **fields: object) -> None:
        self.bag.add(code, Position(self.path, pos[0], pos[1]), **fields)
        self.failed = True

    def run(self, text: str) -> None:  # noqa: PLR0915 - one flat loop is the fast path
        get_event = _events(text).get_event
        self.track_blocks = "\t" in text
        values, anchors = self.values, dict[str, tuple[object, int]]()
        stack: list[_Frame] = []
        frame: _Frame | None
        while True:
            event = get_event()
            mark = event.start_mark if event is not None else None
            pos = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            if isinstance(event, ev.ScalarEvent):
                frame, tag = None, event.tag
                if tag is None:
                    value = _plain(event.value) if event.implicit[0] else event.value
                else:
                    value = self.tagged(tag, event.value, pos)
                if self.track_blocks and event.style in ("|", ">") and event.end_mark:
                    end = event.end_mark
                    self.blocks.append((pos[0] + 1, end.line + (1 if end.column else 0)))
                if event.anchor is not None:
                    anchors[event.anchor] = (value, 0)
            elif isinstance(event, ev.CollectionStartEvent):
                if len(stack) >= self.max_depth:
                    return self.fail("D105", pos, limit=self.max_depth)
                is_map = isinstance(event, ev.MappingStartEvent)
                if event.tag not in (None, "!", _CORE + ("map" if is_map else "seq")):
                    name = _tag_name(str(event.tag))
                    self.fail("D101", pos, detail=f"tag '{name}' is not allowed here")
                frame = _Frame(event.anchor, is_map)
                value = frame.mapping if is_map else frame.items
            elif isinstance(event, ev.CollectionEndEvent):
                done = stack.pop()
                if done.anchor is not None:
                    container = done.items if done.mapping is None else done.mapping
                    anchors[done.anchor] = (container, done.weight)
                if done.weight and stack:
                    stack[-1].weight += done.weight
                continue
            elif isinstance(event, ev.AliasEvent):
                frame, found = None, anchors.get(str(event.anchor))
                if found is None:
                    detail = f"alias '*{event.anchor}' has no complete anchor before it"
                    self.fail("D101", pos, detail=detail)
                    value = None
                else:
                    value, weight = found[0], found[1] + 1
                    self.expansions += weight
                    if self.expansions > self.max_aliases:
                        return self.fail("D104", pos, count=self.expansions, limit=self.max_aliases)
                    if stack:
                        stack[-1].weight += weight
            elif isinstance(event, ev.DocumentStartEvent):
                self.documents += 1
                if self.documents > 1:  # report the `---`, keep the first document
                    self.bag.add("D112", Position(self.path, *pos))
                    return None
                continue
            elif event is None or isinstance(event, ev.StreamEndEvent):
                return None
            else:  # stream start, document end
                continue
            # Place the node: as the root, a list item, a mapping key or a mapping value.
            if not stack:
                loc: Loc = ()
                self.data = value
                self.empty = (
                    value is None
                    and isinstance(event, ev.ScalarEvent)
                    and (event.value == "" and event.tag is None and event.anchor is None)
                )
            elif (items := stack[-1].items) is not None:
                loc = (*stack[-1].loc, len(items))
                items.append(value)
            elif (top := stack[-1]).key is _NO_KEY:
                if self.key(top, value, pos):
                    continue
                loc = _DISCARD  # a list or mapping used as a key: build it, then drop it
            else:
                key, top.key = top.key, _NO_KEY
                loc = _DISCARD if key is _SKIP else top.key_loc
                if key is not _SKIP and top.mapping is not None:
                    top.mapping[key] = value
            values[loc] = pos
            if frame is not None:
                frame.loc = loc
                stack.append(frame)

    def key(self, top: _Frame, key: object, pos: tuple[int, int]) -> bool:
        """File `key` as `top`'s pending key; False (after a D101) when it cannot be one."""
        if isinstance(key, (list, dict)):
            top.key = _SKIP
            self.fail("D101", pos, detail="a list or mapping cannot be a mapping key")
            return False
        part = key if isinstance(key, (str, int)) else str(key)
        loc = (*top.loc, part)
        if top.mapping is not None and key in top.mapping:
            first = self.firsts.setdefault(loc, self.keys.get(loc, pos))
            self.bag.add("D102", Position(self.path, *pos), key=key, first_line=first[0])
        self.keys[loc] = pos
        top.key, top.key_loc = key, loc
        return True

    def tagged(self, tag: str, text: str, pos: tuple[int, int]) -> object:
        """An explicitly tagged scalar: only the core tags are allowed, checked against text."""
        kind = "str" if tag == "!" else _SCALAR_TAGS.get(tag)
        if kind == "str":
            return text
        value = _plain(text)
        if kind == "float" and type(value) is int:
            return float(value)
        wanted = {"int": int, "float": float, "bool": bool, "null": type(None)}.get(str(kind))
        if wanted is not None and type(value) is wanted:
            return value
        name = _tag_name(tag)
        wrong = f"'{text}' is not a valid {name}"
        self.fail("D101", pos, detail=f"tag '{name}' is not allowed" if wanted is None else wrong)
        return None


# --- bytes, lines, tabs and parser errors ------------------------------------------------------
def _decode(path: str, raw: bytes, bag: DiagnosticBag) -> str | None:
    """UTF-8 text without its BOM, or None after a D108 at the first bad byte."""
    bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    body = raw[bom:]
    nul = body.find(b"\0")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
    else:
        if nul < 0:
            return text
        bad = len(body)
    offset = min(nul, bad) if nul >= 0 else bad
    detail = "contains NUL bytes" if offset == nul else f"invalid UTF-8 at byte {bom + bad}"
    start = body.rfind(b"\n", 0, offset) + 1
    col = len(body[start:offset].decode("utf-8", "replace")) + 1
    bag.add("D108", Position(path, body.count(b"\n", 0, offset) + 1, col), detail=detail)
    return None


_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what libyaml counts as line breaks


def _split_lines(text: str) -> list[str]:
    if not any(c in text for c in "\v\f\x1c\x1d\x1e"):  # splitlines() breaks there, YAML not
        return text.splitlines()
    lines = _BREAKS.split(text)
    return lines[:-1] if lines and not lines[-1] else lines


def _tab_columns(lines: list[str], blocks: list[tuple[int, int]]) -> dict[int, int]:
    """1-based line -> column of the first tab in its indentation. Lines inside `|`/`>` block
    text are skipped: a tab after the block's indentation is part of the text."""
    inside = {n for first, last in blocks for n in range(first, last + 1)}
    out: dict[int, int] = {}
    for number, line in enumerate(lines, 1):
        if "\t" in line and number not in inside:
            col = line.find("\t", 0, len(line) - len(line.lstrip(" \t")))
            if col >= 0:
                out[number] = col + 1
    return out


def _syntax_error(exc: yaml.YAMLError, text: str) -> tuple[int, int, str]:
    """(line, col, detail) of a parser exception, 1-based."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark, ctx = exc.problem_mark or exc.context_mark, exc.context_mark
        detail = exc.problem or exc.context or "invalid YAML"
        if exc.problem and exc.context and ctx and mark and ctx.line != mark.line:
            detail += f" ({exc.context} at line {ctx.line + 1})"
        return (mark.line + 1, mark.column + 1, detail) if mark else (1, 1, detail)
    if isinstance(exc, ReaderError):
        # libyaml reports a byte offset into the UTF-8 text, pure-Python PyYAML a str index
        offset: int = exc.position
        before = (
            text.encode()[:offset].decode("utf-8", "replace")
            if yaml.__with_libyaml__
            else text[:offset]
        )
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return (
            before.count("\n") + 1,
            len(before) - before.rfind("\n"),
            f"unacceptable character #x{char:04x}: {exc.reason}",
        )
    return 1, 1, str(exc)
