"""Administration of event webhook subscriptions: create (the signing secret is shown once),
list, change, delete, rotate the secret, read the delivery log and replay a delivery."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.core.resources import EVENTS_QUEUE
from chalicelib.domain.errors import InvalidInput, NotFound

from .event_delivery import delivery_message
from .events import DeliveryRequest, EventType
from .identity import Principal, require_administrator, require_settings_reader
from .paging import check_limit
from .subscription_models import (
    DeliveryAttempt,
    EventSubscription,
    ReplayAccepted,
    SubscriptionCreated,
)

if TYPE_CHECKING:
    from .models import Page
    from .ports.integrations import Publisher
    from .ports.subscriptions import Subscriptions

MAX_SUBSCRIPTIONS = 50
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix that marks the value as a webhook secret


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _events(events: Sequence[EventType]) -> tuple[EventType, ...]:
    return tuple(dict.fromkeys(events))


class SubscriptionAdministration:
    def __init__(self, store: Subscriptions, publisher: Publisher, clock: Callable[[], datetime], *,
                 receiver_problem: Callable[[str], str | None], private_receivers: bool = False) -> None:
        self._receiver_problem = receiver_problem
        self._store = store
        self._publisher = publisher
        self._clock = clock
        self._private_receivers = private_receivers

    def _check_receiver(self, url: str | None) -> None:
        problem = None if url is None or self._private_receivers else self._receiver_problem(url)
        if problem:
            raise InvalidInput(f"url must be a public receiver: {problem}", field="url")

    def create(self, principal: Principal, *, url: str, events: Sequence[EventType],
               description: str | None) -> SubscriptionCreated:
        require_administrator(principal)
        self._check_receiver(url)
        existing = self._store.list_subscriptions(limit=MAX_SUBSCRIPTIONS, cursor=None)
        if len(existing.items) >= MAX_SUBSCRIPTIONS:
            raise InvalidInput(f"at most {MAX_SUBSCRIPTIONS} event subscriptions", field="url")
        subscription = EventSubscription(id=uuid.uuid4().hex[:16], url=url, events=_events(events),
                                         description=description, enabled=True, created_at=self._clock())
        secret = new_secret()
        return SubscriptionCreated(subscription=self._store.create(subscription, secret), secret=secret)

    def list_subscriptions(self, principal: Principal, *, limit: int,
                           cursor: str | None) -> Page[EventSubscription]:
        require_settings_reader(principal)
        check_limit(limit)
        return self._store.list_subscriptions(limit=limit, cursor=cursor)

    def get(self, principal: Principal, subscription_id: str) -> EventSubscription:
        require_settings_reader(principal)
        return self._store.require(subscription_id)

    def update(self, principal: Principal, subscription_id: str, *, url: str | None,
               events: Sequence[EventType] | None, description: str | None,
               enabled: bool | None) -> EventSubscription:
        require_administrator(principal)
        self._check_receiver(url)
        return self._store.update(subscription_id, url=url, events=None if events is None else _events(events),
                                  description=description, enabled=enabled)

    def delete(self, principal: Principal, subscription_id: str) -> None:
        require_administrator(principal)
        self._store.delete(subscription_id)

    def rotate_secret(self, principal: Principal, subscription_id: str) -> SubscriptionCreated:
        """A new signing secret, effective for the next attempt (shown this once)."""
        require_administrator(principal)
        secret = new_secret()
        return SubscriptionCreated(subscription=self._store.update(subscription_id, secret=secret), secret=secret)

    def deliveries(self, principal: Principal, subscription_id: str, *, limit: int,
                   cursor: str | None) -> Page[DeliveryAttempt]:
        """The subscription's delivery log, newest attempt first."""
        require_settings_reader(principal)
        check_limit(limit)
        self._store.require(subscription_id)
        return self._store.attempts(subscription_id, limit=limit, cursor=cursor)

    def replay(self, principal: Principal, subscription_id: str, delivery_id: str) -> ReplayAccepted:
        """Deliver the event again (with retries, as the first time), whatever became of it before."""
        require_administrator(principal)
        self._store.require(subscription_id)
        delivery = self._store.get_delivery(subscription_id, delivery_id)
        if delivery is None:
            raise NotFound(f"delivery {delivery_id} of subscription {subscription_id} does not exist (or expired)",
                           field="delivery_id")
        request = DeliveryRequest(subscription_id=subscription_id, delivery_id=delivery_id,
                                  started_at=self._clock(), replay=True)
        # Each replay is its own message: two replays in a row deliver twice.
        self._publisher.send(EVENTS_QUEUE, [delivery_message(
            request, deduplication_id=f"{delivery_id}-replay-{uuid.uuid4().hex}")])
        return ReplayAccepted(subscription_id=subscription_id, delivery_id=delivery_id, event_id=delivery.event_id)
