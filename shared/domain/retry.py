"""How long to wait before trying again: the backoff that sends, event deliveries and media copies
share. A module of its own so that the event and media workers take it without the outbound
dispatcher and everything a send needs."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: int = 30
    max_wait_seconds: int = 3600
    horizon: timedelta = timedelta(hours=24)

    def wait_seconds(self, attempt: int) -> int:
        """Exponential backoff with jitter, capped."""
        ceiling = min(self.max_wait_seconds, self.base_seconds * 2 ** attempt)
        return max(1, int(ceiling / 2 + random.uniform(0, ceiling / 2)))  # noqa: S311 - jitter, not security
