"""What every channel adapter provides: webhook authentication, normalisation of the
provider's payload into canonical events, and the provider's send API."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.domain.models import Channel, ChannelAccount, InboundMessage, StatusUpdate
from chalicelib.errors import InvalidInput

Credentials = Mapping[str, str]


@dataclass(frozen=True)
class WebhookRequest:
    """A webhook as the adapters see it: the raw bytes (signatures cover exactly these)."""

    method: str
    url: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class SentMessage:
    provider_message_id: str


class SendFailed(Exception):
    """The provider refused or could not take the message. ``permanent`` failures are shown
    to the agent; the others are retried later by the delayed-retry state machine."""

    def __init__(self, code: str, message: str, *, permanent: bool) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.permanent = permanent


class ChannelAdapter(Protocol):
    channel: Channel
    max_body_bytes: int

    def handshake(self, request: WebhookRequest, credentials: Credentials) -> str:
        """Answer the provider's subscription check, or raise SignatureRejected."""

    def authenticate(self, request: WebhookRequest, credentials: Credentials) -> None:
        """Raise SignatureRejected unless the request verifiably comes from the provider."""

    def parse(self, request: WebhookRequest, account: ChannelAccount) -> list[InboundMessage | StatusUpdate]:
        """Normalise the payload into canonical events, or raise InvalidInput."""

    def send_text(self, account: ChannelAccount, credentials: Credentials, to: str, text: str) -> SentMessage:
        """Send a text, or raise SendFailed."""


def parse_json_object(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise InvalidInput(f"body is not valid JSON: {error}", field="body") from error
    if not isinstance(document, dict):
        raise InvalidInput("body must be a JSON object", field="body")
    return document
