"""Push to the agents' browsers: the WebSocket API's handlers, as a blueprint (the push worker,
which posts the notices, is ``push_worker.py``).

Chalice's WebSocket support builds the API Gateway WebSocket API from these handlers (``chalice
package``, inside the CDK stack), and the local runtime serves the same handlers with the same
event shapes (``local/push.py``): one definition for both. Handlers are transport only.
"""

from __future__ import annotations

import json
from typing import Any

from chalice import Response  # type: ignore[attr-defined]
from chalice.app import WebsocketAPI, WebsocketEvent
from chalicelib import wiring
from chalicelib.api.cold_start import loaded
from chalicelib.api.kit import ANYONE, RouteBlueprint, json_answer
from chalicelib.api.telemetry import logger
from chalicelib.core.model_base import Model
from chalicelib.core.settings import get_settings
from chalicelib.domain import errors
from chalicelib.domain.counts import TabCountsOut
from chalicelib.domain.identity import Principal
from chalicelib.domain.push import PROTOCOL

blueprint = RouteBlueprint(__name__)
# Chalice wraps WebSocket handlers into its Lambda event handler only when the decorating object has a
# WebsocketAPI; a blueprint has none of its own, so it gets one (the handlers never send through it).
blueprint.websocket_api = WebsocketAPI()


class PushEndpointOut(Model):
    """The WebSocket URL and the subprotocol to offer (with the ID token as the second one)."""

    url: str
    protocol: str


def _refused(error: errors.DomainError) -> Response:
    """A refused ``$connect``: API Gateway answers the handshake with this status, and no connection exists."""
    status = 401 if isinstance(error, errors.Unauthenticated) else 403 if isinstance(error, errors.Forbidden) else 400
    return Response(body=json.dumps({"error": {"code": error.code, "message": error.message}}), status_code=status,
                    headers={"Content-Type": "application/json"})


def _raw(event: WebsocketEvent) -> dict[str, Any]:
    raw: dict[str, Any] = event.to_dict()
    return raw


@blueprint.on_ws_connect(name="push_connect")
def push_connect(event: WebsocketEvent) -> Response:
    raw = _raw(event)
    headers = {name.lower(): value for name, value in (raw.get("headers") or {}).items()}
    query = raw.get("queryStringParameters") or {}
    try:
        principal = wiring.push_connections().connect(event.connection_id, headers.get("sec-websocket-protocol"),
                                                      query.get("team"))
    except errors.DomainError as error:
        logger.info("push connection refused", extra={"reason": error.message})
        return _refused(error)
    logger.info("push connected", extra={"user_id": principal.id, "team_id": principal.team_id})
    # The browser offered our protocol and the token; the handshake must name the one accepted.
    return Response(body="", status_code=200, headers={"Sec-WebSocket-Protocol": PROTOCOL})


@blueprint.on_ws_message(name="push_message")
def push_message(event: WebsocketEvent) -> Response:
    try:
        wiring.push_connections().message(event.connection_id, _raw(event).get("body"))
    except errors.DomainError as error:
        logger.info("push message refused", extra={"reason": error.message})
        return _refused(error)
    return Response(body="", status_code=200)


@blueprint.on_ws_disconnect(name="push_disconnect")
def push_disconnect(event: WebsocketEvent) -> Response:
    wiring.push_connections().disconnect(event.connection_id)
    return Response(body="", status_code=200)


@blueprint.documented("/push", "GET", "Where the web app opens its WebSocket for pushed changes", access=ANYONE,
                      response=PushEndpointOut)
def push_endpoint(principal: Principal) -> Response:
    return json_answer(PushEndpointOut(url=get_settings().push_url, protocol=PROTOCOL))


@blueprint.documented("/team/inbox-counts", "GET", "How many conversations each inbox tab holds (New, Assigned "
                      "to me, Assigned, All), exact up to limit", access=ANYONE, response=TabCountsOut)
def inbox_counts(principal: Principal) -> Response:
    return json_answer(wiring.inbox_counts().of(principal))

loaded(__name__)  # last: the handler's module is loaded (cold_start.py)
