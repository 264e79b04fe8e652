"""The providers' webhooks: a subscription handshake (GET) and deliveries (POST), each verified
by the channel's signature scheme and queued for the routing worker."""

from __future__ import annotations

from typing import cast

from chalice import Response  # type: ignore[attr-defined]
from chalicelib import wiring
from chalicelib.api.kit import RouteBlueprint, request
from chalicelib.api.telemetry import logger
from chalicelib.channels import webhook_reply
from chalicelib.channels.base import WebhookRequest
from chalicelib.core import api_gateway

blueprint = RouteBlueprint(__name__)


def _webhook_request() -> WebhookRequest:
    # Signatures over the URL are checked against the URL the provider called, as API Gateway
    # reports it (chalicelib/core/api_gateway.py).
    current = request()
    event = current.to_original_event()
    return WebhookRequest(
        method=current.method, url=api_gateway.called_url(event),
        headers={key.lower(): value for key, value in current.headers.items()},
        # Chalice types raw_body as str | bytes, but it always holds bytes.
        query=dict(current.query_params or {}), body=cast(bytes, current.raw_body) or b"",
        query_items=tuple(api_gateway.query_items(event)),
    )


@blueprint.undocumented("/webhooks/{channel}/{account}", "GET")
def webhook_handshake(channel: str, account: str) -> Response:
    challenge = wiring.intake().handshake(channel, account, _webhook_request())
    return Response(body=challenge, status_code=200, headers={"Content-Type": "text/plain"})


@blueprint.undocumented("/webhooks/{channel}/{account}", "POST",
                        content_types=["application/json", "application/x-www-form-urlencoded", "text/plain"])
def webhook(channel: str, account: str) -> Response:
    queued = wiring.intake().receive(channel, account, _webhook_request())
    logger.info("webhook queued events", extra={"channel": channel, "account": account, "queued": queued})
    reply = webhook_reply(channel)
    if reply is not None:
        return Response(body=reply.body, status_code=200, headers={"Content-Type": reply.content_type})
    return Response(body={"queued": queued}, status_code=200, headers={"Content-Type": "application/json"})
