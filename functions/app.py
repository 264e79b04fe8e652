"""The Chalice app that ``chalice package`` reads: registration only. The routes, the webhook intake
and the queue workers are blueprints in ``chalicelib.api`` (the shared/api/ package); registered
without a name prefix, so every Lambda function keeps its name, role and logical id.

Lambda imports no function's handler from here. The API function's is the app of the agents' routes
in ``chalicelib.api.api_handler`` (the stack overrides the ``app.app`` handler Chalice writes, so the
API's cold start loads no worker); each worker's handler lives in ``chalicelib.api.workers``, the push
worker's in ``chalicelib.api.push_worker``, the webhook intake's in ``chalicelib.api.webhook_intake``,
the WebSocket routes' in ``chalicelib.api.push``. The webhook routes are not registered here:
Chalice would put them on the agents' REST API, and they have an HTTP API of their own
(infra/constructs/webhook_api.py) in front of the intake function.
"""

from __future__ import annotations

from chalicelib.api import api_handler, push_worker, webhook_intake, workers
from chalicelib.api.http_app import http_app

# The API function's routes (the REST API Chalice generates) and every other function.
app = http_app(*api_handler.AREAS, workers, push_worker, webhook_intake)
# The WebSocket API that pushes changes to the agents' browsers (chalicelib/api/push.py).
app.experimental_feature_flags.update(["WEBSOCKETS"])
