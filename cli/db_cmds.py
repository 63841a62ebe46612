"""Database commands: `diana db upgrade`, `diana db current` and `diana load CONTENT`.

The database is `--db URL`, else $DIANA_DATABASE_URL, else the embedded SQLite file
./data/diana.sqlite3. `diana load` checks the content first and refuses, touching nothing,
when it has errors; `--dry-run` shows what the release would change and writes nothing.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

if TYPE_CHECKING:
    from engine.content.compiled import Story
    from engine.persistence.releases import Release, ReleasePlan

T = TypeVar("T")

db = typer.Typer(help="The database: create or migrate its schema, show its revision.")

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (sqlite:///FILE or postgresql://USER@HOST/DB); "
        "default: $DIANA_DATABASE_URL, else sqlite:///data/diana.sqlite3.",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


@db.command("upgrade")
def upgrade(
    url: DbOpt = None,
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Create the schema, or migrate it to this version of Diana (safe to repeat).

    Example: [bold]diana db upgrade --db postgresql://diana@localhost/diana[/]
    """
    from engine.persistence import migrations
    from engine.persistence.db import Database

    async def run() -> tuple[str, str | None, str | None]:
        database = Database(url)
        try:
            before, after = await migrations.upgrade(database, revision)
            return database.describe(), before, after
        finally:
            await database.dispose()

    where, before, after = _run(run())
    if before == after:
        print(f"{where}: already at revision {after}")
    else:
        print(f"{where}: upgraded from {before or 'an empty database'} to revision {after}")


@db.command("current")
def current(url: DbOpt = None) -> None:
    """Show the database's schema revision and the one this code needs."""
    from engine.persistence import migrations
    from engine.persistence.db import Database

    async def run() -> tuple[str, str | None]:
        database = Database(url)
        try:
            return database.describe(), await migrations.current(database)
        finally:
            await database.dispose()

    where, found = _run(run())
    head = migrations.head()
    state = "up to date" if found == head else "run `diana db upgrade`"
    print(f"{where}: revision {found or 'none'} (this code needs {head}: {state})")
    raise typer.Exit(0 if found == head else 1)


def load(
    content: Annotated[Path, typer.Argument(help="The content folder.", show_default=False)],
    url: DbOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check the content and publish it as the active release (running bots pick it up).

    Example: [bold]diana load content/ --dry-run[/]
    """
    from engine.content import load_story

    if not content.is_dir():
        Console(stderr=True).print(f"[red]error[/]: no such content folder: {content}")
        raise typer.Exit(2)
    result = load_story(content)
    if not result.ok or result.story is None:
        _refuse(result)
        raise typer.Exit(1)
    story = result.story
    plan, release = _run(_publish(story, url, dry_run))
    if as_json:
        print(json.dumps(_plan_json(plan, release, dry_run), indent=2))
        return
    _print_plan(content, story, plan)
    if dry_run:
        print("dry run: nothing was written")
    elif release is None:
        print("unchanged: this content is already the active release")
    else:
        print(f"published release #{release.id} ({release.content_hash[:12]}); it is now active")


def _refuse(result: Any) -> None:
    from cli.report import render_text, summary
    from engine.content.diagnostics import Severity

    errors = [d for d in result.diagnostics.sorted() if d.severity is Severity.ERROR]
    console = Console(highlight=False, stderr=True)
    render_text(errors, lambda d: result.source_line(d.position), console)
    console.print(summary(errors, result.files), style="bold")
    console.print("[red]refused[/]: the content has errors; the database was not touched")


async def _publish(
    story: Story, url: str | None, dry_run: bool
) -> tuple[ReleasePlan, Release | None]:
    from engine.persistence import migrations, releases
    from engine.persistence.clock import SYSTEM_CLOCK
    from engine.persistence.db import Database

    database = Database(url)
    try:
        await migrations.require_current(database)
        now = SYSTEM_CLOCK.now()
        plan = await releases.plan_release(database, story, now)
        if dry_run:
            return plan, None
        release, new = await releases.publish(database, story, now)
        return plan, release if new else None
    finally:
        await database.dispose()


def _print_plan(content: Path, story: Story, plan: ReleasePlan) -> None:
    print(
        f"content: {content} (story {story.id}, {len(story.fragments)} fragments, "
        f"hash {story.content_hash[:12]})"
    )
    active = plan.active
    if active is None:
        print("active release: none (this is the first)")
    else:
        when = active.created_at.strftime("%Y-%m-%d %H:%M UTC")
        print(f"active release: #{active.id} ({active.content_hash[:12]}, published {when})")
    print(
        f"fragments: {len(plan.added)} added, {len(plan.removed)} removed, "
        f"{len(plan.changed)} changed, {plan.unchanged} unchanged"
    )
    for label, ids in (("added", plan.added), ("removed", plan.removed), ("changed", plan.changed)):
        if ids:
            print(f"  {label}: {_ids(ids)}")
    print(f"players on removed fragments: {plan.players_moved}")
    for move in plan.moves:
        where = "chapter start" if move.reason == "chapter_start" else "story start"
        print(f"  {move.from_fragment} -> {move.to_fragment} ({where}): {move.players}")


def _ids(ids: list[str], limit: int = 20) -> str:
    shown = ", ".join(ids[:limit])
    return shown if len(ids) <= limit else f"{shown} (+{len(ids) - limit} more)"


def _plan_json(plan: ReleasePlan, release: Release | None, dry_run: bool) -> dict[str, Any]:
    return {
        "content_hash": plan.content_hash,
        "active": None if plan.active is None else plan.active.content_hash,
        "added": plan.added,
        "removed": plan.removed,
        "changed": plan.changed,
        "unchanged": plan.unchanged,
        "players_moved": plan.players_moved,
        "moves": [
            {"from": m.from_fragment, "to": m.to_fragment, "reason": m.reason, "players": m.players}
            for m in plan.moves
        ],
        "dry_run": dry_run,
        "published": None if release is None else release.id,
    }


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine; a schema that is not ready, a bad URL or no server: exit 2."""
    from engine.persistence.errors import SchemaNotReady

    try:
        return asyncio.run(coro)
    except (SchemaNotReady, ValueError, OSError) as exc:
        Console(stderr=True).print(f"[red]error[/]: {exc}")
        raise typer.Exit(2) from None


def register(app: typer.Typer) -> None:
    app.add_typer(db, name="db")
    app.command("load")(load)
