"""Every statement of the hot path, built once at import (SQLAlchemy Core, bound parameters).

Built statements are compiled once per dialect and then found in SQLAlchemy's compiled cache;
executing one with a list of parameter dicts is an executemany, which is how a group commit
writes many actions' rows in one round trip per table.
"""

from __future__ import annotations

from sqlalchemy import bindparam, insert, select, text, update

from engine.persistence.tables import (
    admin_audit,
    checkins,
    invite_tokens,
    ledger,
    outbox,
    player_state,
    players,
    processed_updates,
    vip_grants,
)

SELECT_ENTRY = (
    select(player_state.c.state, player_state.c.version, players.c.blocked)
    .join(players, players.c.id == player_state.c.player_id)
    .where(player_state.c.player_id == bindparam("b_player"))
)

INSERT_PROCESSED = insert(processed_updates)
INSERT_PLAYER = insert(players)
INSERT_STATE = insert(player_state)
UPDATE_STATE = (
    update(player_state)
    .where(
        player_state.c.player_id == bindparam("b_player"),
        player_state.c.version == bindparam("b_seen"),
    )
    .values(
        version=bindparam("b_version"),
        state=bindparam("b_state"),
        fragment=bindparam("b_fragment"),
        chapter=bindparam("b_chapter"),
        content_version=bindparam("b_content"),
        points=bindparam("b_points"),
        updated_at=bindparam("b_at"),
    )
)
UPDATE_PROFILE = (
    update(players)
    .where(players.c.id == bindparam("b_player"))
    .values(
        name=bindparam("b_name"),
        language=bindparam("b_language"),
        timezone=bindparam("b_timezone"),
        updated_at=bindparam("b_at"),
    )
)
CLAIM_INVITE = (
    update(invite_tokens)
    .where(
        invite_tokens.c.token == bindparam("b_token"),
        invite_tokens.c.revoked.is_(False),
        invite_tokens.c.uses < invite_tokens.c.max_uses,
        (invite_tokens.c.expires_at.is_(None)) | (invite_tokens.c.expires_at > bindparam("b_at")),
    )
    .values(uses=invite_tokens.c.uses + 1)
)
INSERT_LEDGER = insert(ledger)
INSERT_OUTBOX = insert(outbox)
INSERT_CHECKIN = insert(checkins)
INSERT_VIP = insert(vip_grants)
END_VIP = (
    update(vip_grants)
    .where(vip_grants.c.player_id == bindparam("b_player"), vip_grants.c.ended_at.is_(None))
    .values(ended_at=bindparam("b_at"))
)
INSERT_AUDIT = insert(admin_audit)
MARK_DELIVERED = (
    update(outbox)
    .where(outbox.c.action_id == bindparam("b_action"))
    .values(delivered_at=bindparam("b_at"))
)

UPDATE_STATES_UNNEST = text(
    """
    UPDATE player_state AS p
    SET version = v.version, state = v.state, fragment = v.fragment, chapter = v.chapter,
        content_version = v.content, points = v.points, updated_at = v.at
    FROM unnest(
        CAST(:players AS BIGINT[]), CAST(:seen AS INTEGER[]), CAST(:versions AS INTEGER[]),
        CAST(:states AS TEXT[]), CAST(:fragments AS TEXT[]), CAST(:chapters AS TEXT[]),
        CAST(:contents AS TEXT[]), CAST(:points AS INTEGER[]), CAST(:ats AS TIMESTAMPTZ[])
    ) AS v(player_id, seen, version, state, fragment, chapter, content, points, at)
    WHERE p.player_id = v.player_id AND p.version = v.seen
    """
)
"""PostgreSQL: every guarded state update of a batch in one statement (asyncpg reports no
rowcount for an executemany, and one round trip per row made batches grow with their size)."""
UNNEST_KEYS = (
    ("players", "b_player"),
    ("seen", "b_seen"),
    ("versions", "b_version"),
    ("states", "b_state"),
    ("fragments", "b_fragment"),
    ("chapters", "b_chapter"),
    ("contents", "b_content"),
    ("points", "b_points"),
    ("ats", "b_at"),
)
