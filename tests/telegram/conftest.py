"""Fixtures for the fake Bot API: a started server per test and a real aiogram Bot on it.

The server fixture fails the test at teardown if any request broke the Bot API spec, so a
bot that swallows a 400 still fails. Tests that provoke violations take them with
`server.take_violations()`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher
from botapi_helpers import Shop, WebhookReceiver, make_bot

from engine.telegram.botapi import BotApiSpec, FakeBotAPI, default_spec_path


@pytest.fixture(scope="session")
def bot_api_spec() -> BotApiSpec:
    path = default_spec_path()
    if not path.is_file():
        pytest.skip(
            f"Bot API spec not found at {path}: provide ../shared/telegram/ next to the repo "
            "or set DIANA_BOT_API_SPEC"
        )
    return BotApiSpec.load(path)


@pytest.fixture
async def server(bot_api_spec: BotApiSpec) -> AsyncIterator[FakeBotAPI]:
    fake = FakeBotAPI(spec=bot_api_spec)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    fake.assert_no_violations()


@pytest.fixture
async def bot(server: FakeBotAPI) -> AsyncIterator[Bot]:
    real = make_bot(server)
    try:
        yield real
    finally:
        await real.session.close()


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    """A webhook endpoint on loopback that records what the fake POSTs to it."""
    hook = WebhookReceiver()
    await hook.start()
    try:
        yield hook
    finally:
        await hook.stop()


@pytest.fixture
async def shop(server: FakeBotAPI, bot: Bot) -> AsyncIterator[Shop]:
    """A small real aiogram bot polling the fake that sells in Stars (see `Shop`)."""
    state = Shop()
    dispatcher = Dispatcher()
    dispatcher.include_router(state.router())
    task = asyncio.create_task(
        dispatcher.start_polling(
            bot, polling_timeout=5, handle_signals=False, close_bot_session=False
        )
    )
    try:
        yield state
    finally:
        await dispatcher.stop_polling()
        await task
