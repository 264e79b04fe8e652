"""Which base URLs a channel account may name for its provider's API (checked when an
administrator adds the account). The routing and send workers call that URL with the account's
access token and read the answer back (media lookups become attachments), so an account aimed at
an internal address would turn an administrator's form into a way to read internal services.

- Each channel's base URL is https on its provider's own hosts (``PROVIDER_HOSTS``); the generic
  API channel's is the integrator's, so any host that resolves to public addresses only.
- Loopback (the channel simulator) is allowed only when the runtime says it is the local one
  (``Settings.local_runtime``), never because of the URL itself; there plain http is allowed too.
- Calls go to the address that was checked (``http.py`` pins the connection), so a name that
  resolves differently later cannot rebind them to an internal address.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from chalicelib.domain.models import Channel

from .http import address_problem

# The providers' API hosts (a leading '.' allows the subdomains).
PROVIDER_HOSTS: dict[Channel, frozenset[str]] = {
    Channel.WHATSAPP: frozenset({"graph.facebook.com"}),
    Channel.MESSENGER: frozenset({"graph.facebook.com"}),
    Channel.INSTAGRAM: frozenset({"graph.facebook.com", "graph.instagram.com"}),
    Channel.TELEGRAM: frozenset({"api.telegram.org"}),
    Channel.SMS: frozenset({"api.twilio.com"}),
    Channel.VIBER: frozenset({"chatapi.viber.com"}),
    Channel.EMAIL: frozenset({".amazonaws.com"}),
}
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def _on(host: str, allowed: frozenset[str]) -> bool:
    return any(host.endswith(entry) if entry.startswith(".") else host == entry for entry in allowed)


def is_loopback_host(host: str) -> bool:
    try:
        return host in LOOPBACK_NAMES or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def provider_url_problem(channel: Channel, url: str, *, local_runtime: bool) -> str | None:
    """Why ``url`` may not be this channel's API base URL, else None."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return f"{url!r} is not a URL"
    if not host or parts.scheme not in {"http", "https"}:
        return f"{url!r} is not an http(s) URL"
    if parts.username or parts.password:
        return "a base URL with credentials in it is refused"
    try:
        port = parts.port
    except ValueError:
        return "the port is invalid"
    if local_runtime and is_loopback_host(host):
        return None  # the channel simulator, in the local runtime only
    if parts.scheme != "https":
        return f"{channel.value} providers are called over https only"
    allowed = PROVIDER_HOSTS.get(channel)
    if allowed is None:  # the integrator's own host: resolved now (and again, pinned, on each call)
        return _resolves_publicly(host, port or 443)
    if not _on(host, allowed):
        return f"{host} is not a {channel.value} provider host ({', '.join(sorted(allowed))})"
    return None


def _resolves_publicly(host: str, port: int) -> str | None:
    """The host's addresses, checked at registration (the call checks them again, and pins)."""
    problem = address_problem(host)
    if problem is not None:
        return problem
    try:
        ipaddress.ip_address(host)
        return None  # a public address literal
    except ValueError:
        pass
    try:
        found = {str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError):
        return f"{host} does not resolve"
    bad = sorted(a for a in found if address_problem(a.split("%", 1)[0]) is not None)
    return f"{host} resolves to a non-public address ({', '.join(bad)})" if bad else None
