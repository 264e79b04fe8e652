"""The URL a caller used, read from an API Gateway proxy event: a REST API's, or an HTTP API's
in payload format 1.0 (the providers' webhooks, infra/constructs/webhook_api.py).

In a REST API, ``path`` and ``resource`` are the route as the function sees it, while
``requestContext.path`` is the path the caller used: with the stage first on the API's own
``execute-api`` host (``/api/webhooks/...``), with the base path mapping and no stage behind a
custom domain (``/contact/webhooks/...``, or just ``/webhooks/...`` for an empty base path).
An HTTP API's 1.0 event says ``"version": "1.0"`` and its top-level ``path`` is the path the
caller used: nothing before the route on the ``$default`` stage, the stage's name for a named
stage, the API mapping's key behind a custom domain (AWS documents ``path``, not
``requestContext.path``, as the one that carries the mapping). ``requestContext.stage`` is
``$default`` on the default stage. Both name the route in ``requestContext.resourcePath``.
The ``Host`` header (``requestContext.domainName`` as a fallback) is the host the caller used, and
API Gateway adds ``X-Forwarded-Proto`` and ``X-Forwarded-Port``. Signatures over the URL
(Twilio's) are checked against this URL, and the webhook URLs the administrators are shown are
derived from it when no public API URL is configured.

A REST API hands the function the query decoded (``multiValueQueryStringParameters``), never
as it was written, so the query is written back in the RFC 3986 form (``%20`` for a space); the
Twilio adapter also tries the other common writings (``+``, reserved characters left as they
are). A key repeated with other keys between its values comes back grouped (``a=1&a=3&b=2``):
API Gateway keeps no more than that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

_DEFAULT_PORTS = {"https": "443", "http": "80"}


def _headers(event: Mapping[str, Any]) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in (event.get("headers") or {}).items()}


def query_items(event: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every query parameter with each of its values, in the order API Gateway lists them."""
    multi = event.get("multiValueQueryStringParameters")
    if multi:
        return [(str(name), str(value)) for name, values in multi.items() for value in (values or [])]
    single = event.get("queryStringParameters") or {}
    return [(str(name), str(value)) for name, value in single.items()]


def encode_query(items: Sequence[tuple[str, str]], *, plus_spaces: bool = False, safe: str = "") -> str:
    """``name=value&...`` with everything but RFC 3986's unreserved characters (and ``safe``)
    percent-encoded; spaces as ``+`` when ``plus_spaces`` (HTML form encoding)."""
    def encode(text: str) -> str:
        if plus_spaces:
            return "+".join(quote(part, safe=safe) for part in text.split(" "))
        return quote(text, safe=safe)

    return "&".join(f"{encode(name)}={encode(value)}" for name, value in items)


def origin(event: Mapping[str, Any]) -> str:
    """``scheme://host[:port]`` the caller used (the port only when it is not the scheme's own)."""
    headers = _headers(event)
    context = event.get("requestContext") or {}
    scheme = headers.get("x-forwarded-proto", "https").split(",")[0].strip().lower() or "https"
    host = headers.get("host") or str(context.get("domainName") or "")
    port = headers.get("x-forwarded-port", "").split(",")[0].strip()
    if port and ":" not in host and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    return f"{scheme}://{host}"


HTTP_API_PAYLOAD_VERSION = "1.0"


def is_http_api(event: Mapping[str, Any]) -> bool:
    """An HTTP API's event in payload format 1.0 (a REST API's event has no ``version``)."""
    return event.get("version") == HTTP_API_PAYLOAD_VERSION


def called_path(event: Mapping[str, Any]) -> str:
    """The path the caller used: an HTTP API's ``path``, a REST API's ``requestContext.path``
    (each with the stage or base path the caller put before the route)."""
    context = event.get("requestContext") or {}
    if is_http_api(event):
        return str(event.get("path") or context.get("path") or "/")
    return str(context.get("path") or event.get("path") or "/")


def called_url(event: Mapping[str, Any]) -> str:
    """The full URL the caller used, the query written back in the RFC 3986 form."""
    items = query_items(event)
    return origin(event) + called_path(event) + (f"?{encode_query(items)}" if items else "")


def api_base_url(event: Mapping[str, Any]) -> str:
    """The URL the API is served at as this caller reached it: the origin and whatever comes
    before the route in the called path (the stage on execute-api, the base path on a custom
    domain). ``<base>/webhooks/<channel>/<account>`` is then a webhook URL that works now, before
    anyone has configured a public API URL."""
    context = event.get("requestContext") or {}
    route = str(context.get("resourcePath") or event.get("resource") or "")
    for name, value in (event.get("pathParameters") or {}).items():
        route = route.replace("{" + str(name) + "}", str(value))
    path = called_path(event)
    if route and path.endswith(route):
        prefix = path[: len(path) - len(route)]
    else:
        stage = str(context.get("stage") or "")
        # An HTTP API's $default stage is served at the root: it never appears in the path.
        prefix = f"/{stage}" if stage and stage != "$default" and path.startswith(f"/{stage}/") else ""
    return origin(event) + prefix.rstrip("/")
