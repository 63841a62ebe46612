"""The bot's parts one by one: settings, callback data, the outgoing rate limiter, the presenter.

Real parts only: the limiter runs on a real aiogram `Bot` against the fake Bot API, with an
injected clock and a `sleep` that records the waits (and moves the clock), so nothing waits.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import GetMe, Response, SendMessage
from bot_harness import CONTENT, TOKEN
from botapi_helpers import make_bot

from engine.content import load_story
from engine.content.compiled import Story
from engine.runtime import Button, Engine, PlayerState
from engine.telegram.bot import (
    BadCallback,
    CallbackCodec,
    ChoiceButton,
    OutgoingLimiter,
    RateLimits,
    SettingsError,
    load_settings,
)
from engine.telegram.bot.callbacks import MAX_BYTES, LanguageButton
from engine.telegram.bot.present import Presenter, ref_of
from engine.telegram.botapi import FakeBotAPI

# -- settings ------------------------------------------------------------------------------


def settings_error(env: dict[str, str], env_file: Path | None = None) -> str:
    with pytest.raises(SettingsError) as caught:
        load_settings(env=env, env_file=env_file)
    message = str(caught.value)
    assert "\n" not in message  # one line for the operator
    return message


def test_a_missing_token_is_one_line_naming_the_variable(tmp_path: Path) -> None:
    assert "DIANA_BOT_TOKEN is not set" in settings_error({})
    assert "DIANA_BOT_TOKEN is not set" in settings_error({"DIANA_BOT_TOKEN": "   "})
    # An absent .env file is not an error; it just has nothing to say.
    assert "not set" in settings_error({}, tmp_path / "absent.env")


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "123456:short",
        "abc:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0",
        "123456789 AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0",
        "123456789:AAHdqTcvCH1vGWJxf SeofSAs0K5PALDsaw0",
        "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0$",
    ],
)
def test_a_malformed_token_is_refused(token: str) -> None:
    message = settings_error({"DIANA_BOT_TOKEN": token})
    assert "DIANA_BOT_TOKEN is malformed" in message
    assert token not in message  # the secret is not echoed into logs


def test_a_good_token_and_defaults() -> None:
    s = load_settings(env={"DIANA_BOT_TOKEN": TOKEN}, env_file=None)
    assert s.token == TOKEN
    assert s.bot_id == 123456789
    assert s.admin_ids == frozenset()
    assert s.content == Path("content")
    assert s.database_url is None
    assert s.webhook_url is None
    assert (s.webhook_host, s.webhook_port, s.webhook_path) == ("127.0.0.1", 8080, "/telegram")
    assert s.pause_scale == 1.0


def test_admin_ids_are_comma_or_space_separated_numbers() -> None:
    env = {"DIANA_BOT_TOKEN": TOKEN, "DIANA_ADMIN_IDS": " 1, 22  333,,-100123 "}
    assert load_settings(env=env, env_file=None).admin_ids == {1, 22, 333, -100123}
    message = settings_error({"DIANA_BOT_TOKEN": TOKEN, "DIANA_ADMIN_IDS": "1, two"})
    assert "DIANA_ADMIN_IDS" in message
    assert "'two'" in message
    assert "DIANA_ADMIN_IDS" in settings_error({"DIANA_BOT_TOKEN": TOKEN, "DIANA_ADMIN_IDS": "@me"})


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "../../etc/passwd", "UTC+2"])
def test_a_bad_time_zone_is_refused(zone: str) -> None:
    message = settings_error({"DIANA_BOT_TOKEN": TOKEN, "DIANA_TIMEZONE": zone})
    assert "DIANA_TIMEZONE" in message
    assert "IANA" in message


def test_a_good_time_zone_and_language() -> None:
    env = {"DIANA_BOT_TOKEN": TOKEN, "DIANA_TIMEZONE": "America/Bogota", "DIANA_LANGUAGE": "en"}
    s = load_settings(env=env, env_file=None)
    assert (s.timezone, s.language) == ("America/Bogota", "en")


@pytest.mark.parametrize(
    ("name", "value", "word"),
    [
        ("DIANA_LANGUAGE", "english", "two-letter"),
        ("DIANA_WEBHOOK_PORT", "eighty", "whole number"),
        ("DIANA_PAUSE_SCALE", "fast", "not a number"),
        ("DIANA_PAUSE_SCALE", "-1", "negative"),
        ("DIANA_WEBHOOK_SECRET", "no spaces allowed", "DIANA_WEBHOOK_SECRET"),
    ],
)
def test_other_malformed_settings(name: str, value: str, word: str) -> None:
    message = settings_error({"DIANA_BOT_TOKEN": TOKEN, name: value})
    assert word in message


def test_env_file_comments_quotes_and_export(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# the bot's settings\n"
        "\n"
        f"export DIANA_BOT_TOKEN={TOKEN}\n"
        "   # an indented comment\n"
        'DIANA_DATABASE_URL="sqlite+aiosqlite:///bot.sqlite3"\n'
        "DIANA_CONTENT='my content'\n"
        "DIANA_ADMIN_IDS = 7, 8\n"
        "DIANA_WEBHOOK_PORT=8443  # Telegram allows 80, 88, 443, 8443\n"
        "DIANA_PAUSE_SCALE=0.5\n"
        'DIANA_WEBHOOK_PATH="/hook#1" # quoted: the # is part of the value\n'
        "OTHER_TOOL=ignored\n",
        encoding="utf-8",
    )
    s = load_settings(env={}, env_file=env_file)
    assert s.token == TOKEN
    assert s.database_url == "sqlite+aiosqlite:///bot.sqlite3"
    assert s.content == Path("my content")
    assert s.admin_ids == {7, 8}
    assert s.webhook_port == 8443
    assert s.webhook_path == "/hook#1"
    assert s.pause_scale == 0.5
    assert "OTHER_TOOL" not in s.extra
    assert s.extra["DIANA_CONTENT"] == "my content"


def test_a_broken_env_file_line_is_named(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"DIANA_BOT_TOKEN={TOKEN}\njust some words\n", encoding="utf-8")
    message = settings_error({}, env_file)
    assert f"{env_file}:2" in message
    assert "KEY=VALUE" in message


def test_environment_beats_env_file_and_overrides_beat_both(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    other = "987654321:ZZHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
    env_file.write_text(
        f"DIANA_BOT_TOKEN={other}\nDIANA_CONTENT=from-file\nDIANA_LANGUAGE=en\n",
        encoding="utf-8",
    )
    env = {"DIANA_BOT_TOKEN": TOKEN, "DIANA_CONTENT": "from-env"}
    s = load_settings(env=env, env_file=env_file)
    assert s.token == TOKEN
    assert s.content == Path("from-env")
    assert s.language == "en"  # only the file sets it
    s = load_settings(
        env=env,
        env_file=env_file,
        overrides={"content": Path("from-option"), "database_url": "sqlite+aiosqlite:///x"},
    )
    assert s.content == Path("from-option")
    assert s.database_url == "sqlite+aiosqlite:///x"
    # An override of None means "not given": the environment still counts.
    s = load_settings(env=env, env_file=env_file, overrides={"content": None})
    assert s.content == Path("from-env")
    # Overrides are checked like everything else.
    with pytest.raises(SettingsError, match="malformed"):
        load_settings(env=env, env_file=None, overrides={"bot_token": "nope"})


# -- callback data -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def story() -> Story:
    result = load_story(CONTENT)
    assert result.ok and result.story is not None
    return result.story


def test_callback_data_round_trips() -> None:
    codec = CallbackCodec(TOKEN)
    for payload in (
        ChoiceButton(0, 0, 0),
        ChoiceButton(0, 2, 1),
        ChoiceButton(35, 36, 37),
        ChoiceButton(12_345, 678, 9_999),
        LanguageButton("es"),
        LanguageButton("en"),
    ):
        data = codec.encode(payload)
        assert codec.decode(data) == payload
        assert 1 <= len(data.encode()) <= MAX_BYTES
    # Another codec with the same secret (a restarted bot) reads the same buttons.
    assert CallbackCodec(TOKEN).decode(codec.encode(ChoiceButton(3, 1, 4))) == ChoiceButton(3, 1, 4)


def test_every_button_of_the_shipped_story_is_compact(story: Story) -> None:
    codec = CallbackCodec(TOKEN)
    sizes = []
    for fragment in story.by_index:
        for choice in fragment.choices:
            for screen in (1, 2, 9, 35, 36, 999):
                data = codec.encode(ChoiceButton(fragment.index, choice.index, screen))
                assert codec.decode(data) == ChoiceButton(fragment.index, choice.index, screen)
                sizes.append(len(data.encode()))
    assert sizes
    assert max(sizes) <= 24  # typical buttons, well under Telegram's 64
    huge = codec.encode(ChoiceButton(10**12, 10**9, 10**12))
    assert len(huge.encode()) <= MAX_BYTES


def test_tampered_callback_data_is_refused() -> None:
    codec = CallbackCodec(TOKEN)
    data = codec.encode(ChoiceButton(4, 1, 2))
    body, _, sig = data.rpartition(".")
    for position in range(len(sig)):
        flipped = sig[:position] + ("A" if sig[position] != "A" else "B") + sig[position + 1 :]
        with pytest.raises(BadCallback):
            codec.decode(f"{body}.{flipped}")
    forged_body = data.replace("c4.", "c5.", 1)  # another fragment, the old signature
    bad: list[str | None] = [
        forged_body,
        data[:-1],  # truncated
        data[: len(body)],  # no signature
        body + ".",
        "." + sig,
        "",
        None,
        "x" * (MAX_BYTES + 1),
        "ñ" * 40,  # 80 bytes, 40 characters
        f"{body}.ñññ",  # non-ASCII where the signature goes
        "c0.0.1.AAAAAAAA",
        "give me 1000 points",
    ]
    for item in bad:
        with pytest.raises(BadCallback):
            codec.decode(item)
    # Data signed by another bot (another token) is not ours.
    other = CallbackCodec("987654321:ZZHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0")
    with pytest.raises(BadCallback):
        codec.decode(other.encode(ChoiceButton(4, 1, 2)))
    with pytest.raises(BadCallback):
        other.decode(data)


# -- the outgoing limiter ------------------------------------------------------------------


class FakeTime:
    """An injected clock and a sleep that records each wait and moves the clock by it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def limited_bot(server: FakeBotAPI, time: FakeTime, limits: RateLimits | None = None) -> Bot:
    real = make_bot(server)
    limiter = OutgoingLimiter(limits or RateLimits(), clock=time.clock, sleep=time.sleep)
    real.session.middleware(limiter)
    return real


def limiter_of(bot: Bot) -> OutgoingLimiter:
    found = [m for m in bot.session.middleware if isinstance(m, OutgoingLimiter)]
    assert len(found) == 1
    return found[0]


async def test_a_chat_gets_a_burst_then_one_message_a_second(server: FakeBotAPI) -> None:
    time = FakeTime()
    bot = limited_bot(server, time)
    ana = server.user(1001, "Ana")
    bob = server.user(1002, "Bob")
    try:
        sent_at = []
        for n in range(3):
            await bot.send_message(chat_id=ana.id, text=f"burst {n}")
            sent_at.append(time.now)
        assert time.waits == []
        await bot.send_message(chat_id=bob.id, text="another chat is not held up")
        assert time.waits == []
        for n in range(3):
            await bot.send_message(chat_id=ana.id, text=f"steady {n}")
            sent_at.append(time.now)
        assert time.waits == pytest.approx([1.0, 1.0, 1.0])
        assert sent_at == pytest.approx([1000, 1000, 1000, 1001, 1002, 1003])
        # After a quiet while the burst is available again.
        time.now += 60
        for n in range(3):
            await bot.send_message(chat_id=ana.id, text=f"later {n}")
        assert len(time.waits) == 3
        assert [m.text for m in ana.messages][-1] == "later 2"
        assert len(ana.messages) == 9
        assert limiter_of(bot).waited == pytest.approx(3.0)
    finally:
        await bot.session.close()


async def test_answers_and_reads_are_not_rate_limited(server: FakeBotAPI) -> None:
    time = FakeTime()
    bot = limited_bot(server, time)
    ana = server.user(1001, "Ana")
    try:
        for n in range(4):
            await bot.send_message(chat_id=ana.id, text=f"m{n}")
        assert len(time.waits) == 1  # the chat's bucket is empty now
        for _ in range(10):
            await bot.get_me()
        await bot.send_chat_action(chat_id=ana.id, action="typing")
        assert len(time.waits) == 1
    finally:
        await bot.session.close()


async def test_overall_thirty_messages_a_second(server: FakeBotAPI) -> None:
    time = FakeTime()
    bot = limited_bot(server, time)
    users = [server.user(2000 + n, f"U{n}") for n in range(45)]
    try:
        for user in users:
            await bot.send_message(chat_id=user.id, text="news")
        # 30 at once, then one every 1/30 s: 15 more took half a second of clock time.
        assert len(time.waits) == 15
        assert time.waits == pytest.approx([1 / 30] * 15)
        assert time.now - 1000 == pytest.approx(0.5)
        assert all(len(u.messages) == 1 for u in users)
    finally:
        await bot.session.close()


async def test_a_group_gets_at_most_twenty_messages_a_minute() -> None:
    """Telegram: no more than 20 messages a minute to the same group. No network needed:
    the next step is a plain function recording when each request went out."""
    time = FakeTime()
    limiter = OutgoingLimiter(RateLimits(), clock=time.clock, sleep=time.sleep)
    sent: list[tuple[object, float]] = []

    async def make_request(bot: Bot, method: Any) -> Response[Any]:
        sent.append((getattr(method, "chat_id", None), time.now))
        return Response[Any](ok=True, result=True)

    bot = Bot(TOKEN)
    try:
        for n in range(45):
            await limiter(make_request, bot, SendMessage(chat_id=-1001234567890, text=f"{n}"))
        await limiter(make_request, bot, SendMessage(chat_id="@diana_channel", text="post"))
        await limiter(make_request, bot, GetMe())
    finally:
        await bot.session.close()
    times = [t for chat, t in sent if chat == -1001234567890]
    assert len(times) == 45
    for start in times:  # every 60-second window, wherever it starts
        assert sum(1 for t in times if start <= t < start + 60) <= 20
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps[-1] == pytest.approx(3.0)  # the steady pace: 20 a minute
    # A channel by @username counts as a group too: its first post is not held up.
    assert sent[45][0] == "@diana_channel"
    assert sent[45][1] == times[-1]


async def test_flood_control_is_waited_out_and_retried(server: FakeBotAPI) -> None:
    time = FakeTime()
    bot = limited_bot(server, time)
    ana = server.user(1001, "Ana")
    try:
        server.fail_next("sendMessage", 429, retry_after=7)
        await bot.send_message(chat_id=ana.id, text="hello")
        assert time.waits == [7.0]
        assert [c.status for c in server.calls_to("sendMessage")] == [429, 200]
        assert [m.text for m in ana.messages] == ["hello"]  # sent once
        assert limiter_of(bot).retries == 1
    finally:
        await bot.session.close()


async def test_server_errors_are_retried_with_backoff(server: FakeBotAPI) -> None:
    time = FakeTime()
    bot = limited_bot(server, time, RateLimits(backoff=0.5))
    ana = server.user(1001, "Ana")
    try:
        server.fail_next("sendMessage", 500)
        server.fail_next("sendMessage", 502)
        server.fail_next("sendMessage", 500)
        await bot.send_message(chat_id=ana.id, text="eventually")
        assert time.waits == [0.5, 1.0, 2.0]
        assert [c.status for c in server.calls_to("sendMessage")] == [500, 502, 500, 200]
        assert [m.text for m in ana.messages] == ["eventually"]
        # Reads are retried too (they are just not rate limited).
        server.fail_next("getMe", 500)
        me = await bot.get_me()
        assert me.username == "diana_test_bot"
        assert time.waits == [0.5, 1.0, 2.0, 0.5]  # the backoff starts over per request
    finally:
        await bot.session.close()


async def test_giving_up_after_max_retries_reraises(server: FakeBotAPI) -> None:
    time = FakeTime()
    bot = limited_bot(server, time, RateLimits(max_retries=2, backoff=0.25))
    ana = server.user(1001, "Ana")
    try:
        for _ in range(3):
            server.fail_next("sendMessage", 429, retry_after=5)
        with pytest.raises(TelegramRetryAfter) as flood:
            await bot.send_message(chat_id=ana.id, text="never")
        assert flood.value.retry_after == 5
        assert time.waits == [5.0, 5.0]
        for _ in range(3):
            server.fail_next("sendMessage", 500)
        with pytest.raises(TelegramServerError):
            await bot.send_message(chat_id=ana.id, text="never")
        assert time.waits[2:] == [0.25, 0.5]
        assert ana.messages == []
        assert len(server.calls_to("sendMessage")) == 6
    finally:
        await bot.session.close()


async def test_client_errors_are_the_callers(server: FakeBotAPI) -> None:
    time = FakeTime()
    bot = limited_bot(server, time)
    ana = server.user(1001, "Ana")
    try:
        server.fail_next("sendMessage", 400, description="Bad Request: chat not found")
        with pytest.raises(TelegramBadRequest):
            await bot.send_message(chat_id=ana.id, text="x")
        server.fail_next("sendMessage", 403)
        with pytest.raises(TelegramForbiddenError):
            await bot.send_message(chat_id=ana.id, text="x")
        assert time.waits == []
        assert len(server.calls_to("sendMessage")) == 2
    finally:
        await bot.session.close()


async def test_network_errors_are_retried_then_reraised(server: FakeBotAPI) -> None:
    """A server that went away: the connection is refused, for real."""
    time = FakeTime()
    bot = limited_bot(server, time, RateLimits(max_retries=2, backoff=0.5))
    try:
        await server.stop()
        with pytest.raises(TelegramNetworkError):
            await bot.get_me()
        assert time.waits == [0.5, 1.0]
        assert limiter_of(bot).retries == 2
    finally:
        await bot.session.close()


# -- the presenter -------------------------------------------------------------------------

NOW = datetime(2026, 11, 30, 21, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def presenter(story: Story) -> Presenter:
    return Presenter(Engine(story), CallbackCodec(TOKEN))


def player(p: Presenter, name: str = "Ana", **changes: Any) -> PlayerState:
    state = p.engine.new_player(seed=7, name=name).state
    return state._replace(**changes)


def at(p: Presenter, state: PlayerState, fragment: str) -> tuple[PlayerState, list[Button]]:
    """The player standing at `fragment`, and the buttons they see there."""
    chapter = p.story.fragments[fragment].chapter
    here = state._replace(fragment=fragment, chapter=chapter)
    return here, list(p.engine.view(here, NOW).buttons)


def test_locked_buttons_explain_themselves(presenter: Presenter) -> None:
    p = presenter
    state = player(p)
    here, buttons = at(p, state, "invitacion_terraza")
    vip = next(b for b in buttons if b.lock == "vip")
    assert p.label(here, vip) == "🔒 Seguirla al Diván · El Diván"
    assert p.lock_notice(here, vip) == "🔒 Solo en El Diván."

    here, buttons = at(p, state, "barra_roja")
    cost = next(b for b in buttons if b.lock == "cost")
    assert cost.cost == 15
    # The writer put the price in the label: it is not repeated.
    assert p.label(here, cost) == "🔒 Invitarla a una copa (15 💋)"
    assert p.lock_notice(here, cost) == "Cuesta 15 besitos: te faltan 5. /daily ayuda."

    here, buttons = at(p, state, "salon_principal")
    door = next(b for b in buttons if b.lock == "condition")
    assert p.label(here, door) == "🔒 La puerta de terciopelo · Cerrada con llave"
    assert p.lock_notice(here, door) == "🔒 Cerrada con llave"
    assert p.lock_notice(here, None) == "Ese botón es de un momento que ya pasó."
    for label in (p.label(here, b) for b in buttons):
        assert len(label) <= 64


def test_cost_labels_once_affordable(presenter: Presenter) -> None:
    p = presenter
    here, buttons = at(p, player(p, points=100), "barra_roja")
    paid = next(b for b in buttons if b.cost)
    assert paid.available
    assert p.label(here, paid) == paid.label == "Invitarla a una copa (15 💋)"
    unpriced = paid._replace(label="Invitarla a una copa")
    assert p.label(here, unpriced) == "Invitarla a una copa · 15 💋"
    assert p.label(here, unpriced._replace(available=False, lock="cost")) == (
        "🔒 Invitarla a una copa · 15 💋"
    )
    free = next(b for b in buttons if not b.cost)
    assert p.label(here, free) == free.label


def test_english_players_get_english_labels(presenter: Presenter) -> None:
    p = presenter
    here, buttons = at(p, player(p, language="en"), "invitacion_terraza")
    vip = next(b for b in buttons if b.lock == "vip")
    assert p.label(here, vip).startswith("🔒 Follow her")
    assert p.lock_notice(here, vip).startswith("🔒 Only in")


def test_keyboards_carry_signed_data_that_leads_back_to_the_button(presenter: Presenter) -> None:
    p = presenter
    step = p.engine.start(player(p), NOW)
    messages = p.messages(step.state, step.output)
    assert messages[-1].keyboard is not None
    assert all(m.keyboard is None for m in messages[:-1])  # buttons under the last message
    refs = []
    for row in messages[-1].keyboard:
        ((_label, data),) = row
        payload = p.codec.decode(data)
        assert isinstance(payload, ChoiceButton)
        assert payload.screen == p.screen(step.state) == 1
        refs.append(ref_of(p, payload))
    assert refs == [b.ref for b in step.output.buttons]


def test_names_are_escaped_in_messages_and_plain_in_labels(presenter: Presenter) -> None:
    p = presenter
    state = player(p, name="<b>&")
    step = p.engine.start(state, NOW)
    text = "\n".join(m.text for m in p.messages(step.state, step.output))
    assert "&lt;b&gt;&amp;" in text  # the story says {name}: escaped in HTML
    assert "<b>&" not in text
    assert "<b>Narrador</b>" in text  # the bot's own markup stays markup

    profile = p.text(step.state, "profile", vip="", archetype="", clues="", achievements="",
                     chapter="", visited=1, total=2)  # fmt: skip
    assert profile.startswith("<b>&lt;b&gt;&amp;</b>")
    # Plain places (labels, pop-ups) are shown as text by Telegram: nothing to escape.
    assert p.plain(step.state, "unknown_chapter", chapter="<i>&") == (
        "No encuentro el capítulo «<i>&»; empiezas por la verja."
    )
    assert p.text(step.state, "unknown_chapter", chapter="<i>&") == (
        "No encuentro el capítulo «&lt;i&gt;&amp;»; empiezas por la verja."
    )
    odd = Button("Tú & <yo>", "x.label", "llegada_verja.x", available=True, cost=5)
    assert p.label(step.state, odd) == "Tú & <yo> · 5 💋"
    locked = odd._replace(available=False, lock="vip", reason="<El Diván>")
    assert p.label(step.state, locked) == "🔒 Tú & <yo> · <El Diván>"
    assert p.lock_notice(step.state, locked) == "🔒 Solo en <El Diván>."


async def test_shutdown_waits_for_deliveries_in_flight_and_cancels_stragglers() -> None:
    import asyncio

    from engine.telegram.bot.delivery import Tracker

    tracker = Tracker()
    done: list[str] = []

    async def deliver(name: str, seconds: float) -> None:
        await asyncio.sleep(seconds)
        done.append(name)

    tracker.spawn(deliver("typing pause", 0.05))
    await tracker.drain(timeout=5)
    assert done == ["typing pause"] and tracker.pending == 0
    tracker.spawn(deliver("stuck", 60))
    await tracker.drain(timeout=0.05)
    assert done == ["typing pause"] and tracker.pending == 0
