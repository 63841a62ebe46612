"""Print diagnostics for people (with the source line and a caret), for machines (JSON) and
for GitHub Actions (workflow annotations)."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Sequence

from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape

from engine.content.diagnostics import Diagnostic, Severity

SourceLine = Callable[[Diagnostic], str | None]


class Format(enum.StrEnum):
    text = "text"
    json = "json"
    github = "github"


_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.INFO: "cyan"}


SOURCE_WIDTH = 160
"""Longer source lines are shown as a window of this many characters around the column."""


def source_window(line: str, col: int, width: int = SOURCE_WIDTH) -> tuple[str, int]:
    """The source line to show and the caret's offset in terminal cells under it.

    Tabs count as one column (as the YAML parser counts them); a line longer than `width`
    is cut to a window around the column, with "…" where it was cut. The offset counts
    cells, so the caret stays under its character after wide ones (emoji, CJK).
    """
    text = line.rstrip("\r\n").expandtabs(1)
    at = max(col - 1, 0)
    if len(text) > width:
        start = min(max(at - width // 2, 0), max(len(text) - width, 0))
        end = start + width
        head = "…" if start else ""
        shown = head + text[start:end] + ("…" if end < len(text) else "")
        return shown, cell_len(head + text[start:at]) + max(at - len(text), 0)
    return text, cell_len(text[:at]) + max(at - len(text), 0)


def render_text(diags: Sequence[Diagnostic], source: SourceLine, console: Console) -> None:
    """Each diagnostic with its source line and a caret; nothing is ever wrapped, so the
    caret stays under its column in a narrow terminal and in piped (CI) output alike."""
    for d in diags:
        style = _STYLE[d.severity]
        console.print(
            f"[bold]{escape(str(d.position))}[/]: [{style}]{d.severity} {d.code}[/]: "
            f"{escape(d.message)}",
            highlight=False,
            soft_wrap=True,
        )
        line = source(d)
        if line is not None:
            shown, offset = source_window(line, d.position.col)
            console.print(
                f"  {d.position.line:>4} | {escape(shown)}", highlight=False, soft_wrap=True
            )
            console.print(f"       | {' ' * offset}[{style}]^[/]", highlight=False, soft_wrap=True)
        if d.note:
            console.print(
                f"       = [cyan]note[/]: {escape(d.note)}", highlight=False, soft_wrap=True
            )
        if d.hint:
            console.print(
                f"       = [cyan]hint[/]: {escape(d.hint)}", highlight=False, soft_wrap=True
            )


def summary(diags: Sequence[Diagnostic], files: int) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diags)
    warnings = sum(d.severity is Severity.WARNING for d in diags)
    if not errors and not warnings:
        return f"ok: {files} files, no problems"
    return (
        f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
        f"in {files} files"
    )


def render_json(diags: Sequence[Diagnostic], files: int) -> str:
    return json.dumps(
        {
            "files": files,
            "errors": sum(d.severity is Severity.ERROR for d in diags),
            "warnings": sum(d.severity is Severity.WARNING for d in diags),
            "diagnostics": [
                {
                    "path": d.position.path,
                    "line": d.position.line,
                    "col": d.position.col,
                    "severity": str(d.severity),
                    "code": d.code,
                    "message": d.message,
                    "hint": d.hint,
                    "note": d.note,
                }
                for d in diags
            ],
        },
        ensure_ascii=False,
        indent=2,
    )


def _gh_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(diags: Sequence[Diagnostic]) -> str:
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    return "\n".join(
        f"::{level[d.severity]} file={_gh_escape(d.position.path, prop=True)},"
        f"line={d.position.line},col={d.position.col},title={d.code}::"
        f"{_gh_escape(d.message + (f' ({d.note})' if d.note else ''))}"
        for d in diags
    )
