"""Our own webhook signature scheme, for the generic API channel (both directions) and the event
webhooks we send to integrators (docs/api-channel.md, docs/event-webhooks.md).

A signed request carries ``X-Contact-Signature: t=<unix seconds>,v1=<hex>`` where the hex is
HMAC-SHA256, keyed with the shared secret, over ``<t>.<raw body>``. The timestamp is inside the
signed text, so it cannot be changed without the secret, and a receiver refuses a timestamp more
than ``TOLERANCE_SECONDS`` away from its clock: a captured request cannot be replayed later.
A header may carry several ``v1`` values (one per secret while a secret is being rotated); one
match is enough. Comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from chalicelib.domain.errors import SignatureRejected

SIGNATURE_HEADER = "X-Contact-Signature"
SCHEME = "v1"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``<timestamp>.<body>`` under ``secret``."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secrets: str | Iterable[str], timestamp: int, body: bytes) -> str:
    """The value of ``X-Contact-Signature`` for this body at this moment."""
    keys = [secrets] if isinstance(secrets, str) else list(secrets)
    return ",".join([f"t={timestamp}", *(f"{SCHEME}={signature(key, timestamp, body)}" for key in keys)])


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            if not value.isdigit():
                raise SignatureRejected(f"{SIGNATURE_HEADER} has a timestamp that is not Unix seconds",
                                        field=SIGNATURE_HEADER)
            timestamp = int(value)
        elif name == SCHEME and value:
            candidates.append(value.lower())
    if timestamp is None or not candidates:
        raise SignatureRejected(f"{SIGNATURE_HEADER} must read t=<unix seconds>,{SCHEME}=<hex>",
                                field=SIGNATURE_HEADER)
    return timestamp, candidates


def verify(header: str | None, body: bytes, secrets: str | Iterable[str], *, now: float,
           tolerance: int = TOLERANCE_SECONDS) -> int:
    """Check a signature header against the raw body; returns the signed timestamp or raises
    SignatureRejected (missing, malformed, stale or not matching any of ``secrets``)."""
    if not header:
        raise SignatureRejected(f"{SIGNATURE_HEADER} header is missing", field=SIGNATURE_HEADER)
    timestamp, candidates = _parse(header)
    if abs(now - timestamp) > tolerance:
        raise SignatureRejected(f"{SIGNATURE_HEADER} timestamp is more than {tolerance} s from now "
                                "(stale or replayed request, or a clock out of step)", field=SIGNATURE_HEADER)
    keys = [secrets] if isinstance(secrets, str) else [key for key in secrets if key]
    expected = [signature(key, timestamp, body) for key in keys]
    # Every pair is compared, so the time taken does not tell which candidate came close.
    matched = False
    for candidate in candidates:
        for wanted in expected:
            matched |= hmac.compare_digest(candidate.encode(), wanted.encode())
    if not matched:
        raise SignatureRejected(f"{SIGNATURE_HEADER} does not match the body under this secret",
                                field=SIGNATURE_HEADER)
    return timestamp
