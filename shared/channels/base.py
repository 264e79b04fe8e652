"""What every channel adapter provides: webhook authentication, normalisation of the
provider's payload into canonical events, and the provider's send API."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn, Protocol, TypeVar

from chalicelib.core.clock import utc_now
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.models import (
    Channel,
    ChannelAccount,
    ChannelEvent,
    InboundMessage,
    MediaRef,
    OutboundContent,
    UnreadableEvent,
)
from pydantic import ValidationError

Credentials = Mapping[str, str]


@dataclass(frozen=True)
class WebhookRequest:
    """A webhook as the adapters see it: the raw bytes (signatures cover exactly these) and the
    URL the provider called (shared/core/api_gateway.py), with its query parameters decoded, every
    value of a repeated one in ``query_items``."""

    method: str
    url: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes
    query_items: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class WebhookReply:
    """The body a provider expects in the 200 answer to its webhook, where it expects one
    (Twilio reads TwiML); the other providers get the default JSON acknowledgement."""

    content_type: str
    body: str


@dataclass(frozen=True)
class SentMessage:
    """What the provider took: the id that stands for the reply (its first part's) and, for a
    reply that took several provider messages, every part's id in order."""

    provider_message_id: str
    part_ids: tuple[str, ...] = ()


def _ignore_progress(sent: Sequence[str]) -> None:
    return None


@dataclass(frozen=True)
class PartProgress:
    """A reply that takes several provider messages (text, then one message per attachment):
    the ids of the parts the provider took on earlier attempts, in order, and where to note the
    parts taken so far as soon as each one goes, so that a retry after a transient failure
    resumes at the first part not yet sent instead of sending the others twice."""

    sent: Sequence[str] = ()
    record: Callable[[Sequence[str]], None] = field(default=_ignore_progress)


_Part = TypeVar("_Part")


def send_parts(parts: Sequence[_Part], send_one: Callable[[_Part], str],
               progress: PartProgress | None) -> SentMessage:
    """Send the parts of one reply in order, skipping those sent on an earlier attempt; the
    first part's id stands for the reply. The parts must come out the same on every attempt
    (they do: they are built from the stored message)."""
    progress = progress or PartProgress()
    if len(progress.sent) > len(parts):
        raise SendFailed("parts_changed", f"{len(progress.sent)} parts were sent but the reply has {len(parts)}",
                         permanent=True)
    sent = list(progress.sent)
    for part in parts[len(sent):]:
        sent.append(send_one(part))
        progress.record(tuple(sent))
    return SentMessage(provider_message_id=sent[0], part_ids=tuple(sent))


@dataclass(frozen=True)
class MediaSource:
    """Where to download one inbound media object: the URL, the headers that authorise the
    download, and the hosts the provider serves media from. The downloader refuses any other host
    (the payload must not choose where our servers connect). An entry with a leading dot
    (``.fbcdn.net``) allows that domain's subdomains. ``redirect_hosts`` are hosts the provider's
    own answer may send the download on to (Twilio's API redirects to its media CDN), where a
    URL from the payload may not start; the headers stay behind on such a redirect."""

    url: str
    headers: Mapping[str, str]
    allowed_hosts: frozenset[str]
    redirect_hosts: frozenset[str] = frozenset()
    # Email: the media is this attachment (in iter_attachments order) of the MIME message at url.
    mime_attachment: int | None = None


class SendFailed(Exception):
    """The provider refused or could not take the message. ``permanent`` failures are shown
    to the agent; the others are retried later by the delayed-retry state machine."""

    def __init__(self, code: str, message: str, *, permanent: bool, opted_out: bool = False) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.permanent = permanent
        # The recipient opted out (Twilio 21610): the dispatcher records it on their consent.
        self.opted_out = opted_out


class ChannelAdapter(Protocol):
    channel: Channel
    max_body_bytes: int

    def handshake(self, request: WebhookRequest, credentials: Credentials) -> str:
        """Answer the provider's subscription check, or raise SignatureRejected."""

    def authenticate(self, request: WebhookRequest, credentials: Credentials) -> None:
        """Raise SignatureRejected unless the request verifiably comes from the provider."""

    def parse(self, request: WebhookRequest, account: ChannelAccount) -> Sequence[ChannelEvent]:
        """Normalise the payload into canonical events, or raise InvalidInput."""

    def send(self, account: ChannelAccount, credentials: Credentials, to: str,
             content: OutboundContent, progress: PartProgress | None = None) -> SentMessage:
        """Send text, media or a template to the customer ``to``, or raise SendFailed (permanent:
        shown to the agent; transient: retried by the delayed-retry machine). A reply that
        takes several provider messages goes through ``send_parts`` with ``progress``."""

    def media_source(self, account: ChannelAccount, credentials: Credentials, ref: MediaRef) -> MediaSource:
        """Resolve an inbound media reference to a download (may call the provider's API), or
        raise InvalidInput."""


def parse_json_object(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise InvalidInput(f"body is not valid JSON: {error}", field="body") from error
    if not isinstance(document, dict):
        raise InvalidInput("body must be a JSON object", field="body")
    return document


def unreadable(channel: Channel, account: ChannelAccount, raw: Any, reason: str | Exception, *, location: str,
               customer_id: object = "") -> UnreadableEvent:
    """One part of an authentic delivery that cannot be read, kept instead of failing the rest."""
    if isinstance(reason, ValidationError):
        first = reason.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        reason = f"{first['msg']}" + (f" (at {where})" if where else "")
    elif isinstance(reason, InvalidInput) and reason.field:
        reason = f"{reason} (at {reason.field})"
    text = raw if isinstance(raw, str) else json.dumps(raw, sort_keys=True, default=str)
    digest = hashlib.sha256(f"{location}\n{text}".encode()).hexdigest()[:32]
    return UnreadableEvent(channel=channel, account_id=account.id,
                           customer_id=str(customer_id) if isinstance(customer_id, str | int) else "",
                           reason=str(reason), location=location, raw=text, provider_event_id=digest,
                           received_at=utc_now())


def in_batch_order(events: Sequence[ChannelEvent]) -> list[ChannelEvent]:
    """The customer messages of one delivery numbered in the order the provider batched them
    (InboundMessage.sequence): the tie-breaker of messages dated to the same second."""
    numbered: list[ChannelEvent] = []
    position = 0
    for event in events:
        if isinstance(event, InboundMessage) and event.sequence is None:
            event = event.model_copy(update={"sequence": position})
            position += 1
        numbered.append(event)
    return numbered


def invalid_payload(error: ValidationError, what: str, *, default_field: str = "body",
                    prefix: tuple[str, ...] = ()) -> InvalidInput:
    """InvalidInput for a payload that does not read as ``what``, naming its first problem and the
    field where it is (under ``prefix`` when the payload was part of a larger one)."""
    first = error.errors()[0]
    field = ".".join([*prefix, *(str(part) for part in first["loc"])]) or default_field
    return InvalidInput(f"{what}: {first['msg']}", field=field)


def no_handshake(channel: Channel) -> NoReturn:
    """``handshake()`` of a provider that never calls GET on its webhook (it authenticates each
    POST instead): the GET route answers 404, as for any other URL we do not serve."""
    raise NotFound(f"{channel.value} webhooks have no subscription handshake", field="method")
