"""Content commands: validate, lint, explain, schemas."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from cli.report import Format, render_github, render_json, render_text, summary
from engine.content import load_story
from engine.content.catalogue import CATALOGUE
from engine.content.diagnostics import Diagnostic, Severity

EXAMPLES = Path(__file__).resolve().parent.parent / "tests" / "diagnostics"
"""The catalogue's failing examples, one folder per code (present in a source checkout)."""

PathArg = Annotated[
    Path,
    typer.Argument(help="The content folder (or one YAML file).", show_default=False),
]
FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help="text for people, json, or github annotations.")
]


def _check(path: Path, fmt: Format, *, errors_only: bool, strict: bool) -> None:
    if not path.exists():
        Console(stderr=True).print(f"[red]error[/]: no such file or folder: {path}")
        raise typer.Exit(2)
    result = load_story(path)
    diags = result.diagnostics.sorted()
    if errors_only:
        diags = [d for d in diags if d.severity is Severity.ERROR]
    if fmt is Format.json:
        print(render_json(diags, result.files))
    elif fmt is Format.github:
        if diags:
            print(render_github(diags))
    else:
        console = Console(highlight=False)

        def source(d: Diagnostic) -> str | None:
            return result.source_line(d.position)

        render_text(diags, source, console)
        console.print(summary(diags, result.files), style="bold" if diags else "green")
    failing = any(
        d.severity is Severity.ERROR or (strict and d.severity is Severity.WARNING) for d in diags
    )
    raise typer.Exit(1 if failing else 0)


def validate(path: PathArg, fmt: FormatOpt = Format.text) -> None:
    """Check the content and report errors only: the fast gate for CI and the bot.

    Example: [bold]diana validate content/[/]
    """
    _check(path, fmt, errors_only=True, strict=False)


def lint(
    path: PathArg,
    fmt: FormatOpt = Format.text,
    strict: Annotated[bool, typer.Option(help="Fail on warnings too.")] = False,
) -> None:
    """Report every problem, warnings included (unreachable text, missing translations...).

    Example: [bold]diana lint content/ --strict[/]
    """
    _check(path, fmt, errors_only=False, strict=strict)


def explain(
    code: Annotated[str, typer.Argument(help="A diagnostic code, e.g. D302.")],
) -> None:
    """Explain a diagnostic code, with an example that triggers it.

    Example: [bold]diana explain D302[/]
    """
    entry = CATALOGUE.get(code.upper())
    if entry is None:
        Console(stderr=True).print(
            f"[red]error[/]: unknown code {escape(repr(code))}; codes run from D101 to "
            f"{max(CATALOGUE)} (see `diana codes`)"
        )
        raise typer.Exit(2)
    console = Console(highlight=False)
    console.print(f"[bold]{entry.code}[/] ({entry.name}, {entry.severity})")
    console.print(f"message: {entry.template}")
    console.print(entry.explanation)
    console.print(f"[cyan]fix[/]: {entry.hint}")
    example = EXAMPLES / entry.code
    if example.is_dir():
        console.print(f"\n[bold]example[/] (the test fixture {example}):")
        for path in sorted(p for p in example.rglob("*") if p.is_file()):
            text = path.read_text(encoding="utf-8", errors="replace")
            if len(text) <= 2_000:
                console.print(f"[dim]--- {path.relative_to(example)}[/]")
                console.print(escape(text.rstrip("\n")), soft_wrap=True)


def codes() -> None:
    """List every diagnostic code."""
    for entry in CATALOGUE.values():
        print(f"{entry.code}  {entry.severity!s:7}  {entry.name}")


def schemas(
    out: Annotated[Path, typer.Option(help="Where to write the schemas.")] = Path("schemas"),
    check: Annotated[bool, typer.Option(help="Fail if the files differ; write nothing.")] = False,
) -> None:
    """Write the JSON Schemas (for editors) generated from the content model.

    Example: [bold]diana schemas --check[/]
    """
    from engine.content.schema_export import export_schemas

    stale = export_schemas(out, check=check)
    if check and stale:
        print(f"out of date: {', '.join(stale)}; run `diana schemas`", file=sys.stderr)
        raise typer.Exit(1)
    print(f"{'checked' if check else 'wrote'} schemas in {out}")


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(lint)
    app.command()(explain)
    app.command()(codes)
    app.command()(schemas)
