"""The port of the integrators' event subscriptions and their delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chalicelib.domain.events import EventType
from chalicelib.domain.models import Page
from chalicelib.domain.subscription_models import DeliveryAttempt, EventSubscription, StoredDelivery


class Subscriptions(Protocol):
    def create(self, subscription: EventSubscription, secret: str) -> EventSubscription: ...

    def require(self, subscription_id: str) -> EventSubscription: ...

    def with_secret(self, subscription_id: str) -> tuple[EventSubscription, str] | None:
        """The subscription and its signing secret, for the worker that signs its deliveries."""

    def update(self, subscription_id: str, *, url: str | None = None, events: tuple[EventType, ...] | None = None,
               description: str | None = None, enabled: bool | None = None,
               secret: str | None = None) -> EventSubscription: ...

    def delete(self, subscription_id: str) -> None:
        """The subscription goes at once; its log expires with its TTL."""

    def current(self) -> tuple[EventSubscription, ...]:
        """Every subscription, as the publishers and the event worker read them for each event (cached; the deliveries
        re-read their subscription, so a deleted or disabled one still receives nothing)."""

    def wants(self, event_type: EventType) -> bool:
        """Whether an enabled subscription takes this type of event."""

    def list_subscriptions(self, *, limit: int, cursor: str | None) -> Page[EventSubscription]: ...

    def put_delivery(self, delivery: StoredDelivery) -> None:
        """Idempotent: a fan-out that runs again finds its delivery written (attempts counted) and leaves it as it
        is."""


    def get_delivery(self, subscription_id: str, delivery_id: str) -> StoredDelivery | None: ...

    def next_attempt(self, subscription_id: str, delivery_id: str, at: datetime) -> int:
        """Count one more attempt of a delivery (retries and replays alike) and return its number; the delivery's life
        is extended so that a replayed one stays replayable for the log's span."""

    def log_attempt(self, subscription_id: str, attempt: DeliveryAttempt) -> None: ...

    def attempts(self, subscription_id: str, *, limit: int, cursor: str | None) -> Page[DeliveryAttempt]: ...
