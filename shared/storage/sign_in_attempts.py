"""Sign-in attempt counters (``shared/domain/sign_in_throttle.py`` states the rule).

One item per key (an account or a source address) per fixed window:
``pk = THROTTLE#<kind>#<sha256 of the key>``, ``sk = W#<window start, epoch seconds>``; the
table's TTL removes it after the window. Taking a slot is one conditional ``UpdateItem``
(``ADD attempts 1`` if ``attempts < limit``): of concurrent attempts exactly as many get through
as slots were left, in DynamoDB and in the local runtime (``local/atomic_dynamodb.py``).
"""

from __future__ import annotations

import hashlib

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import UpdateError

from .items import TableItem


class SignInAttemptsItem(TableItem, discriminator="sign_in_attempts"):
    attempts = NumberAttribute(default=0)
    expires_at = NumberAttribute()


def _key(kind: str, key: str, window_start: int) -> tuple[str, str]:
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()
    return f"THROTTLE#{kind}#{digest}", f"W#{window_start}"


def take(kind: str, key: str, window_start: int, window_seconds: int, limit: int) -> bool:
    """One more attempt in this window, if fewer than ``limit`` were made; False when none is left."""
    pk, sk = _key(kind, key, window_start)
    item = SignInAttemptsItem(pk, sk)
    try:
        item.update(actions=[SignInAttemptsItem.attempts.add(1),
                             SignInAttemptsItem.expires_at.set(window_start + 2 * window_seconds)],
                    condition=SignInAttemptsItem.attempts.does_not_exist() | (SignInAttemptsItem.attempts < limit))
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def give_back(kind: str, key: str, window_start: int) -> None:
    """A successful attempt does not count: its slot is returned."""
    pk, sk = _key(kind, key, window_start)
    item = SignInAttemptsItem(pk, sk)
    try:
        item.update(actions=[SignInAttemptsItem.attempts.add(-1)],
                    condition=SignInAttemptsItem.attempts > 0)
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
