"""`diana preview`: Telegram HTML in the terminal, the session (undo, jump, VIP, clock,
replay), the command line (choices, scripts, stdin), and the interactive prompt through a
pseudo-terminal, including reloading and replaying when a content file is saved.

Expectations are computed from the loaded story wherever the shipped story is used, since its
text is being written while these tests run.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import select
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cli.main import app
from cli.play import render
from cli.play.commands import CommandError, parse
from cli.play.preview import Preview, Workspace
from cli.play.session import Action, Session, SessionError, Setup, parse_when
from engine.content import Story, load_story
from engine.runtime import Button, Engine, Outcome
from engine.telegram import formatting

ROOT = Path(__file__).parent.parent
CONTENT = ROOT / "content"
BASE = ROOT / "tests" / "stories" / "_base"
DIANA = Path(sys.executable).parent / "diana"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
runner = CliRunner()
WHEN = "2026-12-01"

MINI = """\
kind: chapter
id: main
title: {es: Principal, en: Main}
fragments:
  - id: inicio
    speaker: diana
    pause: 1
    text: {es: "Hola, <b>{name}</b>. MARCA-INICIO", en: "Hello, <b>{name}</b>. MARK-START"}
    choices:
      - {label: {es: Pasar, en: Come in}, to: sala, effects: {add: {trust: 5}}}
      - {id: vip, label: {es: Subir, en: Go up}, to: fin, vip: true}
  - id: sala
    text: {es: "Una sala vacía. MARCA-SALA", en: "An empty room. MARK-ROOM"}
    choices:
      - {label: {es: Terminar, en: Finish}, to: fin}
  - id: fin
    text: {es: Fin., en: The end.}
    ending: {title: {es: Final, en: Ending}, type: good}
"""


def mini_story(tmp_path: Path, chapter: str = MINI) -> Path:
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    (content / "chapters" / "main.yaml").write_text(chapter, encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def shipped() -> Story:
    result = load_story(CONTENT)
    assert result.story is not None, "the shipped story does not load"
    return result.story


def first_line(html: str) -> str:
    return render.telegram(html, plain=True).plain.strip().split("\n")[0]


# --- Telegram HTML ---------------------------------------------------------------------------


def test_telegram_html_styles_and_plain_markers() -> None:
    html = (
        "<b>bold</b> <i>it</i> <u>u</u> <s>s</s> <tg-spoiler>secret</tg-spoiler> "
        '<a href="https://x.example">link</a> <code>c</code> a &amp; b'
    )
    rich = render.telegram(html)
    assert rich.plain == "bold it u s secret link c a & b"
    styles = {str(span.style) for span in rich.spans}
    assert {"bold", "italic", "underline", "strike", "reverse dim", "bold cyan"} <= styles
    assert any("link https://x.example" in s for s in styles)
    plain = render.telegram(html, plain=True)
    assert plain.plain == "bold it u s ||secret|| link <https://x.example> c a & b"
    assert not plain.spans


def test_blockquote_lines_are_marked() -> None:
    text = render.telegram("Antes\n<blockquote>uno\ndos</blockquote>después", plain=True).plain
    assert text == "Antes\n▎ uno\n▎ dos\ndespués"


def test_unclosed_and_unknown_tags_keep_their_text() -> None:
    assert render.telegram("<b>sin cerrar <blink>x</blink>").plain == "sin cerrar x"


def test_buttons_are_numbered_and_worded_as_telegram_words_them(shipped: Story) -> None:
    symbol = shipped.economy.currency_symbol
    engine = Engine(shipped)
    state = engine.new_player(seed=1).state
    vip = Button("Seguirla", "l", "a.b", False, "vip", "El Diván")
    assert render.button_line(3, formatting.button_label(engine, state, vip)).plain == (
        " 3. 🔒 Seguirla · El Diván"
    )
    dear = Button("Copa", "l", "a.c", False, "cost", None, None, 15)
    shown = render.buttons([Button("Ir", "l", "a.e", True), dear], engine, state).plain
    assert shown == f" 1. Ir\n 2. 🔒 Copa · 15 {symbol}"
    priced = Button("Copa", "l", "a.c", True, cost=15)
    assert render.buttons([priced], engine, state).plain == f" 1. Copa · 15 {symbol}"
    shut = Button("Puerta", "l", "a.d", False, "condition", "Cerrada")
    assert render.buttons([shut], engine, state).plain == " 1. 🔒 Puerta · Cerrada"


# --- the prompt language ---------------------------------------------------------------------


def test_parse_commands() -> None:
    assert parse("2").press == 2
    assert parse(" b ").meta == "back"
    assert parse("# a comment").meta == "noop"
    assert parse("+25").action == Action("grant", "25")
    assert parse("-5").action == Action("grant", "-5")
    assert parse("t 3").action == Action("advance", "3")
    assert parse("j salon").action == Action("jump", "salon")
    assert parse("c a.b").action == Action("choose", "a.b")
    assert parse("l en").action == Action("language", "en")
    assert parse("d").action == Action("checkin")
    assert parse("v").action == Action("vip")
    for bad in ("t", "t x", "j", "zzz"):
        with pytest.raises(CommandError):
            parse(bad)


# --- the session -----------------------------------------------------------------------------


def test_session_plays_undoes_and_replays(shipped: Story) -> None:
    setup = Setup(when=parse_when(WHEN, shipped))
    session = Session(shipped, setup)
    engine = Engine(shipped)
    first = session.frame.screen.buttons[0]
    target = shipped.fragments[shipped.start].choices[0].target
    shown = session.press(1)
    assert shown.outcome is Outcome.MOVED and session.state.fragment == target
    assert session.actions == [Action("choose", first.ref)]
    assert [b.label for b in shown.buttons] == [
        b.label for b in engine.view(session.state, session.now).buttons
    ]
    again, stopped = session.replay(shipped)
    assert stopped is None and again.state == session.state
    assert session.back() and session.state.fragment == shipped.start
    assert not session.back()
    with pytest.raises(SessionError, match="no button 99"):
        session.press(99)


def test_session_tools(tmp_path: Path) -> None:
    story = load_story(mini_story(tmp_path)).story
    assert story is not None
    session = Session(story, Setup(when=datetime(2026, 1, 1, 20, tzinfo=UTC), points=3))
    assert session.state.points == 3
    locked = session.press(2)
    assert locked.outcome is Outcome.VIP_LOCKED and session.state.fragment == "inicio"
    assert session.actions == []  # nothing changed: nothing to undo
    session.do(Action("vip"))
    assert session.state.vip_active(session.now)
    assert all(b.available for b in session.frame.screen.buttons)
    session.do(Action("vip"))
    assert not session.state.vip_active(session.now)
    session.do(Action("grant", "7"))
    assert session.state.points == 10
    checked = session.do(Action("checkin"))
    assert checked.outcome is Outcome.CHECKED_IN and session.state.streak == 1
    later = session.do(Action("advance", "2"))
    assert (session.now - datetime(2026, 1, 1, 20, tzinfo=UTC)).days == 2
    assert later.outcome is Outcome.RETURNED
    session.do(Action("language", "en"))
    assert "MARK-START" in session.current().parts[0].text
    with pytest.raises(SessionError, match="not offered"):
        session.do(Action("language", "xx"))
    jumped = session.do(Action("jump", "sala"))
    assert session.state.fragment == "sala" and jumped.scene
    with pytest.raises(SessionError, match="did you mean 'sala'"):
        session.do(Action("jump", "salaa"))
    session.do(Action("jump", "fin"))
    assert session.frame.screen.ended
    with pytest.raises(SessionError, match="ended"):
        session.press(1)


def test_session_starting_options(tmp_path: Path) -> None:
    story = load_story(mini_story(tmp_path)).story
    assert story is not None
    session = Session(story, Setup(start="sala", emotions={"trust": 60}, vip=True))
    assert session.state.fragment == "sala"
    assert session.state.emotions["trust"] == 60 and session.state.mood == "trusting"
    with pytest.raises(SessionError, match="no emotion"):
        Session(story, Setup(emotions={"trustt": 1}))


# --- the command line ------------------------------------------------------------------------


def test_preview_choices_prints_a_plain_transcript(shipped: Story) -> None:
    result = runner.invoke(app, ["preview", str(CONTENT), "--choices", "1,1,1", "--date", WHEN])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "\x1b[" not in out
    engine = Engine(shipped)
    now = parse_when(WHEN, shipped)
    state = engine.start(engine.new_player(seed=1, name="Ana").state, now).state
    assert first_line(engine.view(state, now).parts[0].text) in out
    for _ in range(3):
        state = engine.choose(state, engine.view(state, now).buttons[0].ref, now).state
        view = engine.view(state, now)
        assert first_line(view.parts[0].text) in out
        assert f" 1. {view.buttons[0].label}" in out or view.ended
    assert out.count("> 1") == 3
    assert "[photo: " in out or all(f.media is None for f in shipped.fragments.values())


def test_preview_script_and_stdin(tmp_path: Path) -> None:
    content = mini_story(tmp_path)
    script = tmp_path / "play.txt"
    script.write_text("# press the first button\n1\ns\nb\nj fin\nq\n1\n", encoding="utf-8")
    result = runner.invoke(app, ["preview", str(content), "--script", str(script)])
    assert result.exit_code == 0, result.output
    assert "MARCA-SALA" in result.output and '"frag": "sala"' in result.output
    assert "↶ back to inicio" in result.output and "★ Final ★" in result.output
    assert "> 1" in result.output and result.output.count("> 1") == 1  # stopped at q
    piped = runner.invoke(app, ["preview", str(content), "--lang", "en"], input="1\n")
    assert piped.exit_code == 0 and "MARK-ROOM" in piped.output
    assert "Diana is typing…" in piped.output  # the pause, shown without waiting


def test_preview_mistakes_fail_a_scripted_run(tmp_path: Path) -> None:
    content = mini_story(tmp_path)
    result = runner.invoke(app, ["preview", str(content), "--choices", "7"])
    assert result.exit_code == 1 and "no button 7" in result.output
    assert runner.invoke(app, ["preview", str(content), "--start", "nope"]).exit_code == 2
    assert runner.invoke(app, ["preview", str(tmp_path / "none")]).exit_code == 2
    bad = runner.invoke(app, ["preview", str(content), "--emotion", "trust"])
    assert bad.exit_code == 2
    locked = runner.invoke(app, ["preview", str(content), "--choices", "2", "--vip"])
    assert locked.exit_code == 0 and "★ Final ★" in locked.output


def test_preview_shows_diagnostics_for_broken_content(tmp_path: Path) -> None:
    content = mini_story(tmp_path, MINI.replace("to: sala,", "to: salaa,"))
    result = runner.invoke(app, ["preview", str(content), "--choices", "1"])
    assert result.exit_code == 1 and "D302" in result.output


def test_reload_replays_and_survives_a_broken_edit(tmp_path: Path) -> None:
    content = mini_story(tmp_path)
    chapter = content / "chapters" / "main.yaml"
    console = Console(record=True, width=200, force_terminal=False)
    preview = Preview(Workspace(content), Setup(), console)
    assert preview.open() == 0
    assert preview.handle("1")
    chapter.write_text("kind: chapter\nid: [\n", encoding="utf-8")
    assert preview.handle(".")
    out = console.export_text()
    assert "the content has errors" in out and "D101" in out
    assert preview.session is not None and preview.session.state.fragment == "sala"
    chapter.write_text(MINI.replace("MARCA-SALA", "EDITADA"), encoding="utf-8")
    assert preview.handle(".")
    out = console.export_text()
    assert "reloaded" in out and "replayed 1 of 1 steps" in out and "EDITADA" in out
    assert preview.session.state.fragment == "sala"
    chapter.write_text(MINI.replace("to: sala,", "to: fin,"), encoding="utf-8")
    assert preview.handle(".")
    assert "replay stopped at step 1" in console.export_text()


def test_reload_keeps_the_last_story_when_the_edit_cannot_start(tmp_path: Path) -> None:
    content = mini_story(tmp_path)
    console = Console(record=True, width=200, force_terminal=False)
    preview = Preview(Workspace(content), Setup(start="sala"), console)
    assert preview.open() == 0
    renamed = MINI.replace("id: sala", "id: salon").replace("to: sala,", "to: salon,")
    (content / "chapters" / "main.yaml").write_text(renamed, encoding="utf-8")
    assert preview.handle(".")
    out = console.export_text()
    assert "cannot start" in out and "did you mean 'salon'" in out
    assert preview.session is not None and preview.session.state.fragment == "sala"


def test_help_has_an_example() -> None:
    result = runner.invoke(app, ["preview", "--help"])
    assert result.exit_code == 0 and "Example" in result.output


def test_preview_as_a_subprocess_prints_no_ansi(tmp_path: Path) -> None:
    content = mini_story(tmp_path)
    proc = subprocess.run(
        [str(DIANA), "preview", str(content), "--choices", "1,1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "MARCA-SALA" in proc.stdout and "★ Final ★" in proc.stdout
    assert "\x1b[" not in proc.stdout


# --- the interactive prompt, through a pseudo-terminal ----------------------------------------


class Terminal:
    """`diana preview` on a pseudo-terminal: type lines, read the screen (ANSI stripped)."""

    def __init__(self, *args: str) -> None:
        import pty

        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: a real terminal, 140 columns
            os.environ.update(COLUMNS="140", LINES="50", TERM="xterm")
            os.execv(str(DIANA), [str(DIANA), "preview", *args])
        self.raw = ""
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    @property
    def screen(self) -> str:
        return ANSI.sub("", self.raw)

    def clear(self) -> None:
        self.raw = ""

    def read_until(self, needle: str, timeout: float = 15.0) -> str:
        end = time.monotonic() + timeout
        while needle not in self.screen and time.monotonic() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    break
                self.raw += self.decoder.decode(chunk)
        screen = self.screen
        assert needle in screen, f"{needle!r} not on screen:\n{screen[-2000:]}"
        return screen

    def type(self, line: str) -> None:
        self.clear()
        os.write(self.fd, line.encode() + b"\n")

    def close(self) -> int:
        self.type("q")
        end = time.monotonic() + 10
        while time.monotonic() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                with contextlib.suppress(OSError):
                    os.read(self.fd, 65536)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        raise AssertionError("diana preview did not quit")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_interactive_preview_on_the_shipped_story(shipped: Story) -> None:
    engine = Engine(shipped)
    now = parse_when(WHEN, shipped)
    state = engine.start(engine.new_player(seed=1, name="Ana").state, now).state
    first = engine.view(state, now).buttons[0]
    after = engine.view(engine.choose(state, first.ref, now).state, now)
    term = Terminal(str(CONTENT), "--date", WHEN)
    screen = term.read_until("› ")
    assert f"1. {first.label}" in screen and "status" in screen
    term.type("1")
    screen = term.read_until(f"1. {after.buttons[0].label}")
    assert after.buttons[0].label in screen
    term.type("h")
    assert "jump to a fragment" in term.read_until("quit")
    assert term.close() == 0


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_interactive_preview_reloads_a_saved_edit_and_replays(tmp_path: Path) -> None:
    content = mini_story(tmp_path)
    chapter = content / "chapters" / "main.yaml"
    term = Terminal(str(content))
    term.read_until("› ")
    term.type("1")
    term.read_until("MARCA-SALA")
    term.read_until("› ")
    term.clear()
    chapter.write_text(MINI.replace("MARCA-SALA", "RECARGADA"), encoding="utf-8")
    screen = term.read_until("RECARGADA")  # the watcher reloads without any key pressed
    assert "reloaded" in screen and "replayed 1 of 1 steps" in screen
    term.clear()
    chapter.write_text("kind: chapter\nid: [\n", encoding="utf-8")
    assert "D101" in term.read_until("D101")
    term.type(".")  # the last good story still plays
    assert "RECARGADA" in term.read_until("RECARGADA")
    assert term.close() == 0
