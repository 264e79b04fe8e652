"""Let the local API serve requests concurrently, each as its own Lambda invocation would.

Chalice keeps the request being handled on the app object (``app.current_request``,
``app.lambda_context``): right in Lambda, where one container handles one event at a time, but
shared between the threads of the local server. Giving the app those two attributes per thread
lets requests overlap (most of a request's time is spent waiting on moto), instead of queueing
every request behind the one in progress.
"""

from __future__ import annotations

import threading
from typing import Any

from chalice.app import Chalice

_PER_THREAD = ("current_request", "lambda_context")


def _per_thread_attribute(storage: threading.local, name: str) -> property:
    def read(_: Any) -> Any:
        return getattr(storage, name, None)

    def write(_: Any, value: Any) -> None:
        setattr(storage, name, value)

    return property(read, write)


def one_request_per_thread(app: Chalice) -> None:
    """Give ``app`` (only it) a per-thread ``current_request`` and ``lambda_context``; idempotent."""
    if getattr(type(app), "_contact_per_thread", False):
        return
    storage = threading.local()
    attributes: dict[str, Any] = {name: _per_thread_attribute(storage, name) for name in _PER_THREAD}
    attributes["_contact_per_thread"] = True
    app.__class__ = type(f"PerThread{type(app).__name__}", (type(app),), attributes)
