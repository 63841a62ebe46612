"""setWebhook, deleteWebhook and getWebhookInfo, with Telegram's checks on the URL.

Telegram wants an HTTPS URL on port 80, 88, 443 or 8443. The fake also takes a plain
`http://127.0.0.1:PORT/...` (or localhost) URL, since tests serve webhooks on loopback;
a public URL is delivered through `FakeBotAPI.route_webhook` to a local address.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from engine.telegram.botapi.errors import ApiError, Handler, Params
from engine.telegram.botapi.spec_values import UploadedFile
from engine.telegram.botapi.state import BotState, JsonDict, WebhookConfig

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


def is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and (parts.hostname or "") in LOOPBACK_HOSTS


def url_problem(url: str) -> str | None:
    """Telegram's refusal of a webhook URL, or None if it would take it."""
    if is_loopback(url):
        return None
    parts = urlsplit(url)
    if parts.scheme != "https":
        return "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
    if not parts.hostname:
        return "Bad Request: bad webhook: Failed to resolve host: Name or service not known"
    try:
        port = parts.port or 443
    except ValueError:
        return "Bad Request: bad webhook: Wrong port number specified in the URL"
    if port not in WEBHOOK_PORTS:
        return "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
    return None


async def set_webhook(state: BotState, params: Params) -> bool:
    url = str(params["url"])
    if not url:  # "Use an empty string to remove webhook integration."
        return await delete_webhook(state, params)
    problem = url_problem(url)
    if problem is not None:
        raise ApiError(400, problem)
    secret = params.get("secret_token")
    if secret is not None and not _SECRET_RE.fullmatch(str(secret)):
        raise ApiError(400, "Bad Request: secret token contains unallowed characters")
    connections = int(params.get("max_connections", 40))
    if not 1 <= connections <= 100:
        raise ApiError(400, "Bad Request: max_connections must be between 1 and 100")
    if params.get("drop_pending_updates"):
        state.drop_pending()
    state.set_allowed_updates(params.get("allowed_updates"))
    state.webhook = WebhookConfig(
        url,
        None if secret is None else str(secret),
        connections,
        params.get("ip_address"),
        isinstance(params.get("certificate"), UploadedFile),
    )
    state.wake()  # start deliveries; a running long poll ends with 409
    return True


async def delete_webhook(state: BotState, params: Params) -> bool:
    if params.get("drop_pending_updates"):
        state.drop_pending()
    state.webhook = None
    return True


async def get_webhook_info(state: BotState, params: Params) -> JsonDict:
    hook = state.webhook
    info: JsonDict = {
        "url": hook.url if hook else "",
        "has_custom_certificate": bool(hook and hook.has_custom_certificate),
        "pending_update_count": state.pending_update_count,
    }
    if hook is None:
        return info
    optional = {
        "ip_address": hook.ip_address,
        "last_error_date": hook.last_error_date,
        "last_error_message": hook.last_error_message,
        "max_connections": hook.max_connections,
        "allowed_updates": state.allowed_updates,
    }
    info.update({k: v for k, v in optional.items() if v is not None})
    return info


HANDLERS: dict[str, Handler] = {
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
}
