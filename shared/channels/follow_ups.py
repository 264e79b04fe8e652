"""The calls the routing worker makes to a provider after a customer's message is stored
(``domain/ports/channels.ProviderFollowUps``): a customer's name from Meta's User Profile API
(Messenger, Instagram) and Telegram's answerCallbackQuery. Each is bounded by FOLLOW_UP_TIMEOUT
and never raises: a name that does not come is tried again with the customer's next
conversation, an acknowledgement that does not go only leaves the button's spinner to time out.

- Messenger: ``GET /<version>/<PSID>?fields=first_name,last_name`` with the Page token gives
  ``{"first_name", "last_name", "id"}``.
- Instagram: ``GET /<version>/<IGSID>?fields=name,username`` gives ``{"name", "username", "id"}``
  (``name`` may be null: then the username).
- Telegram: ``POST /bot<token>/answerCallbackQuery {"callback_query_id": ...}``.

The profile pictures these APIs give are left out: their URLs expire within days.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import urllib3
from chalicelib.domain.models import Channel, ChannelAccount
from chalicelib.domain.ports.channels import Credentials, SendFailed
from chalicelib.domain.text_safety import clean_label

from .http import get_json, post_json
from .meta.graph import bearer, graph_url

log = logging.getLogger(__name__)

FOLLOW_UP_TIMEOUT = urllib3.Timeout(connect=2.0, read=3.0)
_PROFILE_FIELDS = {Channel.MESSENGER: "first_name,last_name", Channel.INSTAGRAM: "name,username"}
MAX_NAME = 200


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def profile_name(channel: Channel, body: Any) -> str | None:
    """The name in a User Profile API answer, as a screen shows it (None when it holds none)."""
    if not isinstance(body, dict):
        return None
    if channel is Channel.MESSENGER:
        name = " ".join(part for part in (_text(body.get("first_name")), _text(body.get("last_name"))) if part)
    else:
        name = _text(body.get("name")) or _text(body.get("username"))
    cleaned = clean_label(name)[:MAX_NAME].strip()
    return cleaned or None


class ProviderCalls:
    """``ProviderFollowUps`` over the providers' HTTP APIs, with each account's credentials."""

    def __init__(self, credentials: Callable[[ChannelAccount], Credentials]) -> None:
        self._credentials = credentials

    def customer_name(self, account: ChannelAccount, customer_id: str) -> str | None:
        fields = _PROFILE_FIELDS.get(account.channel)
        if fields is None:
            return None
        try:
            url = f"{graph_url(account, customer_id)}?{urlencode({'fields': fields})}"
            response = get_json(url, bearer(self._credentials(account)), timeout=FOLLOW_UP_TIMEOUT)
        except (SendFailed, KeyError) as error:
            log.info("no profile name", extra={"channel": account.channel.value, "reason": str(error)})
            return None
        if not 200 <= response.status < 300:
            log.info("no profile name", extra={"channel": account.channel.value, "status": response.status,
                                               "answer": str(response.body)[:300]})
            return None
        return profile_name(account.channel, response.body)

    def answer_choice(self, account: ChannelAccount, choice_id: str) -> None:
        if account.channel is not Channel.TELEGRAM:
            return
        try:
            url = f"{account.api_base_url.rstrip('/')}/bot{self._credentials(account)['bot_token']}/answerCallbackQuery"
            response = post_json(url, {"callback_query_id": choice_id}, {}, timeout=FOLLOW_UP_TIMEOUT)
        except (SendFailed, KeyError) as error:
            log.info("callback query not answered", extra={"reason": str(error)})
            return
        if not 200 <= response.status < 300:
            # Telegram refuses a query older than about 15 s ("query is too old"): a late
            # redelivery, nothing to do.
            log.info("callback query not answered", extra={"status": response.status,
                                                          "answer": str(response.body)[:300]})
