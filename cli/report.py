"""Print diagnostics for people (with the source line and a caret), for machines (JSON) and
for GitHub Actions (workflow annotations)."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Sequence

from rich.console import Console
from rich.markup import escape

from engine.content.diagnostics import Diagnostic, Severity

SourceLine = Callable[[Diagnostic], str | None]


class Format(enum.StrEnum):
    text = "text"
    json = "json"
    github = "github"


_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.INFO: "cyan"}


def render_text(diags: Sequence[Diagnostic], source: SourceLine, console: Console) -> None:
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
            text = line.rstrip("\n").expandtabs(1)
            console.print(
                f"  {d.position.line:>4} | {escape(text)}", highlight=False, soft_wrap=True
            )
            console.print(
                f"       | {' ' * max(d.position.col - 1, 0)}[{style}]^[/]", highlight=False
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
        f"{_gh_escape(d.message)}"
        for d in diags
    )
