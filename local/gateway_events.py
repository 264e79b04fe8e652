"""Proxy events shaped like API Gateway's, for the Chalice apps in the local runtime: a REST API's
for the agents' API, an HTTP API's in payload format 1.0 for the providers' webhooks (in AWS they
have an HTTP API of their own, infra/constructs/webhook_api.py).

Chalice's own local server builds a thinner event: ``requestContext.path`` without the stage, no
``stage``, ``domainName``, ``X-Forwarded-*`` headers or ``queryStringParameters``. Code that
rebuilds the URL the caller used (the Twilio signature, the webhook URLs shown to
administrators) then sees another URL locally than in AWS, and a bug of the kind "the stage
appears twice in the signed URL" stays hidden. These converters fill the event as API Gateway
does for a request to the API's own host. A REST API: ``path`` and ``resource`` without the stage,
``requestContext.path`` with it. An HTTP API (1.0): ``"version": "1.0"``, ``path`` and
``requestContext.path`` both as called (the local runtime serves it under ``/api``, as a named
stage would be), ``resource`` the route, and the body base64-encoded unless its type is text, JSON,
XML or JavaScript, as HTTP APIs hand it over (a provider's form post arrives encoded).
shared/core/api_gateway.py reads them.
"""

from __future__ import annotations

import base64
import time
import uuid
from typing import Any

from chalice.local import LambdaEventConverter, RouteMatcher

LOCAL_ACCOUNT_ID = "123456789012"
LOCAL_API_ID = "local"
# What an HTTP API hands over as text; every other body (a form post too) arrives base64-encoded.
_HTTP_API_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript")


class ApiGatewayEventConverter(LambdaEventConverter):
    """``create_lambda_event`` of Chalice's local gateway, with the REST API proxy event's fields."""

    def __init__(self, route_matcher: RouteMatcher, binary_types: list[str], *, stage: str,
                 scheme: str = "http") -> None:
        super().__init__(route_matcher, binary_types)
        self._stage = stage
        self._scheme = scheme

    def create_lambda_event(self, method: str, path: str, headers: dict[str, str],
                            body: bytes | None = None) -> dict[str, Any]:
        event: dict[str, Any] = super().create_lambda_event(method, path, headers, body)
        route_path = path.split("?", 1)[0]
        host = headers.get("host") or headers.get("Host") or "127.0.0.1"
        port = host.rsplit(":", 1)[1] if ":" in host else ("443" if self._scheme == "https" else "80")
        event_headers: dict[str, str] = dict(event["headers"])
        event_headers.setdefault("x-forwarded-proto", self._scheme)
        event_headers.setdefault("x-forwarded-port", port)
        multi = event.get("multiValueQueryStringParameters")
        context = event["requestContext"]
        context.update({
            "path": f"/{self._stage}{route_path}", "stage": self._stage, "domainName": host.split(":", 1)[0],
            "domainPrefix": host.split(".", 1)[0].split(":", 1)[0], "apiId": LOCAL_API_ID,
            "accountId": LOCAL_ACCOUNT_ID, "requestId": str(uuid.uuid4()), "protocol": "HTTP/1.1",
            "requestTimeEpoch": int(time.time() * 1000), "resourceId": LOCAL_API_ID,
        })
        event.update({
            "resource": context["resourcePath"], "path": route_path, "httpMethod": method,
            "headers": event_headers,
            "multiValueHeaders": {name: [value] for name, value in event_headers.items()},
            # API Gateway gives the last value of a repeated parameter here, all in the multi-value map.
            "queryStringParameters": {name: values[-1] for name, values in multi.items()} if multi else None,
            "stageVariables": None,
        })
        event.setdefault("isBase64Encoded", False)
        return event


class HttpApiEventConverter(ApiGatewayEventConverter):
    """The same request as an HTTP API hands it to a Lambda integration in payload format 1.0."""

    def create_lambda_event(self, method: str, path: str, headers: dict[str, str],
                            body: bytes | None = None) -> dict[str, Any]:
        event = super().create_lambda_event(method, path, headers, body)
        context = event["requestContext"]
        # An HTTP API has no resource ids; its 1.0 path is the one the caller used.
        context["resourceId"] = None
        context["routeKey"] = f"{method} {context['resourcePath']}"
        event["version"] = "1.0"
        event["path"] = context["path"]
        content_type = str(event["headers"].get("content-type", "")).lower()
        if body is not None and not event["isBase64Encoded"] and not content_type.startswith(_HTTP_API_TEXT_TYPES):
            event["body"] = base64.b64encode(body).decode("ascii")
            event["isBase64Encoded"] = True
        return event
