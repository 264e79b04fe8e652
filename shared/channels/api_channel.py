"""The generic API channel: an integrator's own system (a shop, an app, a chat widget) posts its
customers' messages to ``/webhooks/api/{account}`` and receives the agents' replies as POSTs to
the ``reply_url`` it registered. Both directions are signed with the account's shared secret
(``chalicelib.core.signing``); the wire format is documented for integrators in docs/api-channel.md.

Credentials: ``secret`` (the HMAC key, at least 32 characters), ``reply_url`` (where replies go)
and, while rotating, optionally ``previous_secret`` (still accepted on inbound requests).
``provider_account_id`` names the integrator's system; ``api_base_url`` is its base URL (inbound
media may be fetched from its host or from the reply URL's host, nowhere else).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from chalicelib.core.model_base import Model
from chalicelib.core.problems import first_problem
from chalicelib.core.settings import get_settings
from chalicelib.core.signing import SIGNATURE_HEADER, signature_header, verify
from chalicelib.domain.errors import InvalidInput
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
from pydantic import AwareDatetime, ConfigDict, Field, TypeAdapter, ValidationError

from .base import (
    Credentials,
    MediaSource,
    PartProgress,
    SendFailed,
    SentMessage,
    WebhookRequest,
    no_handshake,
    parse_json_object,
)
from .http import post_to_receiver, receiver_address_problem

MIN_SECRET_LENGTH = 32
MAX_MEDIA = 10
# Answers that say "try again later"; any other 4xx is the integrator refusing this reply.
_TRANSIENT_STATUSES = frozenset({408, 425, 429})
_ID = Field(min_length=1, max_length=200)


class _Strict(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ApiMedia(_Strict):
    url: str = Field(pattern=r"^https?://", max_length=2048)
    content_type: str | None = Field(default=None, max_length=200)
    filename: str | None = Field(default=None, max_length=255)
    size: int | None = Field(default=None, ge=0)


class ApiError(_Strict):
    code: str = Field(min_length=1, max_length=100)
    message: str = Field(default="", max_length=1000)


def _moment(value: Any) -> Any:
    # Unix seconds or ISO 8601 with an offset; a naive time would be read in the server's zone.
    return datetime.fromtimestamp(value, tz=UTC) if isinstance(value, int | float) and not isinstance(value, bool) \
        else value


Moment = Annotated[AwareDatetime, Field(description="Unix seconds, or ISO 8601 with a UTC offset")]


class ApiInboundMessage(_Strict):
    """A customer's message, as the integrator posts it."""

    type: Literal["message"]
    # The integrator's id of the message: the idempotency key (a redelivery is stored once).
    message_id: str = _ID
    customer_id: str = Field(min_length=1, max_length=128)
    customer_name: str | None = Field(default=None, max_length=200)
    text: str | None = Field(default=None, max_length=32_000)
    media: list[ApiMedia] = Field(default_factory=list, max_length=MAX_MEDIA)
    timestamp: Moment
    language: str | None = Field(default=None, max_length=35, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$")


class ApiStatus(_Strict):
    """What became of a reply we posted to the integrator (``message_id`` as our POST named it)."""

    type: Literal["status"]
    message_id: str = _ID
    customer_id: str = Field(min_length=1, max_length=128)
    status: Literal["delivered", "read", "failed"]
    timestamp: Moment
    error: ApiError | None = None


ApiEvent = Annotated[ApiInboundMessage | ApiStatus, Field(discriminator="type")]
_EVENT: TypeAdapter[ApiInboundMessage | ApiStatus] = TypeAdapter(ApiEvent)


def check_credentials(values: Mapping[str, str]) -> None:
    """Refuse API channel credentials we could not work with (at account creation and rotation)."""
    if len(values.get("secret", "")) < MIN_SECRET_LENGTH:
        raise InvalidInput(f"an API channel account needs a secret of at least {MIN_SECRET_LENGTH} characters",
                           field="credentials.secret")
    try:
        reply_url = urlsplit(values.get("reply_url", ""))
        usable = reply_url.scheme in {"http", "https"} and bool(reply_url.hostname)
    except ValueError:
        usable = False
    if not usable:
        raise InvalidInput("an API channel account needs reply_url, an http(s) URL its replies are posted to",
                           field="credentials.reply_url")
    problem = receiver_address_problem(values["reply_url"])
    if problem and not get_settings().private_receivers:
        raise InvalidInput(f"reply_url must be a public receiver: {problem}", field="credentials.reply_url")
    unknown = set(values) - {"secret", "reply_url", "previous_secret"}
    if unknown:
        raise InvalidInput(f"unknown API channel credentials: {', '.join(sorted(unknown))}", field="credentials")


def _kind(media: list[ApiMedia]) -> ContentKind:
    if not media:
        return ContentKind.TEXT
    major = (media[0].content_type or "").split("/", 1)[0].lower()
    return {"image": ContentKind.IMAGE, "video": ContentKind.VIDEO, "audio": ContentKind.AUDIO}.get(
        major, ContentKind.DOCUMENT)


class ApiChannelAdapter:
    channel = Channel.API
    max_body_bytes = 256 * 1024

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock

    def handshake(self, request: WebhookRequest, credentials: Credentials) -> str:
        no_handshake(self.channel)

    def authenticate(self, request: WebhookRequest, credentials: Credentials) -> None:
        secrets = [credentials["secret"], credentials.get("previous_secret", "")]
        verify(request.headers.get(SIGNATURE_HEADER.lower()), request.body, secrets, now=self._clock())

    def parse(self, request: WebhookRequest, account: ChannelAccount) -> list[InboundMessage | StatusUpdate]:
        document = parse_json_object(request.body)
        try:
            event = _EVENT.validate_python({**document, "timestamp": _moment(document.get("timestamp"))})
        except ValidationError as error:
            # The union's tag ("message", "status") leads the location; the integrator's field follows.
            tagged = bool(error.errors()[0]["loc"])
            field, problem = first_problem(error, skip_leading=1 if tagged else 0)
            field = field or ("body" if tagged else "type")
            raise InvalidInput(problem, field=field) from error
        if isinstance(event, ApiStatus):
            return [StatusUpdate(
                channel=self.channel, account_id=account.id, provider_message_id=event.message_id,
                customer_id=event.customer_id, status=DeliveryStatus(event.status), occurred_at=event.timestamp,
                error_code=event.error.code if event.error else None,
                error_message=event.error.message if event.error else None)]
        if not (event.text or "").strip() and not event.media:
            raise InvalidInput("a message needs text or media", field="text")
        return [InboundMessage(
            channel=self.channel, account_id=account.id, provider_message_id=event.message_id,
            customer_id=event.customer_id, customer_name=event.customer_name, sent_at=event.timestamp,
            kind=_kind(event.media), text=event.text, language=event.language,
            media=[MediaRef(url=m.url, content_type=m.content_type, filename=m.filename, size=m.size)
                   for m in event.media])]

    def send(self, account: ChannelAccount, credentials: Credentials, to: str,
             content: OutboundContent, progress: PartProgress | None = None) -> SentMessage:
        """POST the reply to the integrator's reply_url, signed. Our message id names the reply
        (``Idempotency-Key``: a retried POST carries the same one) and is what status updates quote."""
        if content.template is not None:
            raise SendFailed("template_unsupported", "the API channel has no message templates", permanent=True)
        if not content.text and not content.media:
            raise SendFailed("empty_message", "nothing to send: no text and no media", permanent=True)
        if content.message_id is None:
            raise SendFailed("no_message_id", "an API channel reply needs our message id", permanent=True)
        now = int(self._clock())
        body = json.dumps({
            "type": "message", "message_id": content.message_id, "conversation_id": content.conversation_id,
            "customer_id": to, "text": content.text,
            "media": [{"url": m.url, "content_type": m.content_type, "filename": m.filename, "size": m.size}
                      for m in content.media],
            "timestamp": now,
        }, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature_header(credentials["secret"], now, body),
            "Idempotency-Key": content.message_id,
        }
        response = post_to_receiver(credentials["reply_url"], body, headers,
                                    private_allowed=get_settings().private_receivers)
        if 200 <= response.status < 300:
            return SentMessage(provider_message_id=content.message_id)
        detail = f"the integrator's reply_url answered HTTP {response.status}"
        transient = response.status >= 500 or response.status in _TRANSIENT_STATUSES
        raise SendFailed(f"http_{response.status}", detail, permanent=not transient)

    def media_source(self, account: ChannelAccount, credentials: Credentials, ref: MediaRef) -> MediaSource:
        """Media the integrator announced by URL: fetched only from its own hosts (the account's
        base URL or the reply URL), so a payload cannot aim our servers elsewhere."""
        if not ref.url:
            raise InvalidInput("API channel media needs a url", field="media.url")
        hosts = {urlsplit(url).hostname for url in (account.api_base_url, credentials.get("reply_url", ""))}
        return MediaSource(url=ref.url, headers={}, allowed_hosts=frozenset(h for h in hosts if h))
