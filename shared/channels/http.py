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
from chalicelib.core.settings import get_settings
from chalicelib.domain.ports.integrations import ProviderResponse

from .base import SendFailed

CONNECT_TIMEOUT_SECONDS = 3.0
READ_TIMEOUT_SECONDS = 10.0
_TIMEOUT = urllib3.Timeout(connect=CONNECT_TIMEOUT_SECONDS, read=READ_TIMEOUT_SECONDS)


@lru_cache(maxsize=1)
def _pool() -> urllib3.PoolManager:
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT_SECONDS, read=READ_TIMEOUT_SECONDS),
        retries=False,
    )


@lru_cache(maxsize=32)
def _provider_pool(scheme: str, host: str, address: str, port: int) -> urllib3.HTTPConnectionPool:
    """Kept per checked address, so provider connections stay alive between calls."""
    return pinned_pool(scheme, host, address, port,
                       urllib3.Timeout(connect=CONNECT_TIMEOUT_SECONDS, read=READ_TIMEOUT_SECONDS))


def _simulator(host: str) -> bool:
    """The channel simulator on loopback: only in the local runtime (never decided by the URL)."""
    return get_settings().local_runtime and (host in {"localhost", "127.0.0.1", "::1"})


def _call(method: str, url: str, headers: dict[str, str], body: bytes | None = None,
          timeout: urllib3.Timeout | None = None) -> ProviderResponse:
    """One provider call; network failures and timeouts become transient SendFailed errors, and
    an answer that is not JSON reads as ``None``. Outside the simulator the call is https to an
    address checked to be public, and the connection goes to that address (no rebinding)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if _simulator(host):
            response = _pool().request(method, url, body=body, headers=headers, timeout=timeout or _TIMEOUT)
        else:
            if parts.scheme != "https" or not host or parts.username or parts.password:
                raise SendFailed("provider_url", f"providers are called over https only, not {parts.scheme}://",
                                 permanent=True)
            port = parts.port or 443
            pool = _provider_pool("https", host, _public_address(host, port), port)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            response = pool.urlopen(method, path, body=body, headers={**headers, "Host": parts.netloc},
                                    redirect=False, retries=False, timeout=timeout or _TIMEOUT)
    except ValueError as error:
        raise SendFailed("provider_url", f"the provider URL is invalid: {error}", permanent=True) from error
    except urllib3.exceptions.HTTPError as error:
        raise SendFailed("network", f"provider unreachable: {type(error).__name__}", permanent=False) from error
    return ProviderResponse(status=response.status, body=_parsed(response.data))


def _parsed(data: bytes) -> Any:
    try:
        return json.loads(data) if data else None
    except ValueError:
        return None


def post_json(url: str, payload: dict[str, Any], headers: dict[str, str], *,
              timeout: urllib3.Timeout | None = None) -> ProviderResponse:
    """POST JSON and read a JSON answer."""
    return _call("POST", url, {"Content-Type": "application/json", **headers}, json.dumps(payload).encode(), timeout)


def post_form(url: str, fields: Sequence[tuple[str, str]], headers: dict[str, str]) -> ProviderResponse:
    """POST an ``application/x-www-form-urlencoded`` form (a name may repeat, as Twilio's
    ``MediaUrl`` does) and read a JSON answer."""
    return _call("POST", url, {"Content-Type": "application/x-www-form-urlencoded", **headers},
                 urlencode(list(fields)).encode())


def get_json(url: str, headers: dict[str, str], *, timeout: urllib3.Timeout | None = None) -> ProviderResponse:
    """GET a provider's JSON API (e.g. a media lookup)."""
    return _call("GET", url, headers, None, timeout)


def post_bytes(url: str, body: bytes, headers: dict[str, str], *,
               read_timeout_seconds: float | None = None) -> ProviderResponse:
    """POST exactly these bytes (a signature covers them, so they are serialised by the caller)."""
    timeout = None if read_timeout_seconds is None else urllib3.Timeout(connect=CONNECT_TIMEOUT_SECONDS,
                                                                        read=read_timeout_seconds)
    return _call("POST", url, headers, body, timeout)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries to a host that translates or tunnels it:
    IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96 and the
    local-use 64:ff9b:1::/48), 6to4 (2002::/16) and Teredo (2001::/32)."""
    found = [a for a in (address.ipv4_mapped, address.sixtofour) if a is not None]
    if address.teredo is not None:
        found += list(address.teredo)
    value = int(address)
    if value >> 32 == 0 and value > 1:  # ::a.b.c.d (not :: or ::1)
        found.append(ipaddress.IPv4Address(value & 0xFFFFFFFF))
    if address in _NAT64 or address in _NAT64_LOCAL:
        found.append(ipaddress.IPv4Address(value & 0xFFFFFFFF))
    return found


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")


def address_problem(host: str) -> str | None:
    """Why a host (a name or an address literal) is not a public address outright, else None: a
    loopback, private, link-local or reserved address, also one embedded in an IPv6 address, or
    localhost. A name is not resolved here."""
    host = host.lower().strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return f"{host} is this machine, not a public host"
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None
    candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        candidates += _embedded_ipv4(address)
    if any(not candidate.is_global for candidate in candidates):
        return f"{host} is not a public address"
    return None


def receiver_address_problem(url: str) -> str | None:
    """Why a receiver URL may not be registered outside the local runtime, else None: plain http
    (the signed body and the secret's MAC would travel in the clear), or a host that is not
    public, named outright or by a name that resolves to such an address now (a name that does
    not resolve yet is checked again, and pinned, on every post: ``post_to_receiver``)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or 443
    except ValueError:
        return "it is not a URL"
    if parts.scheme != "https":
        return f"receivers are called over https only, not {parts.scheme or 'no scheme'}://"
    problem = address_problem(host)
    if problem is not None or not host:
        return problem or "the URL names no host"
    try:
        found = {str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError, ValueError):
        return None
    bad = sorted(address for address in found if address_problem(address) is not None)
    return f"{host} resolves to a non-public address ({', '.join(bad)})" if bad else None


def _public_address(host: str, port: int) -> str:
    try:
        found = [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
    except (socket.gaierror, UnicodeError) as error:
        raise SendFailed("network", f"cannot resolve {host}: {error}", permanent=False) from error
    if not found:
        raise SendFailed("network", f"{host} has no address", permanent=False)
    for address in found:
        if address_problem(address) is not None:
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
