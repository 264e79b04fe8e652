"""The one translation of "DynamoDB refused a write because its condition failed".

Races are settled by condition expressions (an item must not exist yet, a version must still be
the one read). PynamoDB reports a refused single write as a PutError, UpdateError or DeleteError
whose cause is ``ConditionalCheckFailedException``, and a refused transaction as a
TransactWriteError with one cancellation reason per operation. ``conditional()`` turns both into
``ConditionFailed``, which says which operations failed; the stores then raise the domain's error
(``refused_as``), answer False (``tolerated``) or read the reasons of a transaction themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError

from .transact import cancellation_codes

SINGLE_WRITE_CODE = "ConditionalCheckFailedException"
TRANSACTION_CODE = "ConditionalCheckFailed"


class ConditionFailed(Exception):
    """A write refused by its condition. ``codes``: a transaction's cancellation reasons in the
    order pynamodb sent its operations (condition checks, deletes, puts, then updates)."""

    def __init__(self, codes: Sequence[str | None]) -> None:
        super().__init__(f"condition failed: {list(codes)}")
        self.codes = list(codes)

    def failed_at(self, index: int) -> bool:
        return index < len(self.codes) and self.codes[index] == TRANSACTION_CODE


@contextmanager
def conditional() -> Iterator[None]:
    """Raise ConditionFailed for a write (or transaction) its condition refused; other errors pass."""
    try:
        yield
    except TransactWriteError as error:
        codes = cancellation_codes(error)
        if TRANSACTION_CODE in codes:
            raise ConditionFailed(codes) from error
        raise
    except (PutError, UpdateError, DeleteError) as error:
        if error.cause_response_code == SINGLE_WRITE_CODE:
            raise ConditionFailed([TRANSACTION_CODE]) from error
        raise


@contextmanager
def refused_as(domain_error: Exception) -> Iterator[None]:
    """Raise ``domain_error`` when the condition refused the write."""
    try:
        with conditional():
            yield
    except ConditionFailed as failure:
        raise domain_error from failure


@dataclass
class Outcome:
    refused: bool = False


@contextmanager
def tolerated() -> Iterator[Outcome]:
    """A write whose refusal is an answer, not an error: ``outcome.refused`` says whether it was."""
    outcome = Outcome()
    try:
        with conditional():
            yield outcome
    except ConditionFailed:
        outcome.refused = True
