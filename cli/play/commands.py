"""The preview's prompt language: one command a line, the same interactively, in `--script`
files, in `--choices` and on standard input."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from cli.play.session import Action

Meta = Literal["back", "state", "reload", "quit", "help", "show", "noop"]

HELP = """\
  1, 2, ...    press that button (locked ones too: see what Diana says)
  c <ref>      press the button with that reference (fragment.choice), as playtest prints
  b            back: undo the last step
  s            show the full player state (JSON)
  j <id>       jump to a fragment or a chapter's start
  d            daily check-in
  +N / -N      grant (or take) N points, as an operator would
  v            toggle VIP (no expiry)
  t <days>     move the clock forward; Diana's emotions drift back
  l <lang>     switch language
  r            reload the content and replay your steps
  .            show the current fragment again
  q            quit          h  this help
  # ...        a comment (scripts)"""

_GRANT = re.compile(r"([+-])\s*(\d+)")


class CommandError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Command:
    """A parsed line: press a button, a recorded action, or a meta command."""

    press: int | None = None
    action: Action | None = None
    meta: Meta | None = None


def parse(line: str) -> Command:
    text = line.strip()
    if not text or text.startswith("#"):
        return Command(meta="noop")
    if text.isdigit():
        return Command(press=int(text))
    grant = _GRANT.fullmatch(text)
    if grant:
        sign, amount = grant.groups()
        return Command(action=Action("grant", f"{'-' if sign == '-' else ''}{amount}"))
    head, _, rest = text.partition(" ")
    head, rest = head.lower(), rest.strip()
    simple: dict[str, Meta] = {
        "b": "back",
        "back": "back",
        "s": "state",
        "state": "state",
        "r": "reload",
        "reload": "reload",
        "q": "quit",
        "quit": "quit",
        "exit": "quit",
        "h": "help",
        "help": "help",
        "?": "help",
        ".": "show",
    }
    if head in simple and not rest:
        return Command(meta=simple[head])
    if head in {"d", "daily"} and not rest:
        return Command(action=Action("checkin"))
    if head in {"v", "vip"} and not rest:
        return Command(action=Action("vip"))
    if head in {"c", "choose"}:
        if not rest:
            raise CommandError("choose needs a button reference: choose fragment.choice")
        return Command(action=Action("choose", rest))
    if head in {"j", "jump"}:
        if not rest:
            raise CommandError("j needs a fragment or chapter id: j salon_principal")
        return Command(action=Action("jump", rest))
    if head in {"t", "time"}:
        if not rest.isdigit() or int(rest) < 1:
            raise CommandError("t needs a whole number of days: t 1")
        return Command(action=Action("advance", rest))
    if head in {"l", "lang"}:
        if not rest:
            raise CommandError("l needs a language code: l en")
        return Command(action=Action("language", rest))
    raise CommandError(f"unknown command {text!r}; h lists the commands")
