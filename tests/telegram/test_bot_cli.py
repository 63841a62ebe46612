"""`diana bot run` / `diana bot webhook` from the command line: a real process polling the
fake Bot API with the shipped content, a clean stop on SIGTERM, and one-line errors for bad
settings (exit 2, no traceback)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from bot_harness import CONTENT, TOKEN
from typer.testing import CliRunner

from cli.main import app
from engine.telegram.botapi import BotApiSpec, FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]
OTHER_TOKEN = "987654321:ZZHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


def bot_env(tmp_path: Path, **values: str) -> dict[str, str]:
    """A clean environment: none of the caller's DIANA_* settings, the repo importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIANA_")}
    env["PYTHONPATH"] = str(ROOT)
    env["DIANA_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'd.sqlite3'}"
    env["DIANA_CONTENT"] = str(CONTENT)
    env["DIANA_PAUSE_SCALE"] = "0"
    env.update(values)
    return env


async def start_bot(tmp_path: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cli.main",
        "bot",
        "run",
        cwd=tmp_path,  # no .env here
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def plays_then_stops_on_sigterm(spec: BotApiSpec, tmp_path: Path) -> None:
    async with FakeBotAPI(TOKEN, spec=spec) as server:
        ana = server.user(1001, "Ana")
        await ana.send("/start")  # waiting for the bot, as Telegram would keep it
        env = bot_env(tmp_path, DIANA_BOT_TOKEN=TOKEN, DIANA_API_URL=server.url)
        proc = await start_bot(tmp_path, env)
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 60
            # The first fragment: a scene title, then the text with its buttons.
            while not (ana.messages and ana.last_message().buttons()):
                assert proc.returncode is None, "the bot exited early"
                assert loop.time() < deadline, "the bot never answered /start"
                await asyncio.sleep(0.05)
            assert "invitación" in (ana.last_message().text or "")
            assert server.calls_to("setMyCommands")
            proc.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(proc.communicate(), timeout=15)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        log = err.decode()
        assert proc.returncode == 0, log
        assert "@diana_test_bot plays diana" in log
        assert "stopping" in log
        assert "Traceback" not in log
        server.assert_no_violations()
        assert server.state.all_delivered  # the last batch was confirmed before leaving


async def refuses_a_token_telegram_does_not_know(spec: BotApiSpec, tmp_path: Path) -> None:
    async with FakeBotAPI(TOKEN, spec=spec) as server:
        env = bot_env(tmp_path, DIANA_BOT_TOKEN=OTHER_TOKEN, DIANA_API_URL=server.url)
        proc = await start_bot(tmp_path, env)
        try:
            _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    log = err.decode()
    assert proc.returncode == 2, log
    errors = [line for line in log.splitlines() if line.startswith("diana bot:")]
    assert errors == [
        "diana bot: Telegram refused DIANA_BOT_TOKEN (401 Unauthorized): revoked or mistyped?"
    ]
    assert "Traceback" not in log


async def test_bot_run_as_a_real_process(bot_api_spec: BotApiSpec, tmp_path: Path) -> None:
    """`diana bot run` answers /start and stops cleanly on SIGTERM (exit 0); with a token the
    server refuses it stops with one line (exit 2). Two processes at once: each spends most
    of its time importing."""
    (tmp_path / "ok").mkdir()
    (tmp_path / "refused").mkdir()
    await asyncio.gather(
        plays_then_stops_on_sigterm(bot_api_spec, tmp_path / "ok"),
        refuses_a_token_telegram_does_not_know(bot_api_spec, tmp_path / "refused"),
    )


def run_cli(tmp_path: Path, command: str, **values: str | None) -> tuple[int, str, str]:
    """`diana bot <command>` in-process; the environment holds exactly `values`."""
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("DIANA_")}
    env.update(values)
    result = CliRunner().invoke(
        app, ["bot", command, "--env-file", str(tmp_path / "absent.env")], env=env
    )
    return result.exit_code, result.stdout, result.stderr


def one_line(text: str) -> str:
    lines = text.splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def test_a_missing_token_is_exit_2_and_one_line(tmp_path: Path) -> None:
    code, out, err = run_cli(tmp_path, "run")
    assert code == 2
    assert out == ""
    assert one_line(err).startswith("diana bot: DIANA_BOT_TOKEN is not set")


@pytest.mark.parametrize("token", ["123:abc", "not a token", TOKEN + "!"])
def test_a_malformed_token_is_exit_2_and_one_line(tmp_path: Path, token: str) -> None:
    code, out, err = run_cli(tmp_path, "run", DIANA_BOT_TOKEN=token)
    assert code == 2
    assert out == ""
    assert one_line(err).startswith("diana bot: DIANA_BOT_TOKEN is malformed")


def test_webhook_without_a_url_is_exit_2_and_one_line(tmp_path: Path) -> None:
    code, out, err = run_cli(tmp_path, "webhook", DIANA_BOT_TOKEN=TOKEN)
    assert code == 2
    assert out == ""
    assert one_line(err).startswith("diana bot: DIANA_WEBHOOK_URL is not set")


def test_a_broken_env_file_is_exit_2_and_one_line(tmp_path: Path) -> None:
    env_file = tmp_path / "bot.env"
    env_file.write_text(f"DIANA_BOT_TOKEN={TOKEN}\nDIANA_TIMEZONE=Nowhere/Atlantis\n")
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("DIANA_")}
    result = CliRunner().invoke(app, ["bot", "run", "--env-file", str(env_file)], env=env)
    assert result.exit_code == 2
    assert "DIANA_TIMEZONE='Nowhere/Atlantis'" in one_line(result.stderr)
