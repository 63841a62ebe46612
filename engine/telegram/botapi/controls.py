"""What tests set up around the bot: users, groups and channels, payments, webhook routes.

Mixed into `FakeBotAPI`, which owns `state` and `webhooks`.
"""

from __future__ import annotations

from engine.telegram.botapi.channels import ScriptedChat, create_room, link_discussion
from engine.telegram.botapi.payments import PaymentBook
from engine.telegram.botapi.state import BotState, JsonDict, User
from engine.telegram.botapi.users import ScriptedUser
from engine.telegram.botapi.webhook import WebhookAttempt, WebhookDelivery


class WorldControls:
    state: BotState
    webhooks: WebhookDelivery

    def user(
        self,
        id: int,
        first_name: str = "Test",
        *,
        username: str | None = None,
        language_code: str | None = None,
    ) -> ScriptedUser:
        """A scripted user with a private chat, whose id equals the user id."""
        person = User(id, first_name, username, language_code=language_code)
        self.state.add_user(person)
        return ScriptedUser(self.state, person)

    def channel(
        self,
        title: str,
        *,
        username: str | None = None,
        discussion: str | None = None,
        owner: User | None = None,
        bot_admin: bool = True,
        description: str | None = None,
    ) -> ScriptedChat:
        """A broadcast channel with the bot as administrator; `discussion` names a linked
        discussion group to create with it (`.discussion`). Private unless `username`."""
        room = create_room(
            self.state,
            "channel",
            title,
            username=username,
            owner=owner,
            bot_admin=bot_admin,
            description=description,
        )
        if discussion is not None:
            group = create_room(self.state, "supergroup", discussion, owner=room.owner)
            link_discussion(room, group)
        return ScriptedChat(self.state, room)

    def supergroup(
        self,
        title: str,
        *,
        username: str | None = None,
        owner: User | None = None,
        bot_admin: bool = True,
        description: str | None = None,
    ) -> ScriptedChat:
        """A supergroup with the bot as administrator. Private unless `username`."""
        room = create_room(
            self.state,
            "supergroup",
            title,
            username=username,
            owner=owner,
            bot_admin=bot_admin,
            description=description,
        )
        return ScriptedChat(self.state, room)

    @property
    def payments(self) -> PaymentBook:
        """Invoices, pre-checkout queries and charges; tune `pre_checkout_timeout` here."""
        return self.state.payments

    def redeliver(self, update: JsonDict) -> JsonDict:
        """Send an update's content again under a new update_id (a redelivery)."""
        return self.state.redeliver(update)

    def route_webhook(self, public_url: str, local_url: str) -> None:
        """Deliver webhooks set to `public_url...` to `local_url...` on loopback instead."""
        self.webhooks.route(public_url, local_url)

    @property
    def webhook_attempts(self) -> list[WebhookAttempt]:
        return self.webhooks.attempts
