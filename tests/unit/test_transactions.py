"""Sending a transaction again after it collided with another one (``storage.transact.commit``)."""

from __future__ import annotations

from typing import Any

import pytest
from chalicelib.storage import transact
from pynamodb.connection import Connection
from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError
from pynamodb.transactions import TransactWrite


class ScriptedConnection(Connection):
    """Answers each TransactWriteItems with the next scripted outcome: None succeeds, a list of
    reason codes cancels the transaction with them."""

    def __init__(self, outcomes: list[list[str | None] | None]) -> None:
        super().__init__(region="us-east-1")
        self.outcomes = outcomes
        self.sent = 0

    def transact_write_items(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.sent += 1
        codes = self.outcomes.pop(0)
        if codes is None:
            return {}
        cause = VerboseClientError({"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"}},
                                   "TransactWriteItems",
                                   cancellation_reasons=[CancellationReason(code) if code else None for code in codes])
        raise TransactWriteError("Failed to write transaction items", cause)


def build(transaction: TransactWrite) -> None:
    """Nothing to add: the scripted connection answers whatever is sent."""


def test_a_transaction_that_only_collided_is_sent_again_after_a_pause() -> None:
    # Given a connection where the first two attempts collide with other transactions
    connection = ScriptedConnection([[None, "TransactionConflict"], ["TransactionConflict", None], None])
    pauses: list[float] = []
    # When the transaction is committed
    transact.commit(connection, build, pause=pauses.append)
    # Then it went out three times, with a growing random pause between attempts
    assert connection.sent == 3
    assert len(pauses) == 2
    assert 0 <= pauses[0] <= transact.BASE_PAUSE * 2
    assert 0 <= pauses[1] <= transact.BASE_PAUSE * 4


def test_a_failed_condition_is_the_callers_at_once() -> None:
    # Given a transaction cancelled by a condition (together with a collision elsewhere)
    connection = ScriptedConnection([["ConditionalCheckFailed", "TransactionConflict"]])
    # When it is committed, then the cancellation comes back at once with its reasons
    with pytest.raises(TransactWriteError) as raised:
        transact.commit(connection, build, pause=lambda _: None)
    assert connection.sent == 1
    assert transact.cancellation_codes(raised.value) == ["ConditionalCheckFailed", "TransactionConflict"]


def test_a_collision_that_outlasts_the_attempts_is_raised() -> None:
    connection = ScriptedConnection([["TransactionConflict"]] * transact.ATTEMPTS)
    with pytest.raises(TransactWriteError):
        transact.commit(connection, build, pause=lambda _: None)
    assert connection.sent == transact.ATTEMPTS
