"""Event webhooks for integrators (docs/event-webhooks.md): subscriptions and their delivery log."""

from __future__ import annotations

from chalice import Response  # type: ignore[attr-defined]
from chalicelib import wiring
from chalicelib.api.kit import (
    ADMIN,
    READERS,
    RouteBlueprint,
    json_answer,
    no_content,
    page_answer,
    page_query,
    parse_body,
)
from chalicelib.api.schemas.paging import PageQuery
from chalicelib.api.schemas.subscriptions import (
    DeliveryAttemptPage,
    SubscriptionInput,
    SubscriptionPage,
    SubscriptionPatch,
)
from chalicelib.domain.identity import Principal
from chalicelib.domain.subscription_models import EventSubscription, ReplayAccepted, SubscriptionCreated

blueprint = RouteBlueprint(__name__)
documented = blueprint.documented


@documented("/event-subscriptions", "GET", "List event webhook subscriptions", access=READERS, query=PageQuery,
            response=SubscriptionPage)
def list_event_subscriptions(principal: Principal) -> Response:
    query = page_query()
    page = wiring.subscriptions_admin().list_subscriptions(principal, limit=query.limit, cursor=query.cursor)
    return page_answer(SubscriptionPage, page)


@documented("/event-subscriptions", "POST", "Subscribe a URL to events; the answer shows its signing secret, "
            "this once", access=ADMIN, body=SubscriptionInput, response=SubscriptionCreated, status=201)
def add_event_subscription(principal: Principal) -> Response:
    body = parse_body(SubscriptionInput)
    created = wiring.subscriptions_admin().create(principal, url=body.url, events=body.events,
                                                  description=body.description)
    return json_answer(created, status=201)


@documented("/event-subscriptions/{subscription_id}", "GET", "One event subscription (never its secret)",
            access=READERS, response=EventSubscription)
def get_event_subscription(principal: Principal, subscription_id: str) -> Response:
    return json_answer(wiring.subscriptions_admin().get(principal, subscription_id))


@documented("/event-subscriptions/{subscription_id}", "PATCH", "Change the URL or the events, or pause "
            "(enabled: false)", access=ADMIN, body=SubscriptionPatch, response=EventSubscription)
def patch_event_subscription(principal: Principal, subscription_id: str) -> Response:
    body = parse_body(SubscriptionPatch)
    return json_answer(wiring.subscriptions_admin().update(principal, subscription_id, url=body.url,
                                                           events=body.events, description=body.description,
                                                           enabled=body.enabled))


@documented("/event-subscriptions/{subscription_id}", "DELETE", "Delete an event subscription", access=ADMIN,
            status=204)
def delete_event_subscription(principal: Principal, subscription_id: str) -> Response:
    wiring.subscriptions_admin().delete(principal, subscription_id)
    return no_content()


@documented("/event-subscriptions/{subscription_id}/secret", "POST", "Rotate the signing secret; the answer "
            "shows the new one, this once", access=ADMIN, response=SubscriptionCreated)
def rotate_event_subscription_secret(principal: Principal, subscription_id: str) -> Response:
    return json_answer(wiring.subscriptions_admin().rotate_secret(principal, subscription_id))


@documented("/event-subscriptions/{subscription_id}/deliveries", "GET", "The delivery log: every attempt, "
            "newest first", access=READERS, query=PageQuery, response=DeliveryAttemptPage)
def list_event_deliveries(principal: Principal, subscription_id: str) -> Response:
    query = page_query()
    page = wiring.subscriptions_admin().deliveries(principal, subscription_id, limit=query.limit,
                                                   cursor=query.cursor)
    return page_answer(DeliveryAttemptPage, page)


@documented("/event-subscriptions/{subscription_id}/deliveries/{delivery_id}/replay", "POST", "Deliver an "
            "event again (retried on failure, as the first time)", access=ADMIN, response=ReplayAccepted,
            status=202)
def replay_event_delivery(principal: Principal, subscription_id: str, delivery_id: str) -> Response:
    return json_answer(wiring.subscriptions_admin().replay(principal, subscription_id, delivery_id), status=202)
