"""The Telegram bot: a thin aiogram 3 adapter over the store and the runtime.

- `settings`: configuration from the environment / `.env`, checked with one-line errors.
- `service`: the use cases (start, tap, /daily, /points...), each one store action.
- `present`: runtime output -> Telegram HTML messages and signed, compact buttons.
- `delivery`: edit-or-send rules, typing pauses, media, 403 handling; `outgoing`: rate limits
  and flood-control retries on every request.
- `handlers`, `middleware`, `admin`, `commands`: aiogram wiring.
- `app.DianaBot`: assembly, long polling with acknowledge-after-handling, shutdown;
  `webhook`: the webhook server.
"""

from engine.telegram.bot.app import ALLOWED_UPDATES, ContentError, DianaBot
from engine.telegram.bot.callbacks import BadCallback, CallbackCodec, ChoiceButton
from engine.telegram.bot.outgoing import OutgoingLimiter, RateLimits
from engine.telegram.bot.settings import BotSettings, SettingsError, load_settings
from engine.telegram.bot.webhook import serve_webhook, webhook_app

__all__ = [
    "ALLOWED_UPDATES",
    "BadCallback",
    "BotSettings",
    "CallbackCodec",
    "ChoiceButton",
    "ContentError",
    "DianaBot",
    "OutgoingLimiter",
    "RateLimits",
    "SettingsError",
    "load_settings",
    "serve_webhook",
    "webhook_app",
]
