"""A local Telegram Bot API server for tests, checked against the official spec as data.

Usage: start a `FakeBotAPI`, point aiogram at it with `fake_bot(server)` (or any
`AiohttpSession(api=TelegramAPIServer.from_base(server.url))`), script users with
`server.user(...)`, and assert `server.violations` stayed empty.
"""

from engine.telegram.botapi.client import LocalAiohttpSession, fake_bot
from engine.telegram.botapi.methods import ApiError
from engine.telegram.botapi.server import DEFAULT_TOKEN, Call, FakeBotAPI, Violation
from engine.telegram.botapi.spec import (
    SPEC_ENV,
    BotApiSpec,
    UploadedFile,
    default_spec_path,
)
from engine.telegram.botapi.state import BotState, Message, User
from engine.telegram.botapi.users import ScriptedUser

__all__ = [
    "DEFAULT_TOKEN",
    "SPEC_ENV",
    "ApiError",
    "BotApiSpec",
    "BotState",
    "Call",
    "FakeBotAPI",
    "LocalAiohttpSession",
    "Message",
    "ScriptedUser",
    "UploadedFile",
    "User",
    "Violation",
    "default_spec_path",
    "fake_bot",
]
