"""End to end: the commands around the story, the languages, media, edits and throttling."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot_harness import ADMIN, running_bot

from engine.telegram.botapi import BotApiSpec, UploadedFile


async def test_points_profile_help_and_language(bot_api_spec: BotApiSpec, tmp_path: Path) -> None:
    async with running_bot(bot_api_spec, tmp_path / "d.sqlite3") as h:
        ana = h.server.user(1001, "Ana <b>&</b>")
        await h.send(ana, "/points")
        text = ana.last_message().text or ""
        assert "10 besitos" in text and "bienvenida de la casa" in text
        await h.send(ana, "/start")
        await h.send(ana, "/profile")
        profile = ana.last_message().text or ""
        assert "Ana <b>&</b>" in profile  # escaped on the way out: shown literally
        assert "VIP: no" in profile
        await h.send(ana, "/help")
        assert "/daily" in (ana.last_message().text or "")
        await h.send(ana, "/language")
        assert [b["text"] for b in ana.last_message().buttons()] == ["Español", "English"]
        await h.tap(ana, "English")
        texts = [m.text or "" for m in ana.messages[-3:]]
        assert any("We'll speak English." in t for t in texts)
        assert "invitation" in (ana.last_message().text or "")  # the screen, now in English
        await h.send(ana, "/help")
        assert "How" in (ana.last_message().text or "") or "story" in (
            ana.last_message().text or ""
        )
        await h.send(ana, "hola?")
        assert "buttons" in (ana.last_message().text or "")
        await h.send(ana, "/nonsense")
        assert "don't know that command" in (ana.last_message().text or "")


async def test_english_telegram_users_meet_the_story_in_english(
    bot_api_spec: BotApiSpec, tmp_path: Path
) -> None:
    async with running_bot(bot_api_spec, tmp_path / "d.sqlite3") as h:
        bob = h.server.user(1003, "Bob", language_code="en")
        await h.send(bob, "/start")
        assert "invitation" in (bob.last_message().text or "")


async def test_media_is_uploaded_once_then_reused(bot_api_spec: BotApiSpec, tmp_path: Path) -> None:
    async with running_bot(bot_api_spec, tmp_path / "d.sqlite3") as h:
        for uid in (1001, 1002):
            await h.send(h.server.user(uid, "P"), "/start")
        photos = [c.params["photo"] for c in h.server.calls_to("sendPhoto")]
        assert len(photos) == 2
        assert isinstance(photos[0], UploadedFile)
        assert isinstance(photos[1], str)  # Telegram's file_id, no second upload


async def test_navigation_edits_in_place_and_falls_back_to_sending(
    bot_api_spec: BotApiSpec, tmp_path: Path
) -> None:
    async with running_bot(bot_api_spec, tmp_path / "d.sqlite3") as h:
        ana = h.server.user(1001, "Ana")
        await h.send(ana, "/start")
        await h.send(ana, "/language")
        # Switching language re-shows the screen: the old keyboards lose nothing they need.
        count = len(ana.messages)
        await h.tap(ana, "Tocar la campana", ana.messages[-2])
        assert len(ana.messages) > count  # Diana answered and the next fragment came as new
        assert ana.messages[-2].reply_markup is None or not ana.messages[-2].buttons()
        # An edit Telegram refuses falls back to sending the message instead.
        h.server.fail_next(
            "editMessageText", 400, description="Bad Request: message can't be edited"
        )
        before = len(ana.messages)
        await h.send(ana, "/language")
        await h.tap(ana, "Español")
        assert len(ana.messages) > before


async def test_a_burst_of_taps_is_throttled_and_changes_nothing_more(
    bot_api_spec: BotApiSpec, tmp_path: Path
) -> None:
    async with running_bot(bot_api_spec, tmp_path / "d.sqlite3", throttle=True) as h:
        ana = h.server.user(1001, "Ana")
        await h.send(ana, "/start")
        first = ana.last_message()
        for _ in range(12):
            await ana.tap("Releer la invitación", first)
        await h.settle()
        answers = [a.get("text") for a in ana.answers]
        assert len(answers) == 12
        assert "Sin prisa… Lucien no corre nunca." in answers
        assert h.diana.throttle is not None and h.diana.throttle.dropped > 0


async def test_admin_publishes_a_content_release(bot_api_spec: BotApiSpec, tmp_path: Path) -> None:
    async with running_bot(bot_api_spec, tmp_path / "d.sqlite3") as h:
        admin = h.server.user(ADMIN, "Root")
        await h.send(admin, "/publish")
        assert "idéntico" in (admin.last_message().text or "")
        # A broken copy of the content is refused with its first diagnostic.
        broken = tmp_path / "content"
        shutil.copytree(h.diana.settings.content, broken)
        (broken / "economy.yaml").write_text("kind: economy\ncurrency: [", encoding="utf-8")
        h.diana.admin.content_dir = broken
        await h.send(admin, "/publish")
        assert "rechazada" in (admin.last_message().text or "")
        # A changed one is published and played from then on.
        shutil.rmtree(broken)
        shutil.copytree(h.diana.settings.content, broken)
        story = (broken / "story.yaml").read_text(encoding="utf-8")
        (broken / "story.yaml").write_text(story.replace("la mansión", "la casa"), encoding="utf-8")
        old = h.diana.store.engine.story.content_hash
        await h.send(admin, "/publish")
        assert "publicada" in (admin.last_message().text or "")
        assert h.diana.store.engine.story.content_hash != old
