"""Load a content folder: read, parse, validate, compile and check, collecting diagnostics.

The stages are timed (the benchmark prints them) and per-file results are cached by content
digest, so a reload after saving one file re-reads only that file. The cache lives in a
`ContentCache` the caller keeps (the preview and the bot keep one per process).
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from engine.content.compiled import Story
from engine.content.compiler import CompileResult, Validated, compile_story, content_hash
from engine.content.diagnostics import Diagnostic, DiagnosticBag, Position
from engine.content.gaps import Gaps, unread
from engine.content.media import MediaStamp, media_digests, media_paths, restamp
from engine.content.schema_stage import validate_document
from engine.content.yamlsrc import YamlDocument, load_yaml, read_capped

SUFFIXES = (".yaml", ".yml")
TESTS_FOLDER = "tests"
"""`<content>/tests/` holds writers' golden transcripts (`diana test`), not story files."""


@dataclass(slots=True)
class _Parsed:
    doc: YamlDocument
    model: BaseModel | None
    diagnostics: list[Diagnostic]


@dataclass(slots=True)
class ContentCache:
    """Parsed and validated files by (path, digest of bytes), and the last whole result.

    When every file is unchanged the last result is returned as it is (a compiled story is
    immutable, so sharing it is safe); when some changed, only those are parsed again.
    """

    files: dict[tuple[str, str], _Parsed] = field(default_factory=dict)
    media: dict[MediaStamp, str] = field(default_factory=dict)
    """Media file digests by (resolved path, size, mtime): media are read once per change."""
    last: tuple[frozenset[tuple[str, str]], bool, tuple[MediaStamp, ...], LoadResult] | None = None

    def prune(self, live: frozenset[tuple[str, str]]) -> None:
        for key in list(self.files):
            if key not in live:
                del self.files[key]


@dataclass(slots=True)
class LoadResult:
    story: Story | None
    diagnostics: DiagnosticBag
    root: str
    sources: dict[str, list[str]] = field(default_factory=dict)
    compiled: CompileResult | None = None
    timings: dict[str, float] = field(default_factory=dict)
    files: int = 0

    @property
    def ok(self) -> bool:
        return self.story is not None and not self.diagnostics.has_errors()

    def source_line(self, pos: Position) -> str | None:
        lines = self.sources.get(pos.path)
        if lines and 0 < pos.line <= len(lines):
            return lines[pos.line - 1]
        return None


def display_path(path: Path) -> str:
    """Paths as the writer typed them: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def discover(root: Path) -> list[Path]:
    """Every YAML file under `root`, in a stable order (hidden folders and the writers'
    `tests/` folder skipped)."""
    if root.is_file():
        return [root]
    found = [
        p
        for p in root.rglob("*")
        if p.suffix in SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
        and p.relative_to(root).parts[0] != TESTS_FOLDER
    ]
    return sorted(found)


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


def load_story(
    path: str | Path, *, cache: ContentCache | None = None, checks: bool = True
) -> LoadResult:
    """Load the story under `path` (a folder, or one file for schema checks only)."""
    root = Path(path)
    bag = DiagnosticBag()
    result = LoadResult(None, bag, display_path(root))
    timings = result.timings
    gc_was_enabled = gc.isenabled()
    gc.disable()  # loading allocates many long-lived objects; collecting mid-way is waste
    try:
        with _timed(timings, "read"):
            found = discover(root)
            raw_files = [(display_path(p), *read_capped(p)) for p in found]
        result.files = len(raw_files)
        with _timed(timings, "digest"):
            keys = [(d, _digest(raw, size)) for d, raw, size in raw_files]
        live = frozenset(keys)
        last = cache.last if cache is not None else None
        if last is not None and last[:2] == (live, checks) and restamp(last[2]) == last[2]:
            return last[3]
        validated, gaps = _parse_all(raw_files, keys, cache, result)
        if cache is not None:
            cache.prune(live)
        if root.is_file():
            return _remember(cache, live, checks, (), result)
        with _timed(timings, "digest"):
            known = cache.media if cache is not None else {}
            media, stamps, digests = media_digests(root, media_paths(validated), known)
            if cache is not None:
                cache.media = digests
            files = [
                (p.relative_to(root).as_posix(), raw)
                for p, (_, raw, _) in zip(found, raw_files, strict=True)
            ]
            digest = content_hash(files, media)
        with _timed(timings, "compile"):
            with bag.muting(gaps.explains) if gaps.files else nullcontext():
                compiled = compile_story(
                    validated,
                    bag,
                    root=result.root,
                    digest=digest,
                    lines=lambda p: result.sources.get(p, []),
                )
            gaps.annotate(bag)
        result.compiled = compiled
        if compiled.story is not None and checks:
            from engine.content.checks import run_checks

            with _timed(timings, "checks"):
                run_checks(compiled, bag, root)
        result.story = compiled.story
        return _remember(cache, live, checks, stamps, result)
    finally:
        if gc_was_enabled:
            gc.enable()


def _parse_all(
    raw_files: list[tuple[str, bytes, int]],
    keys: list[tuple[str, str]],
    cache: ContentCache | None,
    result: LoadResult,
) -> tuple[list[Validated], Gaps]:
    """Parse and validate every file (unchanged ones from the cache); the files without a
    model are the load's gaps (see `gaps.py`)."""
    validated: list[Validated] = []
    gaps = Gaps()
    for (display, raw, size), key in zip(raw_files, keys, strict=True):
        parsed = cache.files.get(key) if cache is not None else None
        if parsed is None:
            parsed = _parse(display, raw, size, result.timings)
            if cache is not None:
                cache.files[key] = parsed
        result.diagnostics.extend(parsed.diagnostics)
        result.sources[display] = parsed.doc.lines
        if parsed.model is not None:
            kind = str(getattr(parsed.model, "kind", ""))
            validated.append(Validated(kind, parsed.model, parsed.doc))
        elif not any(d.code == "D107" for d in parsed.diagnostics):  # empty: declares nothing
            gaps.files.append(unread(parsed.doc))
    return validated, gaps


def _remember(
    cache: ContentCache | None,
    live: frozenset[tuple[str, str]],
    checks: bool,
    media: tuple[MediaStamp, ...],
    result: LoadResult,
) -> LoadResult:
    if cache is not None:
        cache.last = (live, checks, media, result)
    return result


def _digest(raw: bytes, size: int) -> str:
    """The cache key of a file's bytes; a file too large to read is known by its size."""
    if len(raw) != size:
        return f"unread:{size}"
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def _parse(display: str, raw: bytes, size: int, timings: dict[str, float]) -> _Parsed:
    local = DiagnosticBag()
    with _timed(timings, "yaml"):
        doc = load_yaml(display, raw, local, size=size)
    model = None
    if doc.data is not None:
        with _timed(timings, "schema"):
            model = validate_document(doc, local)
    return _Parsed(doc, model, local.items)
