"""Play commands for writers: preview, playtest, test. The logic lives in `cli.play`."""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from engine.content.compiled import Story

PLAYTEST_DAY = "2026-01-01"
"""The playtester's clock starts here (fixed, so reports are reproducible)."""

PathArg = Annotated[
    Path,
    typer.Argument(help="The content folder.", show_default=False),
]


def _need(path: Path) -> None:
    if not path.exists():
        Console(stderr=True).print(f"[red]error[/]: no such file or folder: {path}")
        raise typer.Exit(2)


def _emotions(values: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in values:
        name, sep, number = item.partition("=")
        try:
            out[name.strip()] = int(number)
        except ValueError:
            sep = ""
        if not sep:
            raise typer.BadParameter(
                f"{item!r}: write NAME=NUMBER, e.g. trust=50", param_hint="--emotion"
            )
    return out


def preview(
    path: PathArg,
    start: Annotated[
        str | None, typer.Option(help="Start at this fragment or chapter.", metavar="ID")
    ] = None,
    vip: Annotated[bool, typer.Option("--vip", help="Play as a VIP (no expiry).")] = False,
    points: Annotated[int | None, typer.Option(help="Start with this many points.")] = None,
    emotion: Annotated[
        list[str] | None,
        typer.Option(help="Set one of Diana's emotions, e.g. trust=50 (repeatable)."),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(help="The clock: 2026-12-01 (21:00 story time) or an ISO date-time."),
    ] = None,
    lang: Annotated[str | None, typer.Option(help="The player's language.")] = None,
    seed: Annotated[int, typer.Option(help="The player's seed (picks Diana's lines).")] = 1,
    name: Annotated[str, typer.Option(help="The player's first name.")] = "Ana",
    choices: Annotated[
        str | None,
        typer.Option(help="Play these commands without a terminal: 1,2,1 (prints the transcript)."),
    ] = None,
    script: Annotated[
        Path | None,
        typer.Option(help="Play a file of prompt commands, one a line (prints the transcript)."),
    ] = None,
    pauses: Annotated[bool, typer.Option("--pauses", help="Really wait at typing pauses.")] = False,
) -> None:
    """Play the story in the terminal exactly as a Telegram user would see it.

    At the prompt: a number presses a button; b back, s state, j ID jump, d daily check-in.

    Also: +N points, v VIP on/off, t DAYS moves the clock, l LANG, r reload, q quit, h help.

    Saving a content file reloads it and replays your steps; a broken edit shows its errors.

    Without a terminal, commands come from --choices, --script or standard input.

    Example: [bold]diana preview content/ --choices 1,1,1[/]
    """
    from cli.play.preview import Preview, Workspace
    from cli.play.session import Setup, parse_when

    _need(path)
    workspace = Workspace(path)
    console = Console(highlight=False)
    when = None
    if date is not None:
        result = workspace.load()
        if result.story is None:
            when = None
        else:
            try:
                when = parse_when(date, result.story)
            except ValueError:
                raise typer.BadParameter(
                    f"{date!r}: write a date such as 2026-12-01", param_hint="--date"
                ) from None
    setup = Setup(
        seed=seed,
        name=name,
        language=lang,
        start=start,
        vip=vip,
        points=points,
        emotions=_emotions(emotion or []),
        when=when,
    )
    session = Preview(workspace, setup, console, pauses=pauses)
    code = session.open()
    if code:
        raise typer.Exit(code)
    if choices is not None:
        code = session.run_lines(c for c in choices.split(",") if c.strip())
    elif script is not None:
        if not script.is_file():
            Console(stderr=True).print(f"[red]error[/]: no such script: {script}")
            raise typer.Exit(2)
        code = session.run_lines(script.read_text(encoding="utf-8").splitlines())
    elif not sys.stdin.isatty():
        code = session.run_lines(sys.stdin)
    else:
        code = session.run_interactive()
    raise typer.Exit(code)


class Format(enum.StrEnum):
    text = "text"
    json = "json"


def _load_story(path: Path, console: Console) -> Story:
    from cli.report import render_text
    from engine.content import load_story
    from engine.content.diagnostics import Severity

    _need(path)
    result = load_story(path)
    if not result.ok or result.story is None:
        errors = [d for d in result.diagnostics.sorted() if d.severity is Severity.ERROR]
        render_text(errors, lambda d: result.source_line(d.position), console)
        console.print(f"[red]the content has {len(errors)} error(s); fix them first[/]")
        raise typer.Exit(1)
    return result.story


def playtest(
    path: PathArg,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same report.")] = 1,
    runs: Annotated[int, typer.Option(min=1, help="Random runs per profile.")] = 200,
    max_steps: Annotated[int, typer.Option(min=1, help="Steps per run at most.")] = 200,
    profile: Annotated[
        list[str] | None,
        typer.Option(
            help="Only this profile (repeatable): free, daily, vip, low, regular, or one "
            "declared in <story>/tests/_profiles.yaml. Default: all."
        ),
    ] = None,
    exhaustive: Annotated[
        bool,
        typer.Option("--exhaustive", help="Every distinct state breadth-first, not random."),
    ] = False,
    max_states: Annotated[
        int, typer.Option(min=1, help="--exhaustive stops after this many states.")
    ] = 20_000,
    chapter: Annotated[
        str | None, typer.Option(help="Start at this chapter and stay in it.", metavar="ID")
    ] = None,
    seek: Annotated[
        int,
        typer.Option(
            min=0,
            help="After the random runs, search for each choice they missed, seeing at most "
            "this many states per choice and profile (0: no search).",
        ),
    ] = 5_000,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="text or json.")] = Format.text,
) -> None:
    """Play the story automatically as several kinds of player; find soft-locks and gaps.

    Reports coverage (what was never reached, with file:line), endings and how often.

    What random runs miss, a directed search then seeks, printing the route to each find.

    Also points at the endings, soft-locks, errors, and paywalls: runs blocked, runs shown a lock.

    Blocked: every way on needed VIP or more points, or a VIP gate sent the player to an upsell.

    Exit 1 on a soft-lock or an error.

    Example: [bold]diana playtest content/ --runs 500 --seed 7[/]
    """
    from cli.play.playreport import Options, print_text, run
    from cli.play.profiles import BUILTIN, declared_profiles, select
    from cli.play.session import parse_when

    console = Console(highlight=False)
    story = _load_story(path, console)
    if chapter is not None and chapter not in story.chapters:
        raise typer.BadParameter(
            f"no chapter {chapter!r}; chapters: {', '.join(story.chapters)}", param_hint="--chapter"
        )
    try:
        chosen = select([*BUILTIN, *declared_profiles(path)], profile or [])
    except (KeyError, ValueError) as exc:
        raise typer.BadParameter(str(exc.args[0]), param_hint="--profile") from None
    dims = story.emotions.dimensions
    for p in chosen:
        unknown = [name for name in p.emotions if name not in dims]
        if unknown:
            raise typer.BadParameter(
                f"profile {p.name!r} sets an unknown emotion {unknown[0]!r}; "
                f"emotions: {', '.join(dims)}",
                param_hint="--profile",
            )
    options = Options(seed, runs, max_steps, exhaustive, max_states, chapter, seek)
    report = run(story, str(path), chosen, options, parse_when(PLAYTEST_DAY, story))
    if fmt is Format.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        console = Console(highlight=False)
        if not console.is_terminal:
            console = Console(highlight=False, width=140)  # tables unwrapped in logs and CI
        print_text(report, console)
    raise typer.Exit(0 if report.ok else 1)


def test(
    path: Annotated[
        Path,
        typer.Argument(
            help="The content folder (runs its tests/*.yaml), or one transcript file.",
            show_default=False,
        ),
    ],
) -> None:
    """Run the writers' golden transcripts kept beside the story (content/tests/*.yaml).

    Steps: [bold]choose: "Tocar la campana"[/], [bold]checkin[/], [bold]advance_days: 1[/]...

    Each may [bold]expect:[/] fragment, text contains, buttons, locked, points, emotions...

    A mismatch prints a unified diff of expected against actual; exit 1 on any failure.

    Example: [bold]diana test content/[/]
    """
    from cli.play.goldens import run, transcripts

    _need(path)
    console = Console(highlight=False)
    story_dir, files = transcripts(path)
    if not files:
        console.print(f"[red]no transcripts[/] in {story_dir / 'tests'} (*.yaml)")
        raise typer.Exit(1)
    story = _load_story(story_dir, console)
    failed = 0
    for file in files:
        result = run(story, file)
        shown = escape(str(file))
        if result.failure is None:
            console.print(
                f"[green]PASS[/] {shown}  {escape(result.name)} ({result.steps} steps)",
                soft_wrap=True,
            )
            continue
        failed += 1
        f = result.failure
        console.print(
            f"[bold red]FAIL[/] {shown}:{f.line}  {escape(result.name)}: "
            f"step {f.step} ({escape(f.title)})",
            soft_wrap=True,
        )
        for line in f.diff.splitlines():
            style = "red" if line.startswith("-") else "green" if line.startswith("+") else ""
            console.print(f"    {escape(line)}", style=style, soft_wrap=True)
        if f.context:
            console.print(f"    [dim]{escape(f.context)}[/]", soft_wrap=True)
    passed = len(files) - failed
    console.print(f"{passed} passed, {failed} failed", style="bold red" if failed else "bold green")
    raise typer.Exit(1 if failed else 0)


def register(app: typer.Typer) -> None:
    app.command()(preview)
    app.command()(playtest)
    app.command()(test)
