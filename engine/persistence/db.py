"""Database URLs, engines and SQLite pragmas: the only place that knows which backend is used.

Two backends run the same code: an embedded SQLite file through aiosqlite (the default,
`./data/diana.sqlite3`) and PostgreSQL through asyncpg. The URL comes from `--db`, else
`DIANA_DATABASE_URL`, else the default; short forms are accepted (`postgresql://...`,
`sqlite:///path`, or a bare file path). A `schema=` query parameter on a PostgreSQL URL sets the
connection's `search_path` (tests give every test its own schema; operators may share a
database between bots).

SQLite connections get: journal_mode=WAL (readers never wait for the writer), synchronous=NORMAL
(durable at checkpoints, never corrupt; a power cut may lose the last commits, a crashed process
loses nothing), foreign_keys=ON, busy_timeout=5000 ms (another process, e.g. `diana load`, may
hold the write lock briefly), temp_store=MEMORY and a 16 MB page cache.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

ENV_VAR = "DIANA_DATABASE_URL"
DEFAULT_PATH = Path("data") / "diana.sqlite3"

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA cache_size=-16000",
)


def resolve_url(url: str | None = None) -> str:
    """`url`, else $DIANA_DATABASE_URL, else the embedded SQLite file under ./data/."""
    return url or os.environ.get(ENV_VAR) or f"sqlite:///{DEFAULT_PATH}"


def parse_url(text: str) -> tuple[URL, str | None]:
    """The SQLAlchemy async URL for `text` and the PostgreSQL schema it names (if any)."""
    if "://" not in text:
        text = f"sqlite:///{text}"
    url = make_url(text)
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ValueError("in-memory SQLite is not supported: give a file, e.g. data/diana.db")
        return url.set(drivername="sqlite+aiosqlite"), None
    if backend in {"postgresql", "postgres"}:
        schema = url.query.get("schema")
        if isinstance(schema, tuple):
            schema = schema[-1]
        return url.set(drivername="postgresql+asyncpg").difference_update_query(["schema"]), schema
    raise ValueError(f"unsupported database {backend!r}: use sqlite:///FILE or postgresql://...")


class Database:
    """One async engine for a URL, with the backend's connection settings applied."""

    def __init__(self, url: str | None = None, *, pool_size: int = 5) -> None:
        self.url_text = resolve_url(url)
        self.url, self.schema = parse_url(self.url_text)
        self.dialect = self.url.get_backend_name()
        kwargs: dict[str, Any] = {"pool_size": pool_size, "max_overflow": 2}
        if self.is_sqlite:
            assert self.url.database is not None
            Path(self.url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        elif self.schema:
            kwargs["connect_args"] = {"server_settings": {"search_path": self.schema}}
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", sqlite_pragmas)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def describe(self) -> str:
        """The URL for people: password hidden, schema shown."""
        shown = self.url.render_as_string(hide_password=True)
        return f"{shown} (schema {self.schema})" if self.schema else shown

    async def dispose(self) -> None:
        await self.engine.dispose()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.dispose()


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()
