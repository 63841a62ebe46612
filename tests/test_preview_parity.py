"""`diana preview` shows what the Telegram bot sends: the same button texts (costs added,
locked buttons with their reason), the same messages (a photo's caption and the text apart),
the same pop-up for a refused tap. Both sides call `engine.telegram.formatting`; these tests
play one small story through the preview and through the bot's `Presenter` and compare.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from cli.play import render
from cli.play.session import parse_when
from engine.content import Story, load_story
from engine.runtime import Engine, MediaPart, MessagePart, PlayerState
from engine.telegram import formatting
from engine.telegram.bot.callbacks import CallbackCodec
from engine.telegram.bot.present import Presenter

ROOT = Path(__file__).parent.parent
BASE = ROOT / "tests" / "stories" / "_base"
PHOTO = ROOT / "tests" / "stories" / "language_en" / "media" / "verja.png"
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
WHEN = "2026-12-01"
runner = CliRunner()

CHAPTER = """\
kind: chapter
id: main
title: {es: Principal, en: Main}
fragments:
  - id: inicio
    speaker: diana
    media: {photo: media/foto.png, caption: {es: "Una foto. MARCA-PIE", en: "A photo."}}
    text: {es: "Hola, <b>{name}</b>. MARCA-INICIO", en: "Hello, <b>{name}</b>. MARK-START"}
    choices:
      - {id: copa, label: {es: Copa, en: Glass}, to: fin, cost: 5}
      - {id: botella, label: {es: Botella, en: Bottle}, to: fin, cost: 15}
      - {id: champan, label: {es: "Champán (20 💋)", en: "Champagne (20 💋)"}, to: fin, cost: 20}
      - {id: divan, label: {es: Diván, en: Divan}, to: divan, vip: true}
      - id: puerta
        label: {es: Puerta, en: Door}
        to: fin
        if: 'has_clue("llave")'
        locked: show
        locked_reason: {es: Cerrada, en: Locked}
  - id: divan
    text: {es: Diván., en: Divan.}
    choices:
      - {label: {es: Terminar, en: Finish}, to: fin}
  - id: fin
    text: {es: Fin., en: The end.}
    ending: {title: {es: Final, en: Ending}, type: good}
"""


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`_base`, the shipped bot.yaml (the bot's wording) and a chapter with every kind of
    button and a captioned photo."""
    folder = tmp_path_factory.mktemp("parity") / "content"
    shutil.copytree(BASE, folder)
    shutil.copy(ROOT / "content" / "bot.yaml", folder / "bot.yaml")
    (folder / "media").mkdir()
    shutil.copy(PHOTO, folder / "media" / "foto.png")
    (folder / "chapters" / "main.yaml").write_text(CHAPTER, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def story(content: Path) -> Story:
    result = load_story(content)
    assert result.ok and result.story is not None
    return result.story


def preview(content: Path, *args: str) -> str:
    result = runner.invoke(app, ["preview", str(content), "--date", WHEN, *args])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.output


def screens(output: str) -> list[list[str]]:
    """The button texts of each screen the preview printed, without their numbers."""
    blocks = re.split(r"^> .*$", output, flags=re.MULTILINE)
    return [re.findall(r"^ ?\d+\. (.*)$", block, flags=re.MULTILINE) for block in blocks]


class Bot:
    """The bot's side: the same player, driven through the engine, shown by `Presenter`."""

    def __init__(self, story: Story, *, vip: bool = False, language: str | None = None) -> None:
        self.engine = Engine(story)
        self.presenter = Presenter(self.engine, CallbackCodec(TOKEN))
        self.now: datetime = parse_when(WHEN, story)
        state = self.engine.new_player(seed=1, name="Ana", language=language).state
        if vip:
            state = state._replace(vip_tier=story.vip.tiers[0].id, vip_until=None)
        self.first = self.engine.start(state, self.now)
        self.state: PlayerState = self.first.state

    def buttons(self) -> list[str]:
        view = self.engine.view(self.state, self.now)
        keyboard = self.presenter.keyboard(self.state, view.buttons)
        return [label for ((label, _data),) in keyboard]

    def press(self, number: int) -> None:
        ref = self.engine.view(self.state, self.now).buttons[number - 1].ref
        self.state = self.engine.choose(self.state, ref, self.now).state


def test_button_texts_equal_the_bots(content: Path, story: Story) -> None:
    shown = screens(preview(content, "--choices", "4,2,3,5,1"))
    bot = Bot(story)
    expected = [bot.buttons()]
    for number in (4, 2, 3, 5, 1):
        bot.press(number)
        expected.append(bot.buttons())
    assert shown == expected
    assert shown[0] == [
        "Copa · 5 💋",  # the cost added: the label has no 💋
        "🔒 Botella · 15 💋",
        "🔒 Champán (20 💋)",  # the writer priced it: not repeated
        "🔒 Diván · El Diván",  # VIP: the tier's name
        "🔒 Puerta · Cerrada",
    ]
    assert shown[-1] == []  # an ending: no buttons


@pytest.mark.parametrize(
    ("args", "vip", "language"), [(("--vip",), True, None), (("--lang", "en"), False, "en")]
)
def test_button_texts_equal_the_bots_for_vip_and_english(
    content: Path, story: Story, args: tuple[str, ...], vip: bool, language: str | None
) -> None:
    shown = screens(preview(content, *args, "--choices", "s"))
    assert shown[0] == Bot(story, vip=vip, language=language).buttons()
    assert ("Diván" in shown[0]) is vip  # a VIP sees the plain label


def test_caption_and_text_are_two_messages_as_the_bot_sends_them(
    content: Path, story: Story
) -> None:
    out = preview(content, "--choices", "s")
    bot = Bot(story)
    sent = bot.presenter.messages(bot.first.state, bot.first.output)
    assert [m.media is not None for m in sent] == [True, False]
    assert sent[0].text == "Una foto. MARCA-PIE"
    assert sent[1].text.startswith("<b>Diana</b>\n")
    printed = "\n\n".join(render.outgoing(m, plain=True).plain for m in sent)
    assert (
        printed == "[photo: media/foto.png]\nUna foto. MARCA-PIE\n\nDiana\nHola, Ana. MARCA-INICIO"
    )
    assert printed in out


def test_an_ending_shows_the_bots_closing_hint(content: Path, story: Story) -> None:
    out = preview(content, "--choices", "1")
    bot = Bot(story)
    bot.press(1)
    over = bot.presenter.text(bot.state, "story_over")
    assert render.telegram(over, plain=True).plain in out
    assert "★ Final ★" in out


def test_a_refused_tap_shows_the_bots_pop_up(content: Path, story: Story) -> None:
    out = preview(content, "--choices", "4,2")
    bot = Bot(story)
    view = bot.engine.view(bot.state, bot.now)
    vip, dear = view.buttons[3], view.buttons[1]
    assert f"[pop-up] {bot.presenter.lock_notice(bot.state, vip)}" in out
    assert f"[pop-up] {bot.presenter.lock_notice(bot.state, dear)}" in out


def test_points_override_the_starting_balance_without_a_starting_note(content: Path) -> None:
    assert "+10 (starting)" in preview(content, "--choices", "s")
    out = preview(content, "--points", "50", "--choices", "s")
    assert "(starting)" not in out and "besitos: 50 💋" in out
    assert screens(out)[0][:3] == ["Copa · 5 💋", "Botella · 15 💋", "Champán (20 💋)"]


def test_without_bot_yaml_the_shipped_wording_is_used(content: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    shutil.copytree(content, bare)
    (bare / "bot.yaml").unlink()
    shown = screens(preview(bare, "--choices", "s"))
    assert shown[0][:2] == ["Copa · 5 💋", "🔒 Botella · 15 💋"]


def test_part_messages_split_like_the_bot() -> None:
    photo = MediaPart("photo", "a.png", None, None)
    short = MessagePart("fragment", "Hola.", None, "diana", "Diana", photo, 9.0)
    (one,) = formatting.part_messages(short, "Diana")
    assert one == formatting.Outgoing("<b>Diana</b>\nHola.", photo, formatting.MAX_PAUSE)
    long = short._replace(text="x" * formatting.MAX_CAPTION)
    first, second = formatting.part_messages(long, "Diana")
    assert first.media == photo and first.text == "" and second.media is None
    assert second.text.startswith("<b>Diana</b>\nxxx")
    ending = MessagePart("ending", "Final", None)
    assert formatting.part_messages(ending, None)[0].text == "★ <b>Final</b> ★"


def test_the_preview_and_the_shared_formatting_load_no_aiogram() -> None:
    code = (
        "import sys, cli.play.preview, engine.telegram.formatting; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'aiogram' "
        "or m.startswith('engine.telegram.bot')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "[]"
