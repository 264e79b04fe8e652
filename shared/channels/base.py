"""What every channel adapter provides: webhook authentication, normalisation of the
provider's payload into canonical events, and the provider's send API."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from chalicelib.core.clock import utc_now
from chalicelib.core.problems import first_problem
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.models import Channel, ChannelAccount, ChannelEvent, InboundMessage, UnreadableEvent
from chalicelib.domain.ports.channels import (
    ChannelAdapter,
    Credentials,
    MediaSource,
    PartProgress,
    SendFailed,
    SentMessage,
    WebhookRequest,
)
from pydantic import ValidationError

# The port's values, re-exported: every adapter module imports its toolkit from here.
__all__ = ["ChannelAdapter", "Credentials", "MediaSource", "PartProgress", "SendFailed", "SentMessage",
           "WebhookReply", "WebhookRequest", "in_batch_order", "invalid_payload", "no_handshake", "parse_json_object",
           "send_parts", "unreadable"]


@dataclass(frozen=True)
class WebhookReply:
    """The body a provider expects in the 200 answer to its webhook, where it expects one
    (Twilio reads TwiML); the other providers get the default JSON acknowledgement."""

    content_type: str
    body: str


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
        reason = first_problem(reason)[1]
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
    field, problem = first_problem(error, prefix)
    return InvalidInput(f"{what}: {problem}", field=field or default_field)


def no_handshake(channel: Channel) -> NoReturn:
    """``handshake()`` of a provider that never calls GET on its webhook (it authenticates each
    POST instead): the GET route answers 404, as for any other URL we do not serve."""
    raise NotFound(f"{channel.value} webhooks have no subscription handshake", field="method")
