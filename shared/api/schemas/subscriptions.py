"""The event subscriptions API's request and answer bodies (docs/event-webhooks.md)."""

from __future__ import annotations

from chalicelib.core.model_base import Model
from chalicelib.domain.events import EventType
from chalicelib.domain.models import Frozen
from chalicelib.domain.subscription_models import URL_PATTERN, DeliveryAttempt, EventSubscription
from pydantic import ConfigDict, Field


class _Input(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SubscriptionInput(_Input):
    url: str = Field(pattern=URL_PATTERN, max_length=2048)
    events: list[EventType] = Field(min_length=1, max_length=len(EventType))
    description: str | None = Field(default=None, max_length=200)


class SubscriptionPatch(_Input):
    url: str | None = Field(default=None, pattern=URL_PATTERN, max_length=2048)
    events: list[EventType] | None = Field(default=None, min_length=1, max_length=len(EventType))
    description: str | None = Field(default=None, max_length=200)
    enabled: bool | None = None


class SubscriptionPage(Frozen):
    items: list[EventSubscription]
    next_cursor: str | None


class DeliveryAttemptPage(Frozen):
    """Newest first."""

    items: list[DeliveryAttempt]
    next_cursor: str | None
