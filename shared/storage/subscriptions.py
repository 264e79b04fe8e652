"""Event webhook subscriptions, their deliveries and the delivery log, in the single table.

=====================  ==================  ==========================================  ================
entity                 pk                  sk                                          collection_pk
=====================  ==================  ==========================================  ================
subscription           SUB#<id>            SUBSCRIPTION                                SUBSCRIPTIONS
delivery               SUB#<id>            DELIVERY#<delivery id>
delivery attempt       SUB#<id>            ATTEMPT#<time>#<delivery id>#<attempt>
=====================  ==================  ==========================================  ================

The list of subscriptions is one Query on the ``collection`` index (at most 50 items); the
publishers and the event worker read it through a per-container cache (storage/admin_cache.py),
which every write here drops in its own process. A delivery keeps the event's body for attempts and replays and
counts its attempts; the attempts are the log, newest first by one Query on the subscription's
partition. Deliveries and attempts expire (TTL) after ``LOG_DAYS``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.events import EventType
from chalicelib.domain.models import Page
from chalicelib.domain.paging import every_item
from chalicelib.domain.subscription_models import (
    DeliveryAttempt,
    DeliveryOutcome,
    EventSubscription,
    StoredDelivery,
)
from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DeleteError, PutError, QueryError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.pagination import ResultIterator

from . import keys
from .admin_cache import SUBSCRIPTIONS, SUBSCRIPTIONS_KEY
from .items import CollectionIndex, TableItem
from .repository import _decode_cursor, _encode_cursor

LOG_DAYS = 30


class SubscriptionItem(TableItem, discriminator="event_subscription"):
    subscription_id = UnicodeAttribute()
    url = UnicodeAttribute()
    events = ListAttribute[str](of=UnicodeAttribute, default=list)  # type: ignore[arg-type]
    description = UnicodeAttribute(null=True)
    enabled = BooleanAttribute(default=True)
    # The HMAC key of this subscription's deliveries; shown once, never returned by a read.
    secret = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    collection_pk = UnicodeAttribute()
    collection_sk = UnicodeAttribute()
    collection = CollectionIndex()


class DeliveryItem(TableItem, discriminator="event_delivery"):
    delivery_id = UnicodeAttribute()
    subscription_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    body = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    attempts = NumberAttribute(default=0)
    expires_at = NumberAttribute()


class DeliveryAttemptItem(TableItem, discriminator="event_delivery_attempt"):
    delivery_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    attempt = NumberAttribute()
    status_code = NumberAttribute(null=True)
    outcome = UnicodeAttribute()
    error = UnicodeAttribute(null=True)
    at = UTCDateTimeAttribute()
    replay = BooleanAttribute(default=False)
    expires_at = NumberAttribute()


def _to_subscription(item: SubscriptionItem) -> EventSubscription:
    return EventSubscription(id=item.subscription_id, url=item.url, events=tuple(EventType(e) for e in item.events),
                             description=item.description, enabled=item.enabled, created_at=item.created_at)


def _to_attempt(item: DeliveryAttemptItem) -> DeliveryAttempt:
    return DeliveryAttempt(delivery_id=item.delivery_id, event_id=item.event_id, event_type=EventType(item.event_type),
                           attempt=int(item.attempt),
                           status_code=None if item.status_code is None else int(item.status_code),
                           outcome=DeliveryOutcome(item.outcome), error=item.error, at=item.at, replay=item.replay)


def _expiry(at: datetime) -> int:
    return int((at + timedelta(days=LOG_DAYS)).timestamp())


def _missing(subscription_id: str) -> NotFound:
    return NotFound(f"event subscription {subscription_id} does not exist", field="subscription_id")


class SubscriptionStore:
    # --- subscriptions ----------------------------------------------------------------------

    def create(self, subscription: EventSubscription, secret: str) -> EventSubscription:
        SubscriptionItem(
            keys.subscription_pk(subscription.id), keys.SUBSCRIPTION_SK, subscription_id=subscription.id,
            url=subscription.url, events=[e.value for e in subscription.events], description=subscription.description,
            enabled=subscription.enabled, secret=secret, created_at=subscription.created_at,
            collection_pk=keys.SUBSCRIPTIONS_COLLECTION,
            collection_sk=f"{keys.time_key(subscription.created_at)}#{subscription.id}",
        ).save(condition=SubscriptionItem.pk.does_not_exist())
        SUBSCRIPTIONS.invalidate()
        return subscription

    def _item(self, subscription_id: str) -> SubscriptionItem:
        try:
            return SubscriptionItem.get(keys.subscription_pk(subscription_id), keys.SUBSCRIPTION_SK)
        except SubscriptionItem.DoesNotExist as error:
            raise _missing(subscription_id) from error

    def require(self, subscription_id: str) -> EventSubscription:
        return _to_subscription(self._item(subscription_id))

    def with_secret(self, subscription_id: str) -> tuple[EventSubscription, str] | None:
        """The subscription and its signing secret, for the worker that signs its deliveries."""
        try:
            item = self._item(subscription_id)
        except NotFound:
            return None
        return _to_subscription(item), item.secret

    def update(self, subscription_id: str, *, url: str | None = None, events: tuple[EventType, ...] | None = None,
               description: str | None = None, enabled: bool | None = None,
               secret: str | None = None) -> EventSubscription:
        actions: list[Action] = []
        if url is not None:
            actions.append(SubscriptionItem.url.set(url))
        if events is not None:
            actions.append(SubscriptionItem.events.set([e.value for e in events]))
        if description is not None:
            actions.append(SubscriptionItem.description.set(description))
        if enabled is not None:
            actions.append(SubscriptionItem.enabled.set(enabled))
        if secret is not None:
            actions.append(SubscriptionItem.secret.set(secret))
        if not actions:
            return self.require(subscription_id)
        item = SubscriptionItem(keys.subscription_pk(subscription_id), keys.SUBSCRIPTION_SK)
        try:
            item.update(actions=actions, condition=SubscriptionItem.pk.exists())
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise _missing(subscription_id) from error
            raise
        finally:
            SUBSCRIPTIONS.invalidate()
        return _to_subscription(item)

    def delete(self, subscription_id: str) -> None:
        """The subscription goes at once; its log expires with its TTL."""
        try:
            SubscriptionItem(keys.subscription_pk(subscription_id), keys.SUBSCRIPTION_SK).delete(
                condition=SubscriptionItem.pk.exists())
        except DeleteError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise _missing(subscription_id) from error
            raise
        finally:
            SUBSCRIPTIONS.invalidate()

    def current(self) -> tuple[EventSubscription, ...]:
        """Every subscription, as the publishers and the event worker read them for each event
        (cached; the deliveries re-read their subscription, so a deleted or disabled one still
        receives nothing)."""
        return SUBSCRIPTIONS.get(SUBSCRIPTIONS_KEY, lambda: tuple(every_item(
            lambda cursor: self.list_subscriptions(limit=100, cursor=cursor))))

    def wants(self, event_type: EventType) -> bool:
        """Whether an enabled subscription takes this type of event."""
        return any(subscription.enabled and event_type in subscription.events for subscription in self.current())

    def list_subscriptions(self, *, limit: int, cursor: str | None) -> Page[EventSubscription]:
        results: ResultIterator[TableItem] = SubscriptionItem.collection.query(
            keys.SUBSCRIPTIONS_COLLECTION, limit=limit, last_evaluated_key=_decode_cursor(cursor))
        items = [_to_subscription(item) for item in results if isinstance(item, SubscriptionItem)]
        return Page[EventSubscription](items=items, next_cursor=_encode_cursor(results.last_evaluated_key))

    # --- deliveries and their log -------------------------------------------------------------

    def put_delivery(self, delivery: StoredDelivery) -> None:
        """Idempotent: a fan-out that runs again finds its delivery written (attempts counted) and
        leaves it as it is."""
        item = DeliveryItem(
            keys.subscription_pk(delivery.subscription_id), keys.delivery_sk(delivery.delivery_id),
            delivery_id=delivery.delivery_id, subscription_id=delivery.subscription_id, event_id=delivery.event_id,
            event_type=delivery.event_type.value, body=delivery.body, created_at=delivery.created_at, attempts=0,
            expires_at=_expiry(delivery.created_at))
        try:
            item.save(condition=DeliveryItem.pk.does_not_exist())
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise

    def get_delivery(self, subscription_id: str, delivery_id: str) -> StoredDelivery | None:
        try:
            item = DeliveryItem.get(keys.subscription_pk(subscription_id), keys.delivery_sk(delivery_id))
        except DeliveryItem.DoesNotExist:
            return None
        return StoredDelivery(subscription_id=item.subscription_id, delivery_id=item.delivery_id,
                              event_id=item.event_id, event_type=EventType(item.event_type), body=item.body,
                              created_at=item.created_at)

    def next_attempt(self, subscription_id: str, delivery_id: str, at: datetime) -> int:
        """Count one more attempt of a delivery (retries and replays alike) and return its number;
        the delivery's life is extended so that a replayed one stays replayable for the log's span."""
        item = DeliveryItem(keys.subscription_pk(subscription_id), keys.delivery_sk(delivery_id))
        item.update(actions=[DeliveryItem.attempts.add(1), DeliveryItem.expires_at.set(_expiry(at))],
                    condition=DeliveryItem.pk.exists())
        return int(item.attempts)

    def log_attempt(self, subscription_id: str, attempt: DeliveryAttempt) -> None:
        DeliveryAttemptItem(
            keys.subscription_pk(subscription_id), keys.attempt_sk(attempt.at, attempt.delivery_id, attempt.attempt),
            delivery_id=attempt.delivery_id, event_id=attempt.event_id, event_type=attempt.event_type.value,
            attempt=attempt.attempt, status_code=attempt.status_code, outcome=attempt.outcome.value,
            error=attempt.error, at=attempt.at, replay=attempt.replay, expires_at=_expiry(attempt.at),
        ).save()

    def attempts(self, subscription_id: str, *, limit: int, cursor: str | None) -> Page[DeliveryAttempt]:
        results: ResultIterator[TableItem] = TableItem.query(
            keys.subscription_pk(subscription_id), TableItem.sk.startswith(keys.ATTEMPT_PREFIX),
            scan_index_forward=False, limit=limit, last_evaluated_key=_decode_cursor(cursor))
        try:
            items = [_to_attempt(item) for item in results if isinstance(item, DeliveryAttemptItem)]
        except QueryError as error:
            raise InvalidInput("cursor does not belong to this subscription's log", field="cursor") from error
        return Page[DeliveryAttempt](items=items, next_cursor=_encode_cursor(results.last_evaluated_key))
