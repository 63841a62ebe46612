"""The options every `diana bench` command shares, so they read and behave the same."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.bench.render import Format

QuickOpt = Annotated[bool, typer.Option("--quick", help="Smaller sizes; about a minute.")]
FormatOpt = Annotated[Format, typer.Option("--format", help="How to print the figures.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Short for --format json.")]
PostgresOpt = Annotated[
    str | None,
    typer.Option(
        "--postgres",
        help="PostgreSQL URL to measure (a throwaway schema is made and dropped); "
        "default $DIANA_BENCH_POSTGRES_URL or postgresql://postgres@127.0.0.1:5432/test.",
        show_default=False,
    ),
]


def chosen(fmt: Format, as_json: bool) -> Format:
    """The format asked for: `--json` wins over `--format`."""
    return Format.JSON if as_json else fmt
