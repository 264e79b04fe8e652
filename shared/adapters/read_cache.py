"""Per-container caches of the reads that rarely change: channel accounts, service settings,
routing rules, teams (office hours, assignment policy), out-of-office texts and the event
subscriptions. Credentials in Secrets Manager are cached the same way by Powertools Parameters
(``credentials.py``), with the same lifetime.

Why a short staleness is acceptable: these are administrators' settings, changed by hand a few
times a day, while every customer message read each of them again in each worker (about ten
reads per message). A Lambda container keeps a value for at most ``MAX_AGE_SECONDS``, so a
disabled channel account stops taking webhooks, new credentials sign requests and a changed
setting applies everywhere within that time. In the process that makes the change the entry
is dropped at once (the storage writers call ``invalidate``), so the administrator's own next
read, and everything the local runtime runs in one process, sees the change immediately.

Not cached: anything authorization reads (users and their roles: a disabled user stops at
once), the seat counter and anything a condition expression guards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aws_lambda_powertools.utilities import parameters

MAX_AGE_SECONDS = 60

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True)
class _Entry(Generic[V]):
    value: V
    expires: float


class ReadCache(Generic[K, V]):
    """Values by key for at most ``max_age`` seconds. A missing item (None) is cached too, so
    an account or a team that does not exist is not read again on every message."""

    def __init__(self, name: str, *, max_age: float = MAX_AGE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self._max_age = max_age
        # Public so that a test can let time pass.
        self.clock = clock
        self._entries: dict[K, _Entry[V]] = {}
        # Bumped by every invalidation: a read that started before a write must not put the old
        # value back (the local runtime runs its workers and the API in threads of one process).
        self._generation = 0
        self._lock = threading.Lock()
        _REGISTRY.append(self)

    def get(self, key: K, load: Callable[[], V]) -> V:
        now = self.clock()
        with self._lock:
            entry = self._entries.get(key)
            generation = self._generation
        if entry is not None and entry.expires > now:
            return entry.value
        value = load()
        with self._lock:
            if generation == self._generation:
                self._entries[key] = _Entry(value, now + self._max_age)
        return value

    def invalidate(self, key: K | None = None) -> None:
        """Forget one key (or everything): the next read goes to the table."""
        with self._lock:
            self._generation += 1
            if key is None:
                self._entries.clear()
            else:
                self._entries.pop(key, None)


_REGISTRY: list[ReadCache[Any, Any]] = []


def clear_all() -> None:
    """Forget every cached read of this process, Powertools' cached secrets included (tests
    start from the table's state; a fresh moto must not see another test's values)."""
    for cache in _REGISTRY:
        cache.invalidate()
    forget_secrets()


def forget_secrets() -> None:
    """Drop the secrets Powertools Parameters cached in this process (it caches per provider, not
    per name, so all of them)."""
    parameters.clear_caches()  # type: ignore[no-untyped-call]
