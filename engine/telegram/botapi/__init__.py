"""A local Telegram Bot API server for tests, checked against the official spec as data.

Usage: start a `FakeBotAPI`, point aiogram at it with `fake_bot(server)` (or any
`AiohttpSession(api=TelegramAPIServer.from_base(server.url))`), script users with
`server.user(...)`, and assert `server.violations` stayed empty.

Beyond private chats it models what a bot that sells and runs a channel meets:
- Webhooks: `setWebhook` makes the server POST updates to the bot (one at a time, retried
  until 2xx, secret token header); `server.route_webhook(public, local)` maps a public URL
  to the bot's loopback listener. getUpdates then fails with 409, as on Telegram.
- allowed_updates, with Telegram's default that leaves out `chat_member`,
  `message_reaction` and `message_reaction_count` (undelivered ones land in
  `server.state.dropped`).
- Telegram Stars: invoices and invoice links (subscriptions too), `user.pay(...)` through a
  real pre-checkout query, renewals, redeliveries, refunds (`server.payments`).
- Groups and channels: `server.channel(title, discussion=...)` / `server.supergroup(title)`
  with the bot as administrator; members, bans, invite links, join requests; users who
  join, leave, react and comment; channel posts forwarded to the discussion group.

Everything the fake answers and every update it sends is checked against the spec as well.
"""

from engine.telegram.botapi.channels import ScriptedChat
from engine.telegram.botapi.chats import InviteLink, JoinRequest, Room
from engine.telegram.botapi.client import LocalAiohttpSession, fake_bot
from engine.telegram.botapi.errors import ApiError
from engine.telegram.botapi.payments import (
    STARS,
    SUBSCRIPTION_PERIOD,
    Charge,
    Invoice,
    Payment,
    PaymentBook,
    PreCheckout,
    Subscription,
)
from engine.telegram.botapi.server import DEFAULT_TOKEN, Call, FakeBotAPI, Violation
from engine.telegram.botapi.spec import (
    SPEC_ENV,
    BotApiSpec,
    UploadedFile,
    default_spec_path,
)
from engine.telegram.botapi.state import (
    CHANNEL_SENDER,
    OPT_IN_UPDATES,
    BotState,
    Chat,
    Message,
    User,
    WebhookConfig,
)
from engine.telegram.botapi.users import ScriptedUser
from engine.telegram.botapi.webhook import SECRET_HEADER, WebhookAttempt

__all__ = [
    "CHANNEL_SENDER",
    "DEFAULT_TOKEN",
    "OPT_IN_UPDATES",
    "SECRET_HEADER",
    "SPEC_ENV",
    "STARS",
    "SUBSCRIPTION_PERIOD",
    "ApiError",
    "BotApiSpec",
    "BotState",
    "Call",
    "Charge",
    "Chat",
    "FakeBotAPI",
    "InviteLink",
    "Invoice",
    "JoinRequest",
    "LocalAiohttpSession",
    "Message",
    "Payment",
    "PaymentBook",
    "PreCheckout",
    "Room",
    "ScriptedChat",
    "ScriptedUser",
    "Subscription",
    "UploadedFile",
    "User",
    "Violation",
    "WebhookAttempt",
    "WebhookConfig",
    "default_spec_path",
    "fake_bot",
]
