"""The `diana` Typer application; each command group lives in its own module."""

from __future__ import annotations

import typer

from cli import (
    author_cmds,
    bench_bot,  # noqa: F401 - registers `diana bench bot` on the bench group
    content_cmds,
    db_cmds,
    play_cmds,
)
from cli.bench_cmds import bench
from cli.bot_cmds import bot

app = typer.Typer(
    name="diana",
    help="Diana: write, check and run an interactive story for a Telegram bot.\n\n"
    "Start with `diana validate content/` and `diana lint content/`.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
content_cmds.register(app)
db_cmds.register(app)
play_cmds.register(app)
author_cmds.register(app)
app.add_typer(bench, name="bench")
app.add_typer(bot, name="bot")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
