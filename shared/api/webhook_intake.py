"""The webhook intake function: the providers' webhook routes in an app of their own.

API Gateway sends the webhook methods to this function (infra/constructs/api.py), whose role can
only verify and queue. Its handler lives here, not in ``functions/app.py``, so that its cold start
imports the webhook routes and the intake use case, not every route of the agents' API."""

from __future__ import annotations

from functools import cache
from typing import Any

from chalice import Chalice  # type: ignore[attr-defined]
from chalice.app import Blueprint
from chalicelib.api import webhooks
from chalicelib.api.http_app import http_app
from chalicelib.core.settings import require_at_cold_start

require_at_cold_start()

# Registered into the API's app only to declare the function (its name, role and logical id).
blueprint = Blueprint(__name__)


@cache
def _intake_app() -> Chalice:
    return http_app(webhooks)


@blueprint.lambda_function(name="webhook_intake")
def webhook_intake(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A webhook route's API Gateway proxy event, answered by the webhook routes alone."""
    answer: dict[str, Any] = _intake_app()(event, context)
    return answer
