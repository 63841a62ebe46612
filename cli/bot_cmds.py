"""`diana bot run` (long polling) and `diana bot webhook`: the Telegram bot.

Configuration comes from the environment or `.env` (DIANA_BOT_TOKEN, DIANA_DATABASE_URL,
DIANA_CONTENT, DIANA_ADMIN_IDS, DIANA_LANGUAGE, DIANA_TIMEZONE, DIANA_API_URL and, for the
webhook, DIANA_WEBHOOK_URL/SECRET/HOST/PORT/PATH); options override it. A missing or
malformed setting is one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

bot = typer.Typer(help="Run the Telegram bot (long polling or webhook).", no_args_is_help=True)

ContentOpt = Annotated[
    Path | None,
    typer.Option("--content", help="Content folder; default $DIANA_CONTENT or content/."),
]
DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="Database URL; default $DIANA_DATABASE_URL or the SQLite file."),
]
EnvOpt = Annotated[Path, typer.Option("--env-file", help="A .env file to read settings from.")]


def _run(webhook: bool, content: Path | None, db: str | None, env_file: Path) -> None:
    from engine.telegram.bot import (
        ContentError,
        DianaBot,
        SettingsError,
        load_settings,
        serve_webhook,
    )

    overrides: dict[str, object] = {}
    if content is not None:
        overrides["content"] = content
    if db is not None:
        overrides["database_url"] = db
    try:
        settings = load_settings(env_file=env_file, overrides=overrides)
        if webhook and not settings.webhook_url:
            raise SettingsError("DIANA_WEBHOOK_URL is not set: the public HTTPS URL Telegram calls")
    except SettingsError as error:
        print(f"diana bot: {error}", file=sys.stderr)
        raise typer.Exit(2) from None
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    async def main() -> None:
        diana = DianaBot(settings)
        try:
            await diana.open()
        except ContentError as error:
            print(f"diana bot: {error}", file=sys.stderr)
            raise typer.Exit(1) from None
        diana.freeze_heap()
        diana.pace_gc()  # collect between updates, not inside them (gcpace.py)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            try:
                me = await diana.identify()
            except SettingsError as error:
                print(f"diana bot: {error}", file=sys.stderr)
                raise typer.Exit(2) from None
            await diana.register_commands()
            logging.getLogger("diana.bot").info(
                "@%s plays %s (%s)", me.username, diana.store.engine.story.id, diana.db.describe()
            )
            if webhook:
                await serve_webhook(diana, stop)
            else:
                await diana.poll(stop)
        finally:
            logging.getLogger("diana.bot").info("stopping: finishing updates in flight")
            await diana.close()

    asyncio.run(main())


@bot.command("run")
def run(content: ContentOpt = None, db: DbOpt = None, env_file: EnvOpt = Path(".env")) -> None:
    """Run the bot with long polling (no public URL needed); Ctrl-C stops it cleanly.

    Example: [bold]DIANA_BOT_TOKEN=123:ABC... diana bot run --content content/[/]
    """
    _run(False, content, db, env_file)


@bot.command("webhook")
def webhook(content: ContentOpt = None, db: DbOpt = None, env_file: EnvOpt = Path(".env")) -> None:
    """Serve a webhook (aiohttp) that Telegram calls; the secret token is checked.

    Example: [bold]DIANA_WEBHOOK_URL=https://bot.example.com/telegram
    DIANA_WEBHOOK_SECRET=s3cret diana bot webhook[/]
    """
    _run(True, content, db, env_file)
