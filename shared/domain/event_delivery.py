"""The event worker: fan each event out to the subscriptions that want it, and POST each delivery,
signed with its subscription's secret (``chalicelib.signing``).

A delivery that fails transiently (no answer, 5xx, 408, 425, 429) is retried by the delayed-retry
state machine with exponential backoff, as an outbound send is, until the retry horizon; a
refusal (another 4xx) is not retried. Every attempt is a line of the subscription's delivery
log, and a failed delivery can be replayed from there. None of this runs in an inbox request:
the use cases only queue the event (``events.EventPublisher``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.core.resources import EVENTS_QUEUE
from chalicelib.core.signing import SIGNATURE_HEADER, signature_header

from .events import DeliveryRequest, Event, EventsEnvelope, FanOut
from .ports.channels import SendFailed
from .ports.integrations import (
    ProviderResponse,
    Publisher,
    QueueMessage,
    StateMachines,
    fifo_token,
)
from .subscription_models import DeliveryAttempt, DeliveryOutcome, EventSubscription, StoredDelivery

if TYPE_CHECKING:
    from .ports.subscriptions import Subscriptions
    from .retry import RetryPolicy

log = logging.getLogger(__name__)

# Receivers should answer at once and do their work later; a slow one is a failed attempt.
READ_TIMEOUT_SECONDS = 5.0
_TRANSIENT_STATUSES = frozenset({408, 425, 429})
USER_AGENT = "open-contact-webhooks/1"

Post = Callable[..., ProviderResponse]


def delivery_id_for(event_id: str, subscription_id: str) -> str:
    return fifo_token("delivery", event_id, subscription_id)[:32]


def delivery_message(request: DeliveryRequest, *, deduplication_id: str) -> QueueMessage:
    # Each delivery is its own message group: one slow or failing receiver holds up nobody.
    return QueueMessage(body=EventsEnvelope(record=request).model_dump_json(),
                        group_id=fifo_token("delivery", request.delivery_id), deduplication_id=deduplication_id)


def _transient(status: int | None) -> bool:
    return status is None or status >= 500 or status in _TRANSIENT_STATUSES


class EventDelivery:
    def __init__(self, store: Subscriptions, publisher: Publisher, retries: StateMachines, *,
                 retry_machine_arn: str, events_queue_url: str, policy: RetryPolicy,
                 clock: Callable[[], datetime], post: Post) -> None:
        self._store = store
        self._publisher = publisher
        self._retries = retries
        self._retry_machine_arn = retry_machine_arn
        self._events_queue_url = events_queue_url
        self._policy = policy
        self._clock = clock
        self._post = post

    def handle(self, record: FanOut | DeliveryRequest) -> None:
        if isinstance(record, FanOut):
            self.fan_out(record.event)
        else:
            self.deliver(record)

    def fan_out(self, event: Event) -> int:
        """One delivery per enabled subscription to this event type; returns how many."""
        wanted = [subscription for subscription in self._store.current()
                  if subscription.enabled and event.type in subscription.events]
        now = self._clock()
        body = event.model_dump_json()
        messages: list[QueueMessage] = []
        for subscription in wanted:
            delivery_id = delivery_id_for(event.id, subscription.id)
            self._store.put_delivery(StoredDelivery(subscription_id=subscription.id, delivery_id=delivery_id,
                                                    event_id=event.id, event_type=event.type, body=body,
                                                    created_at=now))
            messages.append(delivery_message(
                DeliveryRequest(subscription_id=subscription.id, delivery_id=delivery_id, started_at=now),
                deduplication_id=f"{delivery_id}-first"))
        self._publisher.send(EVENTS_QUEUE, messages)
        return len(messages)

    def deliver(self, request: DeliveryRequest) -> DeliveryAttempt | None:
        """POST the delivery once and log the attempt; None when there is nothing to deliver to
        (the subscription or the delivery is gone)."""
        found = self._store.with_secret(request.subscription_id)
        delivery = self._store.get_delivery(request.subscription_id, request.delivery_id)
        if found is None or delivery is None:
            log.info("event delivery dropped: subscription or delivery gone",
                     extra={"subscription_id": request.subscription_id, "delivery_id": request.delivery_id})
            return None
        subscription, secret = found
        now = self._clock()
        number = self._store.next_attempt(subscription.id, delivery.delivery_id, now)
        if subscription.enabled:
            status, error = self._send(subscription, secret, delivery, number, now)
        else:
            status, error = None, "the subscription is disabled"
        if status is not None and 200 <= status < 300:
            outcome = DeliveryOutcome.DELIVERED
        elif subscription.enabled and _transient(status) and now - request.started_at < self._policy.horizon:
            outcome = DeliveryOutcome.RETRYING
        else:
            outcome = DeliveryOutcome.FAILED
        attempt = DeliveryAttempt(delivery_id=delivery.delivery_id, event_id=delivery.event_id,
                                  event_type=delivery.event_type, attempt=number, status_code=status,
                                  outcome=outcome, error=error, at=now, replay=request.replay)
        self._store.log_attempt(subscription.id, attempt)
        if outcome is DeliveryOutcome.RETRYING:
            self._retry(request, number)
        return attempt

    def _send(self, subscription: EventSubscription, secret: str, delivery: StoredDelivery, number: int,
              now: datetime) -> tuple[int | None, str | None]:
        body = delivery.body.encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: signature_header(secret, int(now.timestamp()), body),
            "X-Contact-Event": delivery.event_type.value,
            "X-Contact-Event-Id": delivery.event_id,
            "X-Contact-Delivery": delivery.delivery_id,
            "X-Contact-Attempt": str(number),
        }
        try:
            response = self._post(subscription.url, body, headers, read_timeout_seconds=READ_TIMEOUT_SECONDS)
        except SendFailed as failure:
            return None, failure.message
        if 200 <= response.status < 300:
            return response.status, None
        return response.status, f"the receiver answered HTTP {response.status}"

    def _retry(self, request: DeliveryRequest, number: int) -> None:
        again = request.model_copy(update={"retry": request.retry + 1})
        message = delivery_message(again, deduplication_id=f"{request.delivery_id}-{number}")
        self._retries.start(self._retry_machine_arn, {
            "wait_seconds": self._policy.wait_seconds(request.retry),
            "queue_url": self._events_queue_url,
            "message_group_id": message.group_id,
            "deduplication_id": message.deduplication_id,
            "body": message.body,
        }, name=f"event-{request.delivery_id}-{number}", if_absent=True)
