"""Persistence: players, their runtime state, the points ledger and everything around it, on
SQLite (embedded default) or PostgreSQL, through SQLAlchemy 2 Core (async) and Alembic.

Entry points:

- `Database(url)`: the engine for a URL (`--db`, `DIANA_DATABASE_URL`, or ./data/diana.sqlite3);
  `migrations.upgrade(db)` is `diana db upgrade`.
- `Store(db, story, bus=..., clock=...)`: `register`, `act(player_id, action, key, now)` ->
  the runtime's `Step`; one short transaction per action, group-committed (store.py says why).
- `AdminService(store)`: audited operator actions.
- `releases`: publish content, plan a release (`diana load --dry-run`), `ReleaseWatcher`.
- `outbox.relay`: deliver events a crash left behind (the store does it when it opens).

Nothing here reads the wall clock except `SystemClock`; tests inject a `FixedClock`.
"""

from engine.persistence.actions import Action, Choose, RedeemInvite, StarsPayment, Start
from engine.persistence.admin import AdminService, AuditEntry, PlayerReport
from engine.persistence.clock import SYSTEM_CLOCK, Clock, FixedClock, SystemClock
from engine.persistence.db import ENV_VAR, Database, resolve_url
from engine.persistence.errors import (
    InviteRejected,
    PersistenceError,
    PlayerBlocked,
    PlayerExists,
    SchemaNotReady,
    StoreBusy,
    StoreClosed,
    UnknownPlayer,
)
from engine.persistence.releases import ReleasePlan, ReleaseWatcher, content_loader
from engine.persistence.store import Store

__all__ = [
    "ENV_VAR",
    "SYSTEM_CLOCK",
    "Action",
    "AdminService",
    "AuditEntry",
    "Choose",
    "Clock",
    "Database",
    "FixedClock",
    "InviteRejected",
    "PersistenceError",
    "PlayerBlocked",
    "PlayerExists",
    "PlayerReport",
    "RedeemInvite",
    "ReleasePlan",
    "ReleaseWatcher",
    "SchemaNotReady",
    "StarsPayment",
    "Start",
    "Store",
    "StoreBusy",
    "StoreClosed",
    "SystemClock",
    "UnknownPlayer",
    "content_loader",
    "resolve_url",
]
