"""Author tools: `diana graph` (the story map) and `diana stats` (size, reading time, economy)."""

from __future__ import annotations

import enum
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cli.report import render_text, summary
from engine.content import Story, load_story
from engine.content.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:  # the checks it imports are loaded only when a command runs
    from engine.content.stats import StoryStats, Tally


class GraphFormat(enum.StrEnum):
    mermaid = "mermaid"
    dot = "dot"


class StatsFormat(enum.StrEnum):
    text = "text"
    json = "json"


RENDERED = {".svg": "svg", ".png": "png"}
DOT_SUFFIXES = {".dot", ".gv"}
NO_DOT = (
    "error: rendering {name} needs Graphviz's `dot`, which is not installed "
    "(apt-get install graphviz, or brew install graphviz); `--format dot` works without it"
)

PathArg = Annotated[Path, typer.Argument(help="The content folder.", show_default=False)]
LangOpt = Annotated[
    str | None,
    typer.Option("--lang", "-l", help="Language of labels and titles (default: the story's)."),
]


def _load(path: Path, lang: str | None) -> tuple[Story, str]:
    """The story under `path`, or exit: 2 for a bad path or language, 1 for content errors."""
    err = Console(stderr=True, highlight=False)
    if not path.is_dir():
        err.print(f"[red]error[/]: not a content folder: {escape(str(path))}")
        raise typer.Exit(2)
    result = load_story(path)
    if not result.ok or result.story is None:
        errors = [d for d in result.diagnostics.sorted() if d.severity is Severity.ERROR]

        def source(d: Diagnostic) -> str | None:
            return result.source_line(d.position)

        render_text(errors, source, err)
        err.print(f"{summary(errors, result.files)}: fix them first", style="bold")
        raise typer.Exit(1)
    story = result.story
    if lang is not None and lang not in story.languages:
        err.print(
            f"[red]error[/]: no language {lang!r}; the story has {', '.join(story.languages)}"
        )
        raise typer.Exit(2)
    return story, lang or story.default_language


def _dot_or_exit(output: Path) -> str:
    exe = shutil.which("dot")
    if exe is None:
        print(NO_DOT.format(name=output.name), file=sys.stderr)
        raise typer.Exit(1)
    return exe


def _render(exe: str, dot: str, output: Path) -> None:
    done = subprocess.run(  # noqa: S603 -- a fixed argv; the graph goes in on stdin
        [exe, f"-T{RENDERED[output.suffix.lower()]}", "-o", str(output)],
        input=dot.encode(),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip()
        Console(stderr=True).print(f"[red]error[/]: dot failed: {escape(message)}")
        raise typer.Exit(1)


def graph(
    path: PathArg,
    fmt: Annotated[
        GraphFormat | None,
        typer.Option(
            "--format", "-f", help="mermaid or dot (default: from --output's suffix, else mermaid)."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write here; .svg or .png are rendered with Graphviz `dot`."
        ),
    ] = None,
    lang: LangOpt = None,
) -> None:
    """Draw the story map: chapters, fragments, choices, VIP area, endings, unreachable text.

    Example: [bold]diana graph content/ -o map.svg[/]
    """
    from engine.content.graph_export import story_map, to_dot, to_mermaid

    suffix = output.suffix.lower() if output is not None else ""
    rendered = suffix in RENDERED
    if rendered and fmt is GraphFormat.mermaid:
        Console(stderr=True).print(
            f"[red]error[/]: {suffix} files are drawn by Graphviz; use --format dot or no --format"
        )
        raise typer.Exit(2)
    if fmt is None:
        fmt = GraphFormat.dot if rendered or suffix in DOT_SUFFIXES else GraphFormat.mermaid
    exe = _dot_or_exit(output) if output is not None and rendered else None
    story, language = _load(path, lang)
    layout = story_map(story, language)
    text = to_dot(layout) if fmt is GraphFormat.dot else to_mermaid(layout)
    if output is None:
        print(text, end="")
        return
    if exe is not None:
        _render(exe, text, output)
    else:
        fenced = suffix == ".md" and fmt is GraphFormat.mermaid
        try:
            output.write_text(f"```mermaid\n{text}```\n" if fenced else text, encoding="utf-8")
        except OSError as exc:
            Console(stderr=True).print(f"[red]error[/]: cannot write {escape(str(exc))}")
            raise typer.Exit(1) from exc
    print(f"wrote {output}")


def _minutes(minutes: float) -> str:
    return (
        f"{minutes:.1f} min" if minutes < 60 else f"{int(minutes // 60)} h {minutes % 60:.0f} min"
    )


def stats(
    path: PathArg,
    fmt: Annotated[
        StatsFormat, typer.Option("--format", "-f", help="text for people, or json.")
    ] = StatsFormat.text,
    lang: LangOpt = None,
) -> None:
    """Count fragments, choices, words and endings per chapter and language, and the economy.

    Words count fragment text, captions and button labels; reading time assumes 200 words/min.

    Points: choice costs, choice rewards and first-visit rewards per chapter, with totals.

    Example: [bold]diana stats content/ --format json[/]
    """
    from engine.content.stats import story_stats

    story, language = _load(path, lang)
    st = story_stats(story, language)
    if fmt is StatsFormat.json:
        print(json.dumps(st.to_json(), ensure_ascii=False, indent=2))
        return
    console = Console(highlight=False, width=max(Console().width, 120))
    for table in _tables(st):
        console.print(table)
    eco = st.economy
    sym = eco.symbol
    streak = (
        f"{eco.streak_bonus} {sym} every {eco.streak_every} days" if eco.streak_every else "none"
    )
    console.print(
        f"[bold]Economy[/] ({escape(eco.currency)}): starting points {eco.starting_points} {sym}, "
        f"daily gift {eco.daily_gift} {sym}, streak bonus {streak}"
    )
    console.print(
        f"[bold]VIP[/]: multiplier {eco.vip_multiplier_percent}%; "
        f"{st.total.vip_fragments} VIP fragments; {eco.achievements} achievements"
    )
    ladder = ", ".join(f"{escape(name)} ≥ {low}" for _, name, low in eco.levels)
    console.print(f"[bold]Levels[/] ({len(eco.levels)}): {ladder}")


def _points(tally: Tally, symbol: str) -> str:
    """`65 💋 (5, max 20)`; `-` when nothing costs or pays."""
    return f"{tally.sum} {symbol} ({tally.count}, max {tally.max})" if tally.count else "-"


def _tables(st: StoryStats) -> list[Table]:
    from engine.content.stats import WORDS_PER_MINUTE

    rows = (*st.chapters, st.total)
    chapters = Table(title=f"{escape(st.title)}: chapters")
    chapters.add_column("chapter", no_wrap=True)
    chapters.add_column("title")
    for col in ("fragments", "VIP fragments", "choices"):
        chapters.add_column(col, justify="right")
    chapters.add_column("endings")
    for c in rows:
        types = ", ".join(f"{n} {t}" for t, n in sorted(c.endings.items()))
        ends = f"{sum(c.endings.values())}" + (f": {types}" if types else "")
        name = "[bold]total[/]" if c is st.total else c.id
        title = "" if c is st.total else escape(c.title) + (" [magenta]· VIP[/]" if c.vip else "")
        counts = (c.fragments, c.vip_fragments, c.choices)
        chapters.add_row(name, title, *map(str, counts), ends)
    text = Table(title=f"Text per language (reading time at {WORDS_PER_MINUTE} words/min)")
    for col in ("chapter", "lang", "words", "characters", "reading time", "untranslated"):
        text.add_column(
            col, justify="left" if col in {"chapter", "lang"} else "right", no_wrap=True
        )
    for c in rows:
        for code in st.languages:
            t = c.text[code]
            cells = (f"{t.words:,}", f"{t.characters:,}", _minutes(t.reading_minutes))
            missing = str(t.untranslated) if t.untranslated else ""
            name = "[bold]total[/]" if c is st.total else c.id
            text.add_row(name, code, *cells, missing)
    sym = st.economy.symbol
    points = Table(title=f"Points ({sym}) per chapter: sum (how many, largest)")
    points.add_column("chapter", no_wrap=True)
    for col in ("choice costs", "choice rewards", "first-visit rewards", "achievement rewards"):
        points.add_column(col, justify="right")
    for c in rows:
        total = c is st.total
        amounts = [_points(t, sym) for t in (c.costs, c.choice_rewards, c.fragment_rewards)]
        amounts.append(_points(st.achievement_rewards, sym) if total else "")
        points.add_row("[bold]total[/]" if total else c.id, *amounts)
    return [chapters, text, points]


def register(app: typer.Typer) -> None:
    app.command()(graph)
    app.command()(stats)
