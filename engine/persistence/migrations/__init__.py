"""Alembic migrations, run programmatically (`diana db upgrade`), never by an alembic.ini.

The scripts live beside this file (`env.py`, `versions/`); `upgrade` hands Alembic a live
connection (Alembic's "connection sharing" recipe), so the same async engine, pragmas and
PostgreSQL schema the store uses are the ones migrated.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from engine.persistence.db import Database
from engine.persistence.errors import SchemaNotReady

HERE = Path(__file__).resolve().parent


def config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    return cfg


def head() -> str:
    """The newest revision this code knows."""
    found = ScriptDirectory.from_config(config()).get_current_head()
    assert found is not None
    return found


async def upgrade(db: Database, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate to `revision`; returns (revision before, revision after)."""
    if db.schema:
        async with db.engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{_ident(db.schema)}"'))
    async with db.engine.begin() as conn:
        before = await conn.run_sync(_current)
        await conn.run_sync(_run, "upgrade", revision)
        after = await conn.run_sync(_current)
    return before, after


async def downgrade(db: Database, revision: str) -> None:
    async with db.engine.begin() as conn:
        await conn.run_sync(_run, "downgrade", revision)


async def current(db: Database) -> str | None:
    """The database's revision (None: never migrated)."""
    async with db.engine.connect() as conn:
        return await conn.run_sync(_current)


async def require_current(db: Database) -> None:
    """Refuse to work on a database that is not at this code's head revision."""
    found = await current(db)
    if found != head():
        state = "has no schema" if found is None else f"is at revision {found}"
        raise SchemaNotReady(
            f"the database {state}; this code needs {head()}: run `diana db upgrade`"
        )


def _current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _run(conn: Connection, verb: str, revision: str) -> None:
    cfg = config()
    cfg.attributes["connection"] = conn
    if verb == "upgrade":
        command.upgrade(cfg, revision)
    else:
        command.downgrade(cfg, revision)


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"schema name {name!r}: letters, digits and _ only")
    return name
