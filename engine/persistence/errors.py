"""Errors the store raises to its callers (the bot adapter, the CLI, admin tools)."""

from __future__ import annotations


class PersistenceError(Exception):
    """Base of the store's own errors."""


class UnknownPlayer(PersistenceError):
    def __init__(self, player_id: int) -> None:
        super().__init__(f"no player with id {player_id}; register them first")
        self.player_id = player_id


class PlayerExists(PersistenceError):
    def __init__(self, player_id: int) -> None:
        super().__init__(f"player {player_id} is already registered")
        self.player_id = player_id


class PlayerBlocked(PersistenceError):
    def __init__(self, player_id: int) -> None:
        super().__init__(f"player {player_id} is blocked")
        self.player_id = player_id


class InviteRejected(PersistenceError):
    """An invite token that does not exist, was revoked, expired or is used up."""

    def __init__(self, token: str) -> None:
        super().__init__(f"invite token {token!r} is not valid (unknown, used up or expired)")
        self.token = token


class StoreBusy(PersistenceError):
    """The player's state kept changing under us (other workers); the action was not applied."""


class SchemaNotReady(PersistenceError):
    """The database schema is missing or older than this code: run `diana db upgrade`."""


class StoreClosed(PersistenceError):
    """The store (or its writer) is not running."""
