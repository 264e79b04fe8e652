"""WhatsApp Business Cloud API: Meta's webhook (X-Hub-Signature-256, hub.challenge handshake)
and the Graph API ``/<phone_number_id>/messages`` send endpoint."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.models import (
    Channel,
    ChannelAccount,
    ContentKind,
    DeliveryStatus,
    InboundMessage,
    MediaRef,
    OutboundContent,
    StatusUpdate,
)
from chalicelib.errors import InvalidInput, SignatureRejected
from pydantic import BaseModel, ConfigDict, ValidationError

from .base import Credentials, MediaSource, SendFailed, SentMessage, WebhookRequest, parse_json_object
from .http import post_json

GRAPH_API_VERSION = "v21.0"
SIGNATURE_HEADER = "x-hub-signature-256"
TEXT_LIMIT = 4096

# Error codes Meta documents as worth retrying later; every other error code is permanent.
TRANSIENT_ERROR_CODES = frozenset({1, 2, 4, 80007, 130429, 131000, 131016, 131056})

_KINDS = {
    "text": ContentKind.TEXT, "image": ContentKind.IMAGE, "document": ContentKind.DOCUMENT,
    "audio": ContentKind.AUDIO, "voice": ContentKind.AUDIO, "video": ContentKind.VIDEO,
    "sticker": ContentKind.IMAGE, "location": ContentKind.LOCATION, "contacts": ContentKind.CONTACTS,
}
_STATUSES = {
    "sent": DeliveryStatus.SENT, "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ, "failed": DeliveryStatus.FAILED,
}


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Profile(_Loose):
    name: str | None = None


class _Contact(_Loose):
    wa_id: str
    profile: _Profile | None = None


class _Message(_Loose):
    id: str
    timestamp: str
    type: str
    text: dict[str, Any] | None = None


class _StatusError(_Loose):
    code: int | None = None
    title: str | None = None
    message: str | None = None


class _Status(_Loose):
    id: str
    status: str
    timestamp: str
    recipient_id: str
    errors: list[_StatusError] = []


class _Metadata(_Loose):
    phone_number_id: str


class _Value(_Loose):
    metadata: _Metadata
    contacts: list[_Contact] = []
    messages: list[dict[str, Any]] = []
    statuses: list[_Status] = []


class _Change(_Loose):
    field: str
    value: dict[str, Any]


class _Entry(_Loose):
    id: str
    changes: list[_Change] = []


class _Notification(_Loose):
    object: str
    entry: list[_Entry]


def sign(body: bytes, app_secret: str) -> str:
    """The value Meta puts in X-Hub-Signature-256 for this body."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def _timestamp(value: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except ValueError as error:
        raise InvalidInput(f"timestamp {value!r} is not Unix seconds", field="timestamp") from error


class WhatsAppAdapter:
    channel = Channel.WHATSAPP
    max_body_bytes = 3 * 1024 * 1024

    def handshake(self, request: WebhookRequest, credentials: Credentials) -> str:
        mode = request.query.get("hub.mode")
        token = request.query.get("hub.verify_token", "")
        challenge = request.query.get("hub.challenge")
        if mode != "subscribe" or challenge is None:
            raise InvalidInput("expected hub.mode=subscribe with a hub.challenge", field="hub.mode")
        if not hmac.compare_digest(token.encode(), credentials["verify_token"].encode()):
            raise SignatureRejected("hub.verify_token does not match this account's verify token",
                                    field="hub.verify_token")
        return challenge

    def authenticate(self, request: WebhookRequest, credentials: Credentials) -> None:
        provided = request.headers.get(SIGNATURE_HEADER)
        if not provided:
            raise SignatureRejected("X-Hub-Signature-256 header is missing", field="X-Hub-Signature-256")
        expected = sign(request.body, credentials["app_secret"])
        if not hmac.compare_digest(provided.encode(), expected.encode()):
            raise SignatureRejected("X-Hub-Signature-256 does not match the body", field="X-Hub-Signature-256")

    def parse(self, request: WebhookRequest, account: ChannelAccount) -> list[InboundMessage | StatusUpdate]:
        try:
            notification = _Notification.model_validate(parse_json_object(request.body))
        except ValidationError as error:
            raise InvalidInput(f"not a WhatsApp notification: {error.errors()[0]['msg']}",
                               field=".".join(str(p) for p in error.errors()[0]["loc"])) from error
        if notification.object != "whatsapp_business_account":
            raise InvalidInput(f"object {notification.object!r} is not whatsapp_business_account", field="object")
        events: list[InboundMessage | StatusUpdate] = []
        for entry in notification.entry:
            for change in entry.changes:
                if change.field != "messages":
                    continue
                try:
                    value = _Value.model_validate(change.value)
                except ValidationError as error:
                    raise InvalidInput(f"invalid change value: {error.errors()[0]['msg']}", field="value") from error
                if value.metadata.phone_number_id != account.provider_account_id:
                    raise InvalidInput(
                        f"phone_number_id {value.metadata.phone_number_id} is not this account's number",
                        field="metadata.phone_number_id")
                events.extend(self._messages(value, account))
                events.extend(self._statuses(value, account))
        return events

    def _messages(self, value: _Value, account: ChannelAccount) -> list[InboundMessage | StatusUpdate]:
        names = {c.wa_id: c.profile.name for c in value.contacts if c.profile}
        events: list[InboundMessage | StatusUpdate] = []
        for raw in value.messages:
            try:
                message = _Message.model_validate(raw)
            except ValidationError as error:
                raise InvalidInput(f"invalid message: {error.errors()[0]['msg']}", field="messages") from error
            sender = str(raw.get("from", ""))
            if not sender:
                raise InvalidInput("message has no sender", field="messages.from")
            kind = _KINDS.get(message.type, ContentKind.UNSUPPORTED)
            text = (message.text or {}).get("body") if kind is ContentKind.TEXT else None
            if text is None and isinstance(raw.get(message.type), dict):
                text = raw[message.type].get("caption")
            events.append(InboundMessage(
                channel=self.channel, account_id=account.id, provider_message_id=message.id,
                customer_id=sender, customer_name=names.get(sender), sent_at=_timestamp(message.timestamp),
                kind=kind, text=text, raw=raw if kind is not ContentKind.TEXT else None,
            ))
        return events

    def _statuses(self, value: _Value, account: ChannelAccount) -> list[InboundMessage | StatusUpdate]:
        events: list[InboundMessage | StatusUpdate] = []
        for status in value.statuses:
            delivery = _STATUSES.get(status.status)
            if delivery is None:
                continue
            error = status.errors[0] if status.errors else None
            events.append(StatusUpdate(
                channel=self.channel, account_id=account.id, provider_message_id=status.id,
                customer_id=status.recipient_id, status=delivery, occurred_at=_timestamp(status.timestamp),
                error_code=str(error.code) if error and error.code is not None else None,
                error_message=(error.message or error.title) if error else None,
            ))
        return events

    def send(self, account: ChannelAccount, credentials: Credentials, to: str,
             content: OutboundContent) -> SentMessage:
        if content.template is not None or content.media:
            raise SendFailed("unsupported_content", "templates and media are not sent yet", permanent=True)
        url = f"{account.api_base_url.rstrip('/')}/{GRAPH_API_VERSION}/{account.provider_account_id}/messages"
        payload = {
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
            "type": "text", "text": {"preview_url": False, "body": content.text or ""},
        }
        response = post_json(url, payload, {"Authorization": f"Bearer {credentials['access_token']}"})
        body = response.body if isinstance(response.body, dict) else {}
        if 200 <= response.status < 300:
            messages = body.get("messages") or []
            if messages and isinstance(messages[0], dict) and messages[0].get("id"):
                return SentMessage(provider_message_id=str(messages[0]["id"]))
            raise SendFailed("invalid_response", "the provider's answer has no message id", permanent=False)
        error_field = body.get("error")
        error: dict[str, Any] = error_field if isinstance(error_field, dict) else {}
        code = error.get("code")
        message = str(error.get("message") or f"HTTP {response.status}")
        if response.status >= 500 or response.status == 429 or code in TRANSIENT_ERROR_CODES:
            raise SendFailed(str(code or response.status), message, permanent=False)
        raise SendFailed(str(code or response.status), message, permanent=True)

    def media_source(self, account: ChannelAccount, credentials: Credentials, ref: MediaRef) -> MediaSource:
        raise InvalidInput("media download is not supported yet", field="media")
