"""`diana db upgrade` and `diana load` (+ --dry-run, + refusal on broken content) on SQLite and
PostgreSQL through Typer's runner, one real subprocess, and the release watcher of a running
bot. The tests are synchronous: the commands run their own event loop, as in a terminal."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from persistence_helpers import START, STORY, count
from typer.testing import CliRunner

from cli.main import app
from engine.content import Story, load_story
from engine.persistence import (
    Choose,
    Database,
    FixedClock,
    ReleaseWatcher,
    Start,
    Store,
    migrations,
    releases,
)
from engine.persistence.tables import content_releases
from engine.runtime import Outcome, PlayerRelocated

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
T = TypeVar("T")


def run(fn: Callable[[Database], Awaitable[T]], url: str) -> T:
    async def go() -> T:
        db = Database(url)
        try:
            return await fn(db)
        finally:
            await db.dispose()

    return asyncio.run(go())


def diana(*args: str) -> Any:
    return runner.invoke(app, list(args))


def version(tmp_path: Path, name: str, edit: Callable[[Path], None]) -> Path:
    """A copy of the test story, edited."""
    folder = tmp_path / name
    shutil.copytree(STORY, folder)
    edit(folder)
    return folder


def v2(folder: Path) -> None:
    """salon_piano removed, salon_bar added, the salon's entrance changed."""
    (folder / "chapters" / "salon.yaml").write_text(
        "kind: chapter\nid: salon\ntitle: {es: Salón, en: Salon}\nfragments:\n"
        "  - id: salon_entrada\n    text: {es: El salón v2., en: The salon v2.}\n"
        "    choices:\n      - {label: {es: Bar, en: Bar}, id: bar, to: salon_bar}\n"
        "  - id: salon_bar\n    text: {es: El bar., en: The bar.}\n"
        "    choices:\n      - {label: {es: Volver, en: Back}, id: volver, to: inicio}\n"
    )


def no_salon(folder: Path) -> None:
    """The whole salon chapter removed (and the way there)."""
    (folder / "chapters" / "salon.yaml").unlink()
    main = folder / "chapters" / "main.yaml"
    main.write_text(
        main.read_text().replace(
            "      - {label: {es: Salón, en: Salon}, id: salon, to: salon_entrada}\n", ""
        )
    )


def broken(folder: Path) -> None:
    main = folder / "chapters" / "main.yaml"
    main.write_text(main.read_text().replace("to: copa\n", "to: copaa\n"))


async def _player_at_piano(db: Database, story: Story, player: int) -> None:
    store = Store(db, story, clock=FixedClock(START))
    await store.open()
    try:
        await store.register(player)
        await store.act(player, Start(), f"{player}:s")
        await store.act(player, Choose("inicio.salon"), f"{player}:salon")
        step = await store.act(player, Choose("salon_entrada.piano"), f"{player}:piano")
        assert step.state.fragment == "salon_piano"
    finally:
        await store.close()


def test_upgrade_then_load_with_dry_run(db_url: str, story: Story, tmp_path: Path):
    refused = diana("load", str(STORY), "--db", db_url)
    assert refused.exit_code == 2
    assert "diana db upgrade" in refused.output

    first = diana("db", "upgrade", "--db", db_url)
    assert first.exit_code == 0, first.output
    assert f"upgraded from an empty database to revision {migrations.head()}" in first.output
    again = diana("db", "upgrade", "--db", db_url)
    assert "already at revision" in again.output
    assert diana("db", "current", "--db", db_url).exit_code == 0

    dry = diana("load", str(STORY), "--db", db_url, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "active release: none" in dry.output
    assert "5 added, 0 removed, 0 changed" in dry.output
    assert "dry run: nothing was written" in dry.output
    assert run(lambda db: count(db, content_releases), db_url) == 0

    published = diana("load", str(STORY), "--db", db_url)
    assert published.exit_code == 0, published.output
    assert "published release #1" in published.output
    assert "unchanged" in diana("load", str(STORY), "--db", db_url).output

    run(lambda db: _player_at_piano(db, story, 1), db_url)
    newer = version(tmp_path, "v2", v2)
    plan = diana("load", str(newer), "--db", db_url, "--dry-run", "--json")
    assert plan.exit_code == 0, plan.output
    data = json.loads(plan.output)
    assert (data["added"], data["removed"], data["changed"]) == (
        ["salon_bar"],
        ["salon_piano"],
        ["salon_entrada"],
    )
    assert data["moves"] == [
        {"from": "salon_piano", "to": "salon_entrada", "reason": "chapter_start", "players": 1}
    ]
    text = diana("load", str(newer), "--db", db_url, "--dry-run").output
    assert "salon_piano -> salon_entrada (chapter start): 1" in text

    gone = version(tmp_path, "v3", no_salon)
    data = json.loads(diana("load", str(gone), "--db", db_url, "--dry-run", "--json").output)
    assert data["moves"] == [
        {"from": "salon_piano", "to": "inicio", "reason": "story_start", "players": 1}
    ]
    assert run(lambda db: count(db, content_releases), db_url) == 1

    assert diana("load", str(newer), "--db", db_url).exit_code == 0
    history = run(releases.list_releases, db_url)
    assert [(r.id, r.active) for r in history] == [(1, False), (2, True)]
    assert history[1].manifest["fragments"]["salon_bar"][0] == "salon"


def test_broken_content_is_refused_and_the_database_untouched(db_url: str, tmp_path: Path):
    assert diana("db", "upgrade", "--db", db_url).exit_code == 0
    assert diana("load", str(STORY), "--db", db_url).exit_code == 0
    bad = version(tmp_path, "bad", broken)
    for extra in ([], ["--dry-run"]):
        result = diana("load", str(bad), "--db", db_url, *extra)
        assert result.exit_code == 1
        assert "copaa" in result.output
        assert "refused" in result.output
    assert run(lambda db: count(db, content_releases), db_url) == 1
    active = run(releases.active_release, db_url)
    assert active is not None
    assert active.id == 1


def test_a_real_subprocess(db_url: str):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cli.main", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=120,
            check=False,
        )

    upgraded = cli("db", "upgrade", "--db", db_url)
    assert upgraded.returncode == 0, upgraded.stderr
    loaded = cli("load", str(STORY), "--db", db_url)
    assert loaded.returncode == 0, loaded.stderr
    assert "published release #1" in loaded.stdout


def test_env_var_selects_the_database(db_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DIANA_DATABASE_URL", db_url)
    assert diana("db", "upgrade").exit_code == 0
    assert run(migrations.current, db_url) == migrations.head()


def test_a_running_bot_picks_up_a_new_release(db_url: str, story: Story, tmp_path: Path):
    newer = load_story(version(tmp_path, "v2", v2)).story
    assert newer is not None
    stories = {story.content_hash: story, newer.content_hash: newer}

    async def scenario(db: Database) -> None:
        await migrations.upgrade(db)
        await releases.publish(db, story, START)
        await _player_at_piano(db, story, 1)
        store = Store(db, story, clock=FixedClock(START))
        await store.open()
        try:
            watcher = ReleaseWatcher(
                db, stories.get, store.use_story, current=story.content_hash, interval=0.01
            )
            assert not await watcher.poll()
            await releases.publish(db, newer, START)
            assert await watcher.poll()
            assert store.engine.story is newer
            step = await store.act(1, Choose("salon_piano.volver"), "old-button")
            assert step.outcome is Outcome.STALE
            assert PlayerRelocated("salon_piano", "salon_entrada", "chapter_start") in step.events
            assert step.state.fragment == "salon_entrada"
            assert (await store.state(1)).content_version == newer.content_hash
        finally:
            await store.close()

    run(scenario, db_url)
