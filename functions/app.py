"""The Chalice app: registration only. The routes, the providers' webhooks and the queue
workers are blueprints in ``chalicelib.api`` (the shared/api/ package); registered without a
name prefix, so every Lambda function keeps its name, role and logical id.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from chalice import Chalice, ConvertToMiddleware  # type: ignore[attr-defined]
from chalicelib.api import (
    channel_accounts,
    customers,
    inbox,
    kit,
    openapi,
    public,
    push,
    replies,
    service_settings,
    subscriptions,
    teams,
    users,
    webhooks,
    workers,
)
from chalicelib.api.telemetry import SERVICE, logger, tracer
from chalicelib.core.settings import require_at_cold_start
from chalicelib.domain.export import CONTENT_TYPES

require_at_cold_start()

# Powertools' Logger owns the log output; Chalice's own handler on the same logger would repeat each line.
app = Chalice(app_name=SERVICE, configure_logs=False)
# Conversation exports are files: API Gateway passes these types through as binary.
app.api.binary_types.extend(sorted({CONTENT_TYPES["xlsx"], CONTENT_TYPES["pdf"]}))
app.register_middleware(ConvertToMiddleware(
    logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)), "http")
app.register_middleware(ConvertToMiddleware(tracer.capture_lambda_handler(capture_response=False)), "http")
app.register_middleware(kit.remember_request, "http")

# The WebSocket API that pushes changes to the agents' browsers (chalicelib/api/push.py).
app.experimental_feature_flags.update(["WEBSOCKETS"])
for area in (public, inbox, replies, customers, users, teams, channel_accounts, service_settings, subscriptions,
             openapi, webhooks, workers, push):
    app.register_blueprint(area.blueprint)


@app.lambda_function(name="webhook_intake")
def webhook_intake(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The providers' webhook routes as a function of their own (API Gateway sends them here; see
    infra/constructs/api.py): the same app and routes, with a role that can only verify and queue."""
    return app(event, context)
