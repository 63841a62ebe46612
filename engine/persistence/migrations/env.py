"""Alembic's environment: migrate the connection `engine.persistence.migrations` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from engine.persistence.tables import metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError(
        "run migrations with `diana db upgrade` (engine.persistence.migrations.upgrade), "
        "which passes the connection; there is no alembic.ini"
    )
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite's ALTER TABLE is limited
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
