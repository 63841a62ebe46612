"""Media files a story names: where a path may lead, and what the files hold.

Media paths are relative to the content folder and must stay inside it (D708): the bot sends
whatever file a path names. Their bytes are part of the content version (a changed image is a
new release), so the loader digests them, once per change of size or modification time.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from engine.content import model as m

if TYPE_CHECKING:
    from engine.content.compiler import Validated

MediaStamp = tuple[str, int, int]
"""A media file's resolved path, size and modification time (-1, -1 when missing)."""

MediaKind = Literal["photo", "video", "voice", "animation"]
MEDIA_KINDS: tuple[MediaKind, ...] = ("photo", "video", "voice", "animation")


def media_file(root: Path, file: str) -> Path | str:
    """Where media path `file` leads: a path inside `root`, or why it is refused (D708).

    The bot sends whatever file a media path names, so a path must stay inside the content
    folder: not absolute, no `..` out of it, and no symbolic link that leads out of it.
    """
    if Path(file).is_absolute() or file.startswith(("/", "\\")):
        return " (an absolute path)"
    base = root.resolve()
    lexical = Path(os.path.normpath(base / file))
    try:  # symbolic links first, then `..`, as the system does when the bot opens it
        resolved = (base / file).resolve()
    except (OSError, ValueError, RuntimeError):  # a NUL byte or a symlink loop: not a file
        resolved = lexical
    if resolved.is_relative_to(base):
        return resolved
    return " (through a symbolic link)" if lexical.is_relative_to(base) else ""


def media_paths(validated: Iterable[Validated]) -> set[str]:
    """Every media path the chapters name, as written."""
    return {
        file
        for v in validated
        if isinstance(v.model, m.Chapter)
        for frag in v.model.fragments
        if frag.media is not None
        for kind in MEDIA_KINDS
        if (file := getattr(frag.media, kind))
    }


def stamp(path: Path) -> MediaStamp:
    try:
        st = path.stat()
    except (OSError, ValueError):
        return (str(path), -1, -1)
    return (str(path), st.st_size, st.st_mtime_ns)


def restamp(stamps: Iterable[MediaStamp]) -> tuple[MediaStamp, ...]:
    """The same files' stamps now: unchanged stamps mean unchanged media."""
    return tuple(stamp(Path(path)) for path, _, _ in stamps)


def media_digests(
    root: Path, files: Iterable[str], known: Mapping[MediaStamp, str]
) -> tuple[list[tuple[str, bytes]], tuple[MediaStamp, ...], dict[MediaStamp, str]]:
    """For the media `files` inside `root`: (path relative to `root`, digest) of those that
    exist, the stamps of all of them, present or not (so a cache notices a file appearing),
    and the digests by stamp (reused from `known` when the stamp is unchanged). Paths that
    lead outside `root` are never opened (D708 reports them)."""
    base = root.resolve()
    hashed: list[tuple[str, bytes]] = []
    stamps: list[MediaStamp] = []
    digests: dict[MediaStamp, str] = {}
    for file in sorted(files):
        path = media_file(root, file)
        if isinstance(path, str):
            continue
        now = stamp(path)
        stamps.append(now)
        if now[1] < 0 or not path.is_file():
            continue
        digest = digests[now] = known.get(now) or _file_digest(path)
        hashed.append((path.relative_to(base).as_posix(), digest.encode()))
    return hashed, tuple(stamps), digests


def _file_digest(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "blake2b").hexdigest()
