"""The one HTTP client the adapters use to call providers' send APIs, and integrators' receivers.

Receivers (an event subscription's URL, an API channel's reply URL) are addresses an
administrator typed in, so a POST there is checked like a media download: the host must resolve
to public addresses only, and the connection goes to the address that was checked (no second
DNS lookup to rebind). Otherwise an administrator's token, or a typo, could aim our functions at
the Lambda runtime API on loopback or at a private network. The local runtime allows private
receivers (``Settings.private_receivers``): there integrators' test servers run on loopback.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode, urlsplit

import urllib3
from chalicelib.domain.ports.integrations import ProviderResponse

from .base import SendFailed

CONNECT_TIMEOUT_SECONDS = 3.0
READ_TIMEOUT_SECONDS = 10.0


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
    return ProviderResponse(status=response.status, body=_parsed(response.data))


def _parsed(data: bytes) -> Any:
    try:
        return json.loads(data) if data else None
    except ValueError:
        return None


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


def receiver_address_problem(url: str) -> str | None:
    """Why a receiver URL names a non-public host outright (a loopback, private or link-local
    address, or localhost), else None. Registration refuses these; a host name that resolves to
    such an address is caught when posting (``post_to_receiver``)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return f"{host} is this machine, not a public receiver"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    return None if address.is_global else f"{host} is not a public address"


def _public_address(host: str, port: int) -> str:
    try:
        found = [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
    except (socket.gaierror, UnicodeError) as error:
        raise SendFailed("network", f"cannot resolve {host}: {error}", permanent=False) from error
    if not found:
        raise SendFailed("network", f"{host} has no address", permanent=False)
    for address in found:
        if not ipaddress.ip_address(address.split("%", 1)[0]).is_global:
            raise SendFailed("receiver_not_public", f"{host} resolves to a non-public address", permanent=True)
    return found[0]


def pinned_pool(scheme: str, host: str, address: str, port: int,
                timeout: urllib3.Timeout) -> urllib3.HTTPConnectionPool:
    """A connection pool to the address that was checked, not to whatever ``host`` resolves to
    next (no rebinding); certificate and SNI still name the host. Send ``Host`` yourself."""
    if scheme == "https":
        return urllib3.HTTPSConnectionPool(address, port, timeout=timeout, retries=False, server_hostname=host,
                                           assert_hostname=host, cert_reqs="CERT_REQUIRED")
    return urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)


def post_to_receiver(url: str, body: bytes, headers: dict[str, str], *, private_allowed: bool,
                     read_timeout_seconds: float = READ_TIMEOUT_SECONDS) -> ProviderResponse:
    """POST exactly these bytes to an integrator's receiver (see the module docstring)."""
    if private_allowed:
        return post_bytes(url, body, headers, read_timeout_seconds=read_timeout_seconds)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"http", "https"} or not host:
        raise SendFailed("receiver_url", f"not an http(s) URL: {url}", permanent=True)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise SendFailed("receiver_url", f"the receiver URL's port is invalid: {error}", permanent=True) from error
    pool = pinned_pool(parts.scheme, host, _public_address(host, port), port,
                       urllib3.Timeout(connect=CONNECT_TIMEOUT_SECONDS, read=read_timeout_seconds))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        with pool:
            response = pool.urlopen("POST", path, body=body, headers={**headers, "Host": parts.netloc},
                                    redirect=False, retries=False)
    except urllib3.exceptions.HTTPError as error:
        raise SendFailed("network", f"receiver unreachable: {type(error).__name__}", permanent=False) from error
    return ProviderResponse(status=response.status, body=_parsed(response.data))
