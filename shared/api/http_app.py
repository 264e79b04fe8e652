"""The Chalice app an HTTP function runs: our middleware around the blueprints it serves. The API
function's app (``functions/app.py``) and the webhook intake's (``webhook_intake.py``) are both
made here, so both log, trace and resolve the request the same way."""

from __future__ import annotations

from types import ModuleType

from aws_lambda_powertools.logging import correlation_paths
from chalice import Chalice, ConvertToMiddleware  # type: ignore[attr-defined]
from chalicelib.api import kit
from chalicelib.api.telemetry import SERVICE, logger, tracer


def http_app(*areas: ModuleType) -> Chalice:
    """An app with the HTTP middleware and each area's ``blueprint`` registered."""
    # Powertools' Logger owns the log output; Chalice's own handler on the same logger would repeat each line.
    app = Chalice(app_name=SERVICE, configure_logs=False)
    app.register_middleware(ConvertToMiddleware(
        logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)), "http")
    app.register_middleware(ConvertToMiddleware(tracer.capture_lambda_handler(capture_response=False)), "http")
    app.register_middleware(kit.remember_request, "http")
    for area in areas:
        app.register_blueprint(area.blueprint)
    return app
