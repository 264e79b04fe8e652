"""Webhook intake: authenticate the provider, normalise its payload and queue the events.

Nothing is stored here: the webhook answers as soon as the events are queued, and the workers
store them: messages and the rest on the ordered inbound queue (routing), statuses on a standard
queue of their own (domain/statuses.py). A redelivered webhook produces the same FIFO
deduplication ids, and routing drops whatever SQS did not; a repeated status changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.core.resources import INBOUND_QUEUE, STATUSES_QUEUE
from chalicelib.domain.errors import NotFound, PayloadTooLarge

from .models import (
    ChannelAccount,
    ChannelEvent,
    ConsentSignal,
    InboundEnvelope,
    InboundMessage,
    StatusEnvelope,
    StatusUpdate,
    UnreadableEvent,
)
from .ports.integrations import Credentials, Publisher, QueueMessage, fifo_token

if TYPE_CHECKING:
    from .ports.channels import ChannelAdapter, WebhookRequest
    from .ports.directory import ChannelAccounts

# How far ahead of our clock a provider's timestamp may be (their clocks and ours drift a little).
# Later than that, the moment we received it stands in: a message dated a month ahead would
# otherwise keep a 24-hour reply window open for a month, and sort after everything else.
MAX_CLOCK_SKEW = timedelta(minutes=5)


class WebhookIntake:
    def __init__(self, accounts: ChannelAccounts, credentials: Credentials, publisher: Publisher, *,
                 adapter_for: Callable[[str], ChannelAdapter], clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._accounts = accounts
        self._adapter_for = adapter_for
        self._credentials = credentials
        self._publisher = publisher

    def handshake(self, channel: str, account_id: str, request: WebhookRequest) -> str:
        adapter, account = self._resolve(channel, account_id)
        return adapter.handshake(request, self._credentials.get(account.channel.value, account.id))

    def receive(self, channel: str, account_id: str, request: WebhookRequest) -> int:
        """Verify and enqueue; returns the number of events queued."""
        adapter, account = self._resolve(channel, account_id)
        if len(request.body) > adapter.max_body_bytes:
            raise PayloadTooLarge(
                f"body is {len(request.body)} bytes; {channel} webhooks are at most {adapter.max_body_bytes}",
                field="body")
        adapter.authenticate(request, self._credentials.get(account.channel.value, account.id))
        now = self._clock()
        events = [bounded(event, now) for event in adapter.parse(request, account)]
        # A "sent" from the provider is not queued: our send marked the message sent already (or
        # will, with the id the status would need to find it), so it could never change anything.
        statuses = [event for event in events if isinstance(event, StatusUpdate) and not event.repeats_the_send]
        ordered = [event for event in events if not isinstance(event, StatusUpdate)]
        if ordered:
            self._publisher.send(INBOUND_QUEUE, [_queue_message(event) for event in ordered])
        if statuses:
            self._publisher.send(STATUSES_QUEUE, [QueueMessage(body=StatusEnvelope(event=status).model_dump_json())
                                                  for status in statuses])
        return len(ordered) + len(statuses)

    def _resolve(self, channel: str, account_id: str) -> tuple[ChannelAdapter, ChannelAccount]:
        adapter = self._adapter_for(channel)
        account = self._accounts.cached(account_id)
        if account is None or account.channel is not adapter.channel or not account.enabled:
            raise NotFound(f"no enabled {channel} account {account_id!r}", field="account")
        return adapter, account


def bounded(event: ChannelEvent, now: datetime) -> ChannelEvent:
    """The event with a provider timestamp no later than ``now`` plus the allowed skew (the
    stored message is found again by the provider's id, not its time, so a redelivery that is
    bounded differently still stores nothing twice)."""
    latest = now + MAX_CLOCK_SKEW
    if isinstance(event, InboundMessage) and event.sent_at > latest:
        return event.model_copy(update={"sent_at": now})
    if isinstance(event, StatusUpdate | ConsentSignal) and event.occurred_at > latest:
        return event.model_copy(update={"occurred_at": now})
    return event


def _queue_message(event: InboundMessage | ConsentSignal | UnreadableEvent) -> QueueMessage:
    # One message group per customer on one account keeps their events in provider order.
    group = fifo_token(event.channel.value, event.account_id, event.customer_id)
    if isinstance(event, InboundMessage):
        dedup = fifo_token("message", event.channel.value, event.account_id, event.provider_message_id)
    elif isinstance(event, ConsentSignal):
        dedup = fifo_token("consent", event.channel.value, event.account_id, event.provider_event_id)
    else:
        dedup = fifo_token("unreadable", event.channel.value, event.account_id, event.provider_event_id)
    return QueueMessage(body=InboundEnvelope(event=event).model_dump_json(), group_id=group,
                        deduplication_id=dedup)
