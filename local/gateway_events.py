"""Proxy events shaped like an API Gateway REST API's, for the Chalice app in the local runtime.

Chalice's own local server builds a thinner event: ``requestContext.path`` without the stage, no
``stage``, ``domainName``, ``X-Forwarded-*`` headers or ``queryStringParameters``. Code that
rebuilds the URL the caller used (the Twilio signature, the webhook URLs shown to
administrators) then sees another URL locally than in AWS, and a bug of the kind "the stage
appears twice in the signed URL" stays hidden. This converter fills the event as API Gateway
does for a request to the API's own host: ``path`` and ``resource`` without the stage,
``requestContext.path`` with it (shared/core/api_gateway.py reads them).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from chalice.local import LambdaEventConverter, RouteMatcher

LOCAL_ACCOUNT_ID = "123456789012"
LOCAL_API_ID = "local"


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
