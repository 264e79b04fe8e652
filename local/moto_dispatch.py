"""Find the moto backend for a request once per host name, not on every request.

For every request, moto's server lists its own package directory (``os.listdir`` and an
``isdir`` per service, some 180) and then tries hundreds of URL patterns to learn which service
a host name belongs to: a tenth of the server's time under load. The answer depends only on the
host name, so it is remembered here.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from moto import backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

_MARKER = "_contact_cached"
_LOCK = threading.Lock()


def remember_backends_by_host() -> None:
    """Patch moto's server dispatch (idempotent)."""
    if getattr(DomainDispatcherApplication.get_backend_for_host, _MARKER, False):
        return
    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules  # the package does not change while running
    look_up = DomainDispatcherApplication.get_backend_for_host
    known: dict[str | None, Any] = {}

    @functools.wraps(look_up)
    def get_backend_for_host(self: DomainDispatcherApplication, host: str | None) -> Any:
        if host in known:
            return known[host]
        backend = look_up(self, host)
        with _LOCK:
            known[host] = backend
        return backend

    setattr(get_backend_for_host, _MARKER, True)
    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host  # type: ignore[method-assign]
