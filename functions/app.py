"""The Chalice app: registration only. The routes, the webhook intake and the queue
workers are blueprints in ``chalicelib.api`` (the shared/api/ package); registered without a
name prefix, so every Lambda function keeps its name, role and logical id.

Lambda imports this module for the API function only: each worker's handler lives in
``chalicelib.api.workers``, the push worker's in ``chalicelib.api.push_worker``, the webhook intake's in
``chalicelib.api.webhook_intake``. The webhook routes are not registered here: Chalice would put
them on the agents' REST API, and they have an HTTP API of their own
(infra/constructs/webhook_api.py) in front of the intake function.
"""

from __future__ import annotations

from chalicelib.api import (
    channel_accounts,
    customers,
    inbox,
    openapi,
    public,
    push,
    push_worker,
    replies,
    service_settings,
    subscriptions,
    teams,
    users,
    webhook_intake,
    workers,
)
from chalicelib.api.http_app import http_app
from chalicelib.core.settings import require_at_cold_start

require_at_cold_start()

app = http_app(public, inbox, replies, customers, users, teams, channel_accounts, service_settings, subscriptions,
               openapi, workers, push, push_worker, webhook_intake)
# The WebSocket API that pushes changes to the agents' browsers (chalicelib/api/push.py).
app.experimental_feature_flags.update(["WEBSOCKETS"])
