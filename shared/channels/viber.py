"""Viber REST bot API: JSON callbacks signed in ``X-Viber-Content-Signature`` (messages,
delivery receipts, subscription events, and the ``webhook`` check sent when the webhook is set)
and ``/pa/send_message`` to send.

Credentials: ``auth_token`` (the bot's token: it signs the callbacks and authorises the calls),
optionally ``sender_name`` (shown to the customer; the account's name otherwise).
``provider_account_id`` is the bot's id (its URI).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from chalicelib.core.clock import utc_now
from chalicelib.core.model_base import Model
from chalicelib.domain.errors import InvalidInput, SignatureRejected
from chalicelib.domain.models import (
    Channel,
    ChannelAccount,
    ChannelEvent,
    ConsentSignal,
    ContactCard,
    ContentKind,
    DeliveryStatus,
    InboundMessage,
    Location,
    MediaRef,
    OutboundContent,
    OutboundMedia,
    StatusUpdate,
)
from pydantic import ConfigDict, ValidationError

from .base import (
    Credentials,
    MediaSource,
    PartProgress,
    SendFailed,
    SentMessage,
    WebhookRequest,
    no_handshake,
    parse_json_object,
    send_parts,
    unreadable,
)
from .http import post_json

SIGNATURE_HEADER = "x-viber-content-signature"
SENDER_NAME_LIMIT = 28
# The picture description limit has grown over the API's versions; a caption longer than the
# oldest documented bound goes as a text message of its own instead.
PICTURE_TEXT_LIMIT = 120
# Viber retries a callback for about an hour; a signed callback dated well outside that is a
# replay, not a retry. Clocks may disagree a little the other way.
MAX_CALLBACK_AGE = timedelta(hours=2)
MAX_CLOCK_SKEW = timedelta(minutes=5)
MEDIA_DOMAIN = "viber.com"

# send_message answers HTTP 200 with a status in the body. Only 12 (tooManyRequests) is worth
# retrying; 5 receiverNotRegistered, 6 receiverNotSubscribed, 7 publicAccountBlocked and the
# request and configuration errors (1-4, 8-11, ...) need someone to act first.
TRANSIENT_STATUSES = frozenset({12})
# 6 receiverNotSubscribed: the customer unsubscribed (the answer-side twin of the "unsubscribed"
# callback, which may have been missed): recorded as an opt-out, undone by "subscribed".
NOT_SUBSCRIBED_STATUS = 6

_RECEIPTS = {"delivered": DeliveryStatus.DELIVERED, "seen": DeliveryStatus.READ, "failed": DeliveryStatus.FAILED}
# Callbacks that carry no customer message; "conversation_started" (the user opened the chat) could
# start a welcome message later. "subscribed" / "unsubscribed" change the user's consent.
_IGNORED_EVENTS = frozenset({"webhook", "conversation_started", "client_status"})
_SUBSCRIPTION_EVENTS = {"unsubscribed": True, "subscribed": False}
_PICTURE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif"})


class _Loose(Model):
    model_config = ConfigDict(extra="allow")


class _Sender(_Loose):
    id: str
    name: str | None = None


class _Callback(_Loose):
    event: str
    timestamp: int
    message_token: int | str | None = None
    sender: _Sender | None = None
    user_id: str | None = None
    # The "subscribed" callback names the user in a user object ("unsubscribed" by user_id).
    user: _Sender | None = None
    message: dict[str, Any] | None = None
    desc: str | None = None


def sign(body: bytes, auth_token: str) -> str:
    """The value Viber puts in X-Viber-Content-Signature: hex HMAC-SHA256 of the raw body."""
    return hmac.new(auth_token.encode(), body, hashlib.sha256).hexdigest()


def _from_millis(value: int) -> datetime:
    # Whole seconds and milliseconds apart: a float of the milliseconds would round.
    return datetime.fromtimestamp(value // 1000, tz=UTC) + timedelta(milliseconds=value % 1000)


def _timestamp(value: int) -> datetime:
    try:
        return _from_millis(value)
    except (OverflowError, OSError, ValueError) as error:
        raise InvalidInput(f"timestamp {value!r} is not Unix milliseconds", field="timestamp") from error


class ViberAdapter:
    channel = Channel.VIBER
    # Viber caps what a bot sends at 30 KB; its callbacks are of that order.
    max_body_bytes = 1024 * 1024

    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        self._clock = clock

    def handshake(self, request: WebhookRequest, credentials: Credentials) -> str:
        # set_webhook is answered by a signed POST "webhook" callback, not by a GET.
        no_handshake(self.channel)

    def authenticate(self, request: WebhookRequest, credentials: Credentials) -> None:
        provided = request.headers.get(SIGNATURE_HEADER)
        if not provided:
            raise SignatureRejected("X-Viber-Content-Signature header is missing", field="X-Viber-Content-Signature")
        if not hmac.compare_digest(provided.lower().encode(), sign(request.body, credentials["auth_token"]).encode()):
            raise SignatureRejected("X-Viber-Content-Signature does not match the body",
                                    field="X-Viber-Content-Signature")
        self._check_fresh(request.body)

    def _check_fresh(self, body: bytes) -> None:
        """The signature covers the callback's timestamp: a signed callback far older than
        Viber's retries is refused as stale. (The webhook check is answered whatever its date.)"""
        try:
            document = json.loads(body)
        except (UnicodeDecodeError, ValueError, RecursionError):
            return  # not JSON: parse() names the problem
        if not isinstance(document, dict) or document.get("event") == "webhook":
            return
        stamp = document.get("timestamp")
        if not isinstance(stamp, int) or isinstance(stamp, bool):
            return  # parse() names the problem
        try:
            sent = _from_millis(stamp)
        except (OverflowError, OSError, ValueError):
            sent = None
        now = self._clock()
        if sent is None or now - sent > MAX_CALLBACK_AGE or sent - now > MAX_CLOCK_SKEW:
            raise SignatureRejected(f"callback timestamp {stamp} is outside the accepted window; "
                                    "a replayed request is refused", field="timestamp")

    def parse(self, request: WebhookRequest, account: ChannelAccount) -> list[ChannelEvent]:
        """One callback per POST. A body that is no callback at all (no ``event``) is refused; a
        callback that cannot be read is kept as an UnreadableEvent and answered 200 (Viber
        would otherwise redeliver it for an hour)."""
        document = parse_json_object(request.body)
        if not isinstance(document.get("event"), str):
            raise InvalidInput("not a Viber callback: event is missing", field="event")
        try:
            return self._callback(_Callback.model_validate(document), account)
        except (ValidationError, InvalidInput) as error:
            sender = document.get("sender")
            customer = sender.get("id", "") if isinstance(sender, dict) else document.get("user_id", "")
            return [unreadable(self.channel, account, document, error, customer_id=customer,
                               location=f"{document['event']} callback")]

    def _callback(self, callback: _Callback, account: ChannelAccount) -> list[ChannelEvent]:
        if callback.event in _IGNORED_EVENTS:
            return []
        if callback.event == "message":
            return [self._message(callback, account)]
        if callback.event in _SUBSCRIPTION_EVENTS:
            return _subscription(callback, account)
        receipt = _RECEIPTS.get(callback.event)
        if receipt is None:
            return []  # an event type added after this adapter: nothing to store
        if callback.message_token is None or not callback.user_id:
            raise InvalidInput(f"a {callback.event} receipt needs message_token and user_id", field="message_token")
        return [StatusUpdate(
            channel=self.channel, account_id=account.id, provider_message_id=str(callback.message_token),
            customer_id=callback.user_id, status=receipt, occurred_at=_timestamp(callback.timestamp),
            error_code=callback.event if receipt is DeliveryStatus.FAILED else None,
            error_message=(callback.desc or "Viber could not deliver the message")
            if receipt is DeliveryStatus.FAILED else None,
        )]

    def _message(self, callback: _Callback, account: ChannelAccount) -> InboundMessage:
        if callback.sender is None or callback.message is None or callback.message_token is None:
            raise InvalidInput("a message callback needs sender, message and message_token", field="message")
        raw = callback.message
        kind, text, media, location, contacts = _content(raw)
        return InboundMessage(
            channel=self.channel, account_id=account.id, provider_message_id=str(callback.message_token),
            customer_id=callback.sender.id, customer_name=callback.sender.name or None,
            sent_at=_timestamp(callback.timestamp), kind=kind, text=text, media=media, location=location,
            contacts=contacts, raw=raw if kind is not ContentKind.TEXT else None,
        )

    def send(self, account: ChannelAccount, credentials: Credentials, to: str,
             content: OutboundContent, progress: PartProgress | None = None) -> SentMessage:
        if content.template is not None:
            raise SendFailed("template_unsupported", "Viber bots have no message templates: send text or media",
                             permanent=True)
        text = content.text or ""
        first_is_picture = bool(content.media) and content.media[0].content_type.lower() in _PICTURE_TYPES
        caption = text if first_is_picture and len(text) <= PICTURE_TEXT_LIMIT else ""
        messages: list[dict[str, Any]] = []
        if text and not caption:
            messages.append({"type": "text", "text": text})
        messages.extend(_media_message(media, caption if index == 0 else "")
                        for index, media in enumerate(content.media))
        if not messages:
            raise SendFailed("empty_message", "nothing to send: no text and no media", permanent=True)
        sender_name = (credentials.get("sender_name") or account.name)[:SENDER_NAME_LIMIT]
        envelope = {"receiver": to, "min_api_version": 1, "sender": {"name": sender_name}}
        url = f"{account.api_base_url.rstrip('/')}/pa/send_message"
        headers = {"X-Viber-Auth-Token": credentials["auth_token"]}
        # One Viber message per call; the first one's token stands for the reply.
        return send_parts(messages, lambda message: _send_one(url, {**envelope, **message}, headers), progress)

    def media_source(self, account: ChannelAccount, credentials: Credentials, ref: MediaRef) -> MediaSource:
        """Viber puts a plain download URL in the (signed) callback, valid for about an hour and
        on Viber's own domain; any other host is refused (the simulator's, in local runs, is the
        account's API host)."""
        host = urlsplit(ref.url).hostname if ref.url else None
        api_host = urlsplit(account.api_base_url).hostname
        on_viber = host is not None and (host == MEDIA_DOMAIN or host.endswith("." + MEDIA_DOMAIN))
        if not ref.url or not host or not (on_viber or host == api_host):
            raise InvalidInput(f"Viber media must be a URL on {MEDIA_DOMAIN}", field="media.url")
        return MediaSource(url=ref.url, headers={}, allowed_hosts=frozenset({host}))


def _subscription(callback: _Callback, account: ChannelAccount) -> list[ChannelEvent]:
    user_id = callback.user_id or (callback.user.id if callback.user else None)
    if not user_id:
        raise InvalidInput(f"a {callback.event} callback needs the user", field="user_id")
    opted_out = _SUBSCRIPTION_EVENTS[callback.event]
    return [ConsentSignal(channel=Channel.VIBER, account_id=account.id, customer_id=user_id, opted_out=opted_out,
                          occurred_at=_timestamp(callback.timestamp),
                          provider_event_id=f"{callback.event}-{callback.message_token or callback.timestamp}",
                          detail=f"Viber {callback.event}")]


def _content(raw: dict[str, Any]) -> tuple[ContentKind, str | None, list[MediaRef], Location | None,
                                           list[ContactCard]]:
    """The kind of a Viber message and what it carries."""
    message_type = raw.get("type")
    text = raw.get("text") if isinstance(raw.get("text"), str) and raw.get("text") else None
    media_url = raw.get("media") if isinstance(raw.get("media"), str) and raw.get("media") else None
    size = raw.get("size") if isinstance(raw.get("size"), int) else None
    filename = raw.get("file_name") if isinstance(raw.get("file_name"), str) else None
    if message_type == "text" and text is not None:
        # Also a keyboard or rich-media button with ActionType "reply": Viber sends its ActionBody as
        # the text (its Text is only shown to the customer) and nothing marks the tap, so the text
        # is the choice and no separate payload is claimed; consent keywords apply to it as to any text.
        return ContentKind.TEXT, text, [], None, []
    if message_type == "url" and media_url:
        return ContentKind.TEXT, media_url, [], None, []  # a shared link: its URL is the text
    media_kinds = {"picture": ContentKind.IMAGE, "video": ContentKind.VIDEO, "file": ContentKind.DOCUMENT,
                   "sticker": ContentKind.IMAGE}
    if message_type in media_kinds and media_url:
        return (media_kinds[message_type], text, [MediaRef(url=media_url, filename=filename, size=size)],
                None, [])
    if message_type == "location" and isinstance(raw.get("location"), dict):
        point = raw["location"]
        try:
            location = Location(latitude=point["lat"], longitude=point["lon"], address=point.get("address"))
        except (KeyError, ValidationError) as error:
            raise InvalidInput("a Viber location needs lat and lon", field="message.location") from error
        return ContentKind.LOCATION, None, [], location, []
    if message_type == "contact" and isinstance(raw.get("contact"), dict):
        contact = raw["contact"]
        phone = contact.get("phone_number")
        name = str(contact.get("name") or phone or "")
        if name:
            return ContentKind.CONTACTS, None, [], None, [ContactCard(name=name, phones=[str(phone)] if phone else [])]
    return ContentKind.UNSUPPORTED, text, [], None, []


def _media_message(media: OutboundMedia, caption: str) -> dict[str, Any]:
    content_type = media.content_type.lower()
    if content_type in _PICTURE_TYPES:
        return {"type": "picture", "media": media.url, "text": caption}
    if media.size is None:
        raise SendFailed("media_size_unknown", f"Viber needs the size of {media.filename or media.url} to send it",
                         permanent=True)
    if content_type.startswith("video/"):
        return {"type": "video", "media": media.url, "size": media.size}
    filename = media.filename or media.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or "attachment"
    return {"type": "file", "media": media.url, "size": media.size, "file_name": filename}


def _send_one(url: str, payload: dict[str, Any], headers: dict[str, str]) -> str:
    response = post_json(url, payload, headers)
    body: dict[str, Any] = response.body if isinstance(response.body, dict) else {}
    if response.status >= 500 or response.status == 429:
        raise SendFailed(str(response.status), f"Viber answered HTTP {response.status}", permanent=False)
    status = body.get("status")
    if response.status == 200 and status == 0:
        if body.get("message_token") is not None:
            return str(body["message_token"])
        raise SendFailed("invalid_response", "Viber's answer has no message_token", permanent=False)
    message = str(body.get("status_message") or f"HTTP {response.status}")
    code = str(status) if isinstance(status, int) else str(response.status)
    raise SendFailed(code, message, permanent=status not in TRANSIENT_STATUSES,
                     opted_out=status == NOT_SUBSCRIBED_STATUS)
