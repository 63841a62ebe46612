"""Bot settings from the environment or a `.env` file, checked before anything starts.

Every problem is a `SettingsError` with a one-line message naming the variable, so
`diana bot run` can print it instead of a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{30,64}$")
"""What @BotFather hands out: the bot's numeric id, a colon and a 35-character secret."""

PREFIX = "DIANA_"


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line for the operator."""


@dataclass(frozen=True, slots=True)
class BotSettings:
    token: str
    database_url: str | None = None
    content: Path = Path("content")
    admin_ids: frozenset[int] = frozenset()
    language: str | None = None
    """Language for players whose Telegram language the story does not offer."""
    timezone: str | None = None
    """Time zone for new players' calendar days; default: the story's."""
    api_url: str | None = None
    """A Bot API server other than Telegram's (a local one, or the fake in tests)."""
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8080
    webhook_path: str = "/telegram"
    pause_scale: float = 1.0
    """Multiplies the story's typing pauses (0 in tests)."""
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def bot_id(self) -> int:
        return int(self.token.split(":", 1)[0])


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; `#` comments (also after an unquoted value), blank lines, `export `
    and quotes allowed."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise SettingsError(f"{path}:{number}: expected KEY=VALUE, got {raw.strip()!r}")
        value = value.strip()
        quote = value[:1]
        if quote in ("'", '"') and quote in value[1:]:  # "quoted" (# and all), then a comment
            value = value[1 : value.index(quote, 1)]
        else:  # unquoted: a ` #` starts a comment, as in shells and docker compose
            value = value.split(" #", 1)[0].split("\t#", 1)[0].strip()
        values[key.strip()] = value
    return values


def load_settings(
    env: Mapping[str, str] | None = None,
    env_file: Path | None = Path(".env"),
    overrides: Mapping[str, object] | None = None,
) -> BotSettings:
    """Settings from `env` (default os.environ) over the `.env` file; `overrides` win."""
    merged: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        merged.update(read_env_file(env_file))
    merged.update(os.environ if env is None else env)

    given = overrides or {}

    def get(name: str) -> str | None:
        value = given.get(name.lower())
        if value is not None:
            return str(value)
        found = merged.get(PREFIX + name.upper())
        return found.strip() if found and found.strip() else None

    token = get("bot_token")
    if token is None:
        raise SettingsError(
            "DIANA_BOT_TOKEN is not set: put the token @BotFather gave you in the environment "
            "or in .env (DIANA_BOT_TOKEN=123456:ABC...)"
        )
    if not TOKEN_RE.fullmatch(token):
        raise SettingsError(
            "DIANA_BOT_TOKEN is malformed: expected <digits>:<35 letters, digits, - or _> "
            "as @BotFather gives it"
        )
    timezone = get("timezone")
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                f"DIANA_TIMEZONE={timezone!r} is not a time zone; use an IANA name such as "
                "Europe/Madrid"
            ) from None
    language = get("language")
    if language is not None and not re.fullmatch(r"[a-z]{2}", language):
        raise SettingsError(f"DIANA_LANGUAGE={language!r}: use a two-letter code such as es")
    secret = get("webhook_secret")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise SettingsError(
            "DIANA_WEBHOOK_SECRET may only hold 1-256 letters, digits, _ and - (Telegram's rule)"
        )
    return BotSettings(
        token=token,
        database_url=get("database_url"),
        content=Path(get("content") or "content"),
        admin_ids=_ids(get("admin_ids")),
        language=language,
        timezone=timezone,
        api_url=get("api_url"),
        webhook_url=get("webhook_url"),
        webhook_secret=secret,
        webhook_host=get("webhook_host") or "127.0.0.1",
        webhook_port=_int("webhook_port", get("webhook_port"), 8080),
        webhook_path=get("webhook_path") or "/telegram",
        pause_scale=_float("pause_scale", get("pause_scale"), 1.0),
        extra={k: v for k, v in merged.items() if k.startswith(PREFIX)},
    )


def _ids(raw: str | None) -> frozenset[int]:
    if raw is None:
        return frozenset()
    out: set[int] = set()
    for part in re.split(r"[,\s]+", raw.strip()):
        if not part:
            continue
        if not re.fullmatch(r"-?\d{1,20}", part):
            raise SettingsError(
                f"DIANA_ADMIN_IDS: {part!r} is not a Telegram user id (comma-separated numbers)"
            )
        out.add(int(part))
    return frozenset(out)


def _int(name: str, raw: str | None, default: int) -> int:
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"DIANA_{name.upper()}={raw!r} is not a whole number") from None


def _float(name: str, raw: str | None, default: float) -> float:
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"DIANA_{name.upper()}={raw!r} is not a number") from None
    if value < 0:
        raise SettingsError(f"DIANA_{name.upper()} must not be negative")
    return value
