"""Committing DynamoDB transactions, and reading why one was cancelled.

DynamoDB cancels a transaction that touches an item another transaction is writing at that
moment (cancellation reason ``TransactionConflict``) and applies none of it; botocore does not
retry that. The statistics counters (a few small items per team and hour, and a few for the
occupancy now: storage/statistics.py) are written in the transactions of every counted change of
a team, so on a busy team such collisions are expected: ``commit`` builds and sends the transaction
again after a short random pause. Any other cancellation (a condition that failed) is the
caller's to interpret, and so is a conflict that outlasts the attempts (nothing was written).

pynamodb sends a transaction's operations grouped: condition checks, deletes, puts, then
updates, whatever order they were added in; the cancellation reasons follow that order.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from functools import lru_cache

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from .items import TableItem

ATTEMPTS = 6
# Full jitter: attempt n waits up to BASE_PAUSE * 2**n seconds (0.02 ... 0.64 s).
BASE_PAUSE = 0.01
CONFLICT = "TransactionConflict"


@lru_cache(maxsize=1)
def table_connection() -> Connection:
    """A connection to the table for stores that hold none of their own."""
    return Connection(region=TableItem.Meta.region)


def cancellation_codes(error: TransactWriteError) -> list[str | None]:
    """The reason per operation, in the order pynamodb sent them (None: not a reason)."""
    return [reason.code if reason else None for reason in error.cancellation_reasons]


def collided(error: TransactWriteError) -> bool:
    """Cancelled only because another transaction was writing one of its items: safe to send again."""
    codes = {code for code in cancellation_codes(error) if code is not None}
    return codes == {CONFLICT}


def commit(connection: Connection, build: Callable[[TransactWrite], None], *,
           pause: Callable[[float], None] = time.sleep) -> None:
    """Send the transaction ``build`` describes; again (rebuilt) while it only collided. A failed
    condition is the caller's to read (storage/conditions.py ``conditional``)."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with TransactWrite(connection=connection) as transaction:
                build(transaction)
            return
        except TransactWriteError as error:
            if attempt == ATTEMPTS or not collided(error):
                raise
            pause(random.uniform(0, BASE_PAUSE * 2 ** attempt))  # noqa: S311 - jitter, not security
