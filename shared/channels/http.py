"""The one HTTP client the adapters use to call providers' send APIs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import urllib3

from .base import SendFailed

CONNECT_TIMEOUT_SECONDS = 3.0
READ_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class ProviderResponse:
    status: int
    body: Any


@lru_cache(maxsize=1)
def _pool() -> urllib3.PoolManager:
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT_SECONDS, read=READ_TIMEOUT_SECONDS),
        retries=False,
    )


def _call(method: str, url: str, headers: dict[str, str], body: bytes | None = None,
          timeout: urllib3.Timeout | None = None) -> ProviderResponse:
    """One provider call; network failures and timeouts become transient SendFailed errors, and
    an answer that is not JSON reads as ``None``."""
    try:
        if timeout is None:
            response = _pool().request(method, url, body=body, headers=headers)
        else:
            response = _pool().request(method, url, body=body, headers=headers, timeout=timeout)
    except urllib3.exceptions.HTTPError as error:
        raise SendFailed("network", f"provider unreachable: {type(error).__name__}", permanent=False) from error
    try:
        parsed = json.loads(response.data) if response.data else None
    except ValueError:
        parsed = None
    return ProviderResponse(status=response.status, body=parsed)


def post_json(url: str, payload: dict[str, Any], headers: dict[str, str]) -> ProviderResponse:
    """POST JSON and read a JSON answer."""
    return _call("POST", url, {"Content-Type": "application/json", **headers}, json.dumps(payload).encode())


def post_form(url: str, fields: Sequence[tuple[str, str]], headers: dict[str, str]) -> ProviderResponse:
    """POST an ``application/x-www-form-urlencoded`` form (a name may repeat, as Twilio's
    ``MediaUrl`` does) and read a JSON answer."""
    return _call("POST", url, {"Content-Type": "application/x-www-form-urlencoded", **headers},
                 urlencode(list(fields)).encode())


def get_json(url: str, headers: dict[str, str]) -> ProviderResponse:
    """GET a provider's JSON API (e.g. a media lookup)."""
    return _call("GET", url, headers)


def post_bytes(url: str, body: bytes, headers: dict[str, str], *,
               read_timeout_seconds: float | None = None) -> ProviderResponse:
    """POST exactly these bytes (a signature covers them, so they are serialised by the caller)."""
    timeout = None if read_timeout_seconds is None else urllib3.Timeout(connect=CONNECT_TIMEOUT_SECONDS,
                                                                        read=read_timeout_seconds)
    return _call("POST", url, headers, body, timeout)
