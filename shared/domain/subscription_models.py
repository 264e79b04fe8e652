"""Event webhook subscriptions and their delivery log, as the use cases and the API see them
(the API's request bodies and pages: ``api/schemas/subscriptions.py``)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from .events import EventType
from .models import Frozen

URL_PATTERN = r"^https?://[^\s/?#]+"


class EventSubscription(Frozen):
    """An integrator's URL and the events it receives there. Its signing secret is never shown
    again after creation (or rotation)."""

    id: str
    url: str
    events: tuple[EventType, ...]
    description: str | None = None
    enabled: bool = True
    created_at: datetime


class DeliveryOutcome(StrEnum):
    DELIVERED = "delivered"
    RETRYING = "retrying"  # failed; the delayed-retry machine will try again
    FAILED = "failed"  # refused (a 4xx), or failing past the retry horizon: replay it when fixed


class DeliveryAttempt(Frozen):
    """One POST of one event to one subscription: a line of the delivery log."""

    delivery_id: str
    event_id: str
    event_type: EventType
    attempt: int
    status_code: int | None
    outcome: DeliveryOutcome
    error: str | None = None
    at: datetime
    replay: bool = False


class StoredDelivery(Frozen):
    """One event for one subscription: what every attempt and replay posts."""

    subscription_id: str
    delivery_id: str
    event_id: str
    event_type: EventType
    body: str
    created_at: datetime


# --- what the use cases answer (the API shows them as they are) ------------------------------


class SubscriptionCreated(Frozen):
    """The answer to a creation or a secret rotation: the only time the secret is shown."""

    subscription: EventSubscription
    secret: str


class ReplayAccepted(Frozen):
    subscription_id: str
    delivery_id: str
    event_id: str
