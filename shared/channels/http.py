"""The one HTTP client the adapters use to call providers' send APIs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

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


def post_json(url: str, payload: dict[str, Any], headers: dict[str, str]) -> ProviderResponse:
    """POST JSON; network failures and timeouts become transient SendFailed errors."""
    try:
        response = _pool().request(
            "POST", url, body=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", **headers},
        )
    except urllib3.exceptions.HTTPError as error:
        raise SendFailed("network", f"provider unreachable: {type(error).__name__}", permanent=False) from error
    try:
        body = json.loads(response.data) if response.data else None
    except ValueError:
        body = None
    return ProviderResponse(status=response.status, body=body)


def get_json(url: str, headers: dict[str, str]) -> ProviderResponse:
    """GET a provider's JSON API (e.g. a media lookup); network failures become transient
    SendFailed errors, as for sends."""
    try:
        response = _pool().request("GET", url, headers=headers)
    except urllib3.exceptions.HTTPError as error:
        raise SendFailed("network", f"provider unreachable: {type(error).__name__}", permanent=False) from error
    try:
        body = json.loads(response.data) if response.data else None
    except ValueError:
        body = None
    return ProviderResponse(status=response.status, body=body)
