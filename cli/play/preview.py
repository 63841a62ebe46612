"""`diana preview`: play the story in a terminal as a Telegram user would, and watch the files.

The content folder is polled (file sizes and modification times) before every command and, at
an interactive prompt, by a background thread; a saved edit is reloaded through a
`ContentCache` and the steps taken so far are replayed. A broken edit shows its diagnostics and
the previous story keeps playing until the files are fixed.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cli.play import render
from cli.play.commands import HELP, CommandError, parse
from cli.play.session import Session, SessionError, Setup, Shown
from cli.report import render_text
from engine.content.diagnostics import Severity
from engine.content.loader import ContentCache, LoadResult, discover, load_story
from engine.runtime import dumps_state
from engine.telegram import formatting

PROMPT = "› "
SIDE_PANEL_WIDTH = 110
"""From this terminal width on, the status is a panel beside the messages."""
WATCH_SECONDS = 0.5

Fingerprint = tuple[tuple[str, int, int], ...]


class Workspace:
    """The content folder: loaded through a cache, and able to tell when a file was saved."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.cache = ContentCache()
        self.seen: Fingerprint | None = None

    def fingerprint(self) -> Fingerprint:
        found = []
        for p in discover(self.path):
            with contextlib.suppress(OSError):
                st = p.stat()
                found.append((str(p), st.st_mtime_ns, st.st_size))
        return tuple(found)

    def changed(self) -> bool:
        return self.fingerprint() != self.seen

    def load(self) -> LoadResult:
        self.seen = self.fingerprint()
        return load_story(self.path, cache=self.cache)


class Preview:
    """The prompt loop around a `Session`; every mistake is shown, none is fatal."""

    def __init__(
        self, workspace: Workspace, setup: Setup, console: Console, *, pauses: bool = False
    ) -> None:
        self.workspace = workspace
        self.setup = setup
        self.console = console
        self.pauses = pauses
        self.plain = not console.is_terminal
        self.session: Session | None = None
        self.mistakes = 0
        self.lock = threading.RLock()
        self.stop = threading.Event()

    # --- starting and reloading ------------------------------------------------------------

    def open(self) -> int:
        """Load and start; 0 when playing, else the exit code (1 content, 2 usage)."""
        result = self.workspace.load()
        if not result.ok or result.story is None:
            self._diagnostics(result)
            return 1
        try:
            self.session = Session(result.story, self.setup)
        except SessionError as exc:
            self.console.print(f"[red]error[/]: {exc}", soft_wrap=True)
            return 2
        story = result.story
        title = story.title.get(self.session.state.language, story.default_language)
        self.console.print(
            Text.assemble((title, "bold"), (" — diana preview: h for help, q to quit", "dim")),
            soft_wrap=True,
        )
        self.show(self.session.opening)
        return 0

    def reload(self, *, force: bool = False) -> None:
        result = self.workspace.load()
        session = self.session
        if not result.ok or result.story is None:
            self.console.print(
                "[bold red]✗ the content has errors; still playing the last good version[/]"
            )
            self._diagnostics(result)
            return
        if session is None or (result.story is session.story and not force):
            return
        try:
            fresh, stopped = session.replay(result.story)
        except Exception as exc:  # a story that cannot start: keep playing the last one
            self._mistake(f"the edited story cannot start ({exc}); still playing the last one")
            return
        self.session = fresh
        done = len(fresh.actions)
        self.console.print(
            f"[bold green]↻ reloaded[/] [dim]{result.files} files; replayed {done} of "
            f"{len(session.actions)} steps[/]"
        )
        if stopped:
            self.console.print(f"[yellow]replay stopped at {stopped}[/]", soft_wrap=True)
        self.show(fresh.current())

    def _diagnostics(self, result: LoadResult) -> None:
        errors = [d for d in result.diagnostics.sorted() if d.severity is Severity.ERROR]
        render_text(errors, lambda d: result.source_line(d.position), self.console)

    # --- commands --------------------------------------------------------------------------

    def handle(self, line: str) -> bool:
        """Run one prompt line; False means quit."""
        session = self.session
        assert session is not None
        try:
            command = parse(line)
        except CommandError as exc:
            return self._mistake(str(exc))
        if command.meta == "quit":
            return False
        if command.meta == "noop":
            return True
        if self.workspace.changed():
            self.reload()
            session = self.session
            assert session is not None
        try:
            if command.press is not None:
                self.show(session.press(command.press))
            elif command.action is not None:
                self.show(session.do(command.action))
            elif command.meta == "help":
                self.console.print(HELP, markup=False, highlight=False)
            elif command.meta == "state":
                data = json.loads(dumps_state(session.state))
                self.console.print(json.dumps(data, indent=2, ensure_ascii=False), markup=False)
            elif command.meta == "back":
                if not session.back():
                    return self._mistake("nothing to undo: this is the first step")
                self.console.print(f"[dim]↶ back to {session.state.fragment}[/]")
                self.show(session.current())
            elif command.meta == "reload":
                self.reload(force=True)
            elif command.meta == "show":
                self.show(session.current())
        except SessionError as exc:
            return self._mistake(str(exc))
        except Exception as exc:  # an engine bug must not end a writer's session
            return self._mistake(f"internal error: {type(exc).__name__}: {exc}")
        return True

    def _mistake(self, message: str) -> bool:
        self.mistakes += 1
        self.console.print(f"[red]✗[/] {message}", soft_wrap=True, highlight=False)
        return True

    def run_lines(self, lines: Iterable[str]) -> int:
        """Without a terminal: echo and run each line; exit 1 if any line was a mistake."""
        for line in lines:
            text = line.strip()
            if text and not text.startswith("#"):
                self.console.print(Text(f"> {text}", style="bold"))
            if not self.handle(line):
                break
        return 1 if self.mistakes else 0

    def run_interactive(self) -> int:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing and history for input())
        watcher = threading.Thread(target=self._watch, daemon=True)
        watcher.start()
        try:
            while True:
                try:
                    line = input(PROMPT)
                except (EOFError, KeyboardInterrupt):
                    self.console.print()
                    break
                with self.lock:
                    if not self.handle(line):
                        break
        finally:
            self.stop.set()
        return 0

    def _watch(self) -> None:
        while not self.stop.wait(WATCH_SECONDS):
            with self.lock:
                if self.workspace.changed():
                    self.console.print()
                    self.reload()
                    self.console.print(PROMPT, end="")
                    self.console.file.flush()

    # --- showing ---------------------------------------------------------------------------

    def show(self, shown: Shown) -> None:
        session = self.session
        assert session is not None
        story, state = session.story, session.state
        body: list[RenderableType] = []
        streamed = self.pauses  # really pausing: print as we go, no side panel
        over = formatting.story_over(session.engine, state) if shown.ended else None
        for message in formatting.messages(session.engine, state, shown.parts, shown.ended, over):
            if message.pause:
                typing = Text(f"… {render.typing_line(story, state.language)}", style="dim italic")
                body.append(typing)
                if streamed:
                    self._flush(body)
                    time.sleep(message.pause)
            body.append(render.outgoing(message, plain=self.plain))
            body.append(Text())
        notes = render.event_notes(shown.events)
        if notes is not None:
            body.append(notes)
        if shown.popup:
            body.append(Text(f"[pop-up] {shown.popup}", style="yellow"))
        if shown.note:
            body.append(Text(f"🔒 {shown.note}", style="yellow"))
        if shown.ended:
            body.append(Text("— the end — b goes back, j <id> jumps, q quits", style="magenta"))
        elif shown.buttons:
            if not shown.scene:
                body.append(Text(f"(buttons under {state.fragment})", style="dim"))
            body.append(render.buttons(shown.buttons, session.engine, state))
        elif state.fragment is not None:
            body.append(Text("⚠ no buttons here and not an ending: a dead end", style="red"))
        if self.plain:
            body.append(render.status_line(story, state, session.now))
            self._flush(body)
            return
        panel = Panel(render.status(story, state, session.now), title="status", border_style="dim")
        if self.console.width >= SIDE_PANEL_WIDTH and not streamed:
            grid = Table.grid(expand=True, padding=(0, 2))
            grid.add_column(ratio=2)
            grid.add_column(ratio=1, min_width=40)
            grid.add_row(Group(*body), panel)
            self.console.print(grid)
        else:
            self.console.print(Group(*body, panel))

    def _flush(self, items: list[RenderableType]) -> None:
        for item in items:
            self.console.print(item, soft_wrap=self.plain)
        items.clear()
        self.console.file.flush()
