"""What Meta's three messaging products (WhatsApp, Messenger, Instagram) share: the webhook's
``X-Hub-Signature-256`` HMAC and ``hub.challenge`` handshake, and the Graph API's error body."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib.parse import urlsplit

from chalicelib.channels.base import Credentials, SendFailed, WebhookRequest
from chalicelib.channels.http import ProviderResponse
from chalicelib.domain.errors import InvalidInput, SignatureRejected
from chalicelib.domain.models import ChannelAccount

GRAPH_API_VERSION = "v21.0"
SIGNATURE_HEADER = "x-hub-signature-256"

# Graph error codes every Meta product documents as "retry later": unknown / temporary errors
# (1, 2) and the app, user and page rate limits (4, 17, 32, 613). Channels add their own.
GRAPH_TRANSIENT_CODES = frozenset({1, 2, 4, 17, 32, 613})


def sign(body: bytes, app_secret: str) -> str:
    """The value Meta puts in X-Hub-Signature-256 for this body: an HMAC of the raw bytes."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(request: WebhookRequest, credentials: Credentials) -> None:
    """Raise SignatureRejected unless X-Hub-Signature-256 is the app secret's HMAC of the body.
    (Meta signs no timestamp, so replays are caught by the message ids, not here.)"""
    provided = request.headers.get(SIGNATURE_HEADER)
    if not provided:
        raise SignatureRejected("X-Hub-Signature-256 header is missing", field="X-Hub-Signature-256")
    expected = sign(request.body, credentials["app_secret"])
    if not hmac.compare_digest(provided.encode(), expected.encode()):
        raise SignatureRejected("X-Hub-Signature-256 does not match the body", field="X-Hub-Signature-256")


def answer_handshake(request: WebhookRequest, credentials: Credentials) -> str:
    """The subscription check: echo ``hub.challenge`` when ``hub.verify_token`` is ours."""
    mode = request.query.get("hub.mode")
    token = request.query.get("hub.verify_token", "")
    challenge = request.query.get("hub.challenge")
    if mode != "subscribe" or challenge is None:
        raise InvalidInput("expected hub.mode=subscribe with a hub.challenge", field="hub.mode")
    if not hmac.compare_digest(token.encode(), credentials["verify_token"].encode()):
        raise SignatureRejected("hub.verify_token does not match this account's verify token",
                                field="hub.verify_token")
    return challenge


def graph_url(account: ChannelAccount, *path: str) -> str:
    """A Graph API URL on the account's API host (graph.facebook.com, graph.instagram.com, or
    the local simulator)."""
    return "/".join([account.api_base_url.rstrip("/"), GRAPH_API_VERSION, *path])


def bearer(credentials: Credentials) -> dict[str, str]:
    return {"Authorization": f"Bearer {credentials['access_token']}"}


def api_host(account: ChannelAccount) -> str:
    """host[:port] of the account's API base URL: the one extra host media may come from (the
    local simulator; in AWS it is Meta's own Graph host)."""
    return urlsplit(account.api_base_url).netloc.lower()


def response_object(response: ProviderResponse) -> dict[str, Any]:
    return response.body if isinstance(response.body, dict) else {}


def raise_for_graph_error(response: ProviderResponse, transient_codes: frozenset[int]) -> None:
    """Turn a Graph error answer into SendFailed: transient for 5xx, 429, the codes Meta says to
    retry (and any error Graph itself marks ``is_transient``); permanent otherwise (window
    closed, user blocked, invalid recipient, bad parameters)."""
    if 200 <= response.status < 300:
        return
    error_field = response_object(response).get("error")
    error: dict[str, Any] = error_field if isinstance(error_field, dict) else {}
    code = error.get("code")
    subcode = error.get("error_subcode")
    message = str(error.get("message") or f"HTTP {response.status}")
    name = str(code if code is not None else response.status) + (f"/{subcode}" if subcode else "")
    transient = (response.status >= 500 or response.status == 429 or error.get("is_transient") is True
                 or code in GRAPH_TRANSIENT_CODES or code in transient_codes)
    raise SendFailed(name, message, permanent=not transient)
