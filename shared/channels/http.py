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


def post_form(url: str, fields: Sequence[tuple[str, str]], headers: dict[str, str]) -> ProviderResponse:
    """POST an ``application/x-www-form-urlencoded`` form (a name may repeat, as Twilio's
    ``MediaUrl`` does) and read a JSON answer; network failures and timeouts become transient
    SendFailed errors, as in post_json."""
    try:
        response = _pool().request(
            "POST", url, body=urlencode(list(fields)).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
        )
    except urllib3.exceptions.HTTPError as error:
        raise SendFailed("network", f"provider unreachable: {type(error).__name__}", permanent=False) from error
    try:
        body = json.loads(response.data) if response.data else None
    except ValueError:
        body = None
    return ProviderResponse(status=response.status, body=body)
