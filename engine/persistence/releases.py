"""Content releases: publish a checked story as the active release, show what a release would
change for players already mid-story, and let running bots pick the new one up.

A release row stores the content hash, the format version and a manifest (JSON) of every
fragment: its chapter and a digest of what a player sees and can do there (texts, choices,
costs, conditions, gates). Comparing manifests gives fragments added, removed and changed; the
players standing on removed fragments are counted from their stored state and moved, in the
dry run, by the runtime's own migration (chapter start, else story start), so the plan shows
exactly what their next action will do.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import func, insert, select, update

from engine.content.compiled import Effects, Fragment, Story, Text
from engine.persistence.db import Database
from engine.persistence.tables import content_releases, player_state
from engine.runtime import Engine, PlayerRelocated, loads_state

log = logging.getLogger("diana.releases")


def _text(text: Text | None) -> object:
    return None if text is None else sorted(text.values.items())


def _effects(effects: Effects | None) -> object:
    if effects is None:
        return None
    return [list(effects.sets), [list(a) for a in effects.adds], list(effects.clues)]


def fragment_digest(fragment: Fragment) -> str:
    """A digest of the compiled fragment's text, media, ending, rewards, gates and choices."""
    media = fragment.media
    parts: list[object] = [
        fragment.speaker,
        _text(fragment.text),
        None if media is None else [media.kind, media.file, _text(media.caption)],
        fragment.pause,
        _effects(fragment.on_enter),
        fragment.reward,
        fragment.vip_rank,
        fragment.upsell,
        None if fragment.ending is None else [_text(fragment.ending.title), fragment.ending.type],
        [
            [
                c.id,
                _text(c.label),
                c.target,
                None if c.condition is None else c.condition.source,
                c.show_when_locked,
                c.show_vip_locked,
                _text(c.locked_reason),
                c.once,
                c.fallback,
                c.cost,
                c.reward,
                c.vip_rank,
                _effects(c.effects),
                c.response,
            ]
            for c in fragment.choices
        ],
    ]
    return hashlib.blake2b(orjson.dumps(parts), digest_size=10).hexdigest()


def manifest(story: Story) -> dict[str, Any]:
    return {
        "story": story.id,
        "start": story.start,
        "chapters": {cid: chapter.start for cid, chapter in story.chapters.items()},
        "fragments": {
            fid: [fragment.chapter, fragment_digest(fragment)]
            for fid, fragment in story.fragments.items()
        },
    }


@dataclass(frozen=True, slots=True)
class Release:
    id: int
    content_hash: str
    story_id: str
    format_version: int
    fragments: int
    created_at: datetime
    active: bool
    manifest: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Move:
    """Players on a removed fragment and where their next action puts them."""

    from_fragment: str
    to_fragment: str
    reason: str
    players: int


@dataclass(frozen=True, slots=True)
class ReleasePlan:
    content_hash: str
    active: Release | None
    added: list[str]
    removed: list[str]
    changed: list[str]
    unchanged: int
    moves: list[Move] = field(default_factory=list)

    @property
    def players_moved(self) -> int:
        return sum(m.players for m in self.moves)

    @property
    def already_active(self) -> bool:
        return self.active is not None and self.active.content_hash == self.content_hash


_COLUMNS = (
    content_releases.c.id,
    content_releases.c.content_hash,
    content_releases.c.story_id,
    content_releases.c.format_version,
    content_releases.c.fragments,
    content_releases.c.created_at,
    content_releases.c.active,
    content_releases.c.manifest,
)


def _release(row: Any) -> Release:
    return Release(
        int(row[0]), row[1], row[2], int(row[3]), int(row[4]), row[5], bool(row[6]),
        orjson.loads(row[7]),
    )  # fmt: skip


async def active_release(db: Database) -> Release | None:
    stmt = select(*_COLUMNS).where(content_releases.c.active.is_(True))
    async with db.engine.connect() as conn:
        row = (await conn.execute(stmt)).first()
    return None if row is None else _release(row)


async def active_hash(db: Database) -> str | None:
    stmt = select(content_releases.c.content_hash).where(content_releases.c.active.is_(True))
    async with db.engine.connect() as conn:
        return (await conn.execute(stmt)).scalar_one_or_none()


async def list_releases(db: Database) -> list[Release]:
    stmt = select(*_COLUMNS).order_by(content_releases.c.id)
    async with db.engine.connect() as conn:
        return [_release(r) for r in (await conn.execute(stmt)).all()]


async def plan_release(db: Database, story: Story, now: datetime) -> ReleasePlan:
    """What publishing `story` would change; writes nothing."""
    active = await active_release(db)
    new = manifest(story)["fragments"]
    old: dict[str, list[str]] = active.manifest["fragments"] if active is not None else {}
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    changed = sorted(f for f in set(new) & set(old) if new[f] != old[f])
    unchanged = len(set(new) & set(old)) - len(changed)
    moves = await _moves(db, story, now)
    return ReleasePlan(story.content_hash, active, added, removed, changed, unchanged, moves)


async def _moves(db: Database, story: Story, now: datetime, page: int = 500) -> list[Move]:
    """Players whose fragment the story no longer has, moved by the runtime's migration."""
    async with db.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(player_state.c.fragment, func.count())
                .where(player_state.c.fragment.is_not(None))
                .group_by(player_state.c.fragment)
            )
        ).all()
    gone = sorted(str(f) for f, _n in rows if f not in story.fragments)
    if not gone:
        return []
    engine = Engine(story)
    tally: dict[tuple[str, str, str], int] = {}
    for start in range(0, len(gone), page):
        chunk = gone[start : start + page]
        async with db.engine.connect() as conn:
            result = await conn.stream(
                select(player_state.c.state).where(player_state.c.fragment.in_(chunk))
            )
            async for (raw,) in result:
                state = loads_state(raw)
                step = engine.migrate(state, now)
                for event in step.events:
                    if isinstance(event, PlayerRelocated):
                        key = (event.from_fragment, event.to_fragment, event.reason)
                        tally[key] = tally.get(key, 0) + 1
    return [Move(f, t, r, n) for (f, t, r), n in sorted(tally.items())]


async def publish(db: Database, story: Story, now: datetime) -> tuple[Release, bool]:
    """Make `story` the active release; (release, False) when it already is."""
    data = manifest(story)
    async with db.engine.begin() as conn:
        await conn.execute(
            update(content_releases)
            .where(
                content_releases.c.active.is_(True),
                content_releases.c.content_hash != story.content_hash,
            )
            .values(active=False)
        )
        current = (
            await conn.execute(select(*_COLUMNS).where(content_releases.c.active.is_(True)))
        ).first()
        if current is not None:
            return _release(current), False
        result = await conn.execute(
            insert(content_releases).values(
                content_hash=story.content_hash,
                story_id=story.id,
                format_version=story.format_version,
                fragments=len(story.fragments),
                manifest=orjson.dumps(data).decode(),
                created_at=now,
                active=True,
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        release_id = int(key[0])
    release = Release(
        release_id, story.content_hash, story.id, story.format_version, len(story.fragments),
        now, True, data,
    )  # fmt: skip
    return release, True


def content_loader(path: str | Path) -> Callable[[str], Story | None]:
    """Load the content under `path` for a release hash (None if it has errors)."""

    def load(_wanted: str) -> Story | None:
        from engine.content import load_story

        result = load_story(path)
        return result.story if result.ok else None

    return load


class ReleaseWatcher:
    """Polls the active release and hands a running bot the new story when it changes.

    `load(hash)` returns the compiled story for that release (by default from the content
    folder on disk; it runs in a thread, loading is CPU work); `apply(story)` swaps it in
    (e.g. `store.use_story`). A story whose hash is not the active release's is not applied:
    the files on disk are not what was published yet, and the watcher tries again next poll.
    """

    def __init__(
        self,
        db: Database,
        load: Callable[[str], Story | None],
        apply: Callable[[Story], None],
        *,
        current: str | None = None,
        interval: float = 5.0,
    ) -> None:
        self.db = db
        self.load = load
        self.apply = apply
        self.current = current
        self.interval = interval
        self._warned: str | None = None

    async def poll(self) -> bool:
        """Check once; True when a new release was applied."""
        wanted = await active_hash(self.db)
        if wanted is None or wanted == self.current:
            return False
        story = await asyncio.to_thread(self.load, wanted)
        if story is None or story.content_hash != wanted:
            if self._warned != wanted:
                found = None if story is None else story.content_hash
                log.warning("release %s is active but the content loads as %s", wanted, found)
                self._warned = wanted
            return False
        self.apply(story)
        log.info("content release %s applied (was %s)", wanted, self.current)
        self.current = wanted
        return True

    async def run(self) -> None:
        """Poll forever (cancel the task to stop); a failing poll is logged and retried."""
        while True:
            try:
                await self.poll()
            except Exception:
                log.exception("release poll failed; retrying in %ss", self.interval)
            await asyncio.sleep(self.interval)
