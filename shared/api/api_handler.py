"""The API function: the agents' REST API (every route, and the push blueprint's WebSocket handlers
beside its two GET routes) in an app of its own.

Its handler is ``chalicelib.api.api_handler.app`` (``resources.API_FUNCTION_HANDLER``, set by the stack in
infra/constructs/api.py over the ``app.app`` Chalice's packaging writes), not ``functions/app.py``:
that module registers every function so that ``chalice package`` finds them all, and importing it
would load every worker's handler module, Powertools' batch utility and the webhook intake with
them. The local runtime serves this same app (local/runtime.py). The WebSocket routes' functions are
Chalice's own, with the handlers' module for handler (``chalicelib.api.push.push_connect``, ...):
they import ``push.py``, not this module.
"""

from __future__ import annotations

from chalicelib.api import (
    channel_accounts,
    customers,
    inbox,
    openapi,
    public,
    push,
    replies,
    service_settings,
    subscriptions,
    teams,
    users,
)
from chalicelib.api.cold_start import loaded
from chalicelib.api.http_app import http_app
from chalicelib.core.settings import require_at_cold_start

require_at_cold_start()

# The areas whose routes the REST API serves; functions/app.py registers the same ones for packaging.
AREAS = (public, inbox, replies, customers, users, teams, channel_accounts, service_settings, subscriptions, openapi,
         push)
app = http_app(*AREAS)

loaded(__name__)  # last: the handler's module is loaded (cold_start.py)
