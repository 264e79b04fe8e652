"""The webhook intake function: the providers' webhook routes in an app of their own.

The webhooks' HTTP API (infra/constructs/webhook_api.py, payload format 1.0: the REST proxy
event's shape, which Chalice routes by ``requestContext.resourcePath``) invokes this function,
whose role can only verify and queue. Its handler lives here, not in ``functions/app.py``, so that
its cold start imports the webhook routes and the intake use case, not every route of the agents'
API; and the routes are registered only into this app, so the agents' REST API has none of them."""

from __future__ import annotations

from functools import cache
from typing import Any

from chalice import Chalice  # type: ignore[attr-defined]
from chalice.app import Blueprint
from chalicelib.api import webhooks
from chalicelib.api.cold_start import loaded
from chalicelib.api.http_app import http_app
from chalicelib.core.settings import require_at_cold_start

require_at_cold_start()

# Registered into the API's app only to declare the function (its name, role and logical id).
blueprint = Blueprint(__name__)


@cache
def intake_app() -> Chalice:
    """The app of the webhook routes alone (the local runtime serves it as the webhooks' HTTP API)."""
    return http_app(webhooks)


@blueprint.lambda_function(name="webhook_intake")
def webhook_intake(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A webhook route's proxy event (HTTP API, payload 1.0), answered by the webhook routes alone."""
    answer: dict[str, Any] = intake_app()(event, context)
    return answer

loaded(__name__)  # last: the handler's module is loaded (cold_start.py)
