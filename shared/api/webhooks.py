"""The providers' webhooks: a subscription handshake (GET) and deliveries (POST), each verified
by the channel's signature scheme and queued for the routing worker."""

from __future__ import annotations

from typing import cast
from urllib.parse import urlencode

from chalice import Response  # type: ignore[attr-defined]
from chalicelib import wiring
from chalicelib.api.kit import RouteBlueprint, request
from chalicelib.api.telemetry import logger
from chalicelib.channels import webhook_reply
from chalicelib.channels.base import WebhookRequest
from chalicelib.core.settings import get_settings

blueprint = RouteBlueprint(__name__)


def _webhook_request() -> WebhookRequest:
    current = request()
    query = dict(current.query_params or {})
    base = get_settings().public_api_url + current.context.get("path", "")
    return WebhookRequest(
        method=current.method, url=base + (f"?{urlencode(query)}" if query else ""),
        headers={key.lower(): value for key, value in current.headers.items()},
        # Chalice types raw_body as str | bytes, but it always holds bytes.
        query=query, body=cast(bytes, current.raw_body) or b"",
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
