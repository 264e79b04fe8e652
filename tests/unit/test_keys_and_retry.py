from datetime import UTC, datetime, timedelta

from chalicelib.domain import ids
from chalicelib.domain.models import DeliveryStatus
from chalicelib.domain.retry import RetryPolicy


def test_message_ids_sort_by_time_and_are_stable_for_a_provider_id():
    early = datetime(2026, 1, 1, tzinfo=UTC)
    late = early + timedelta(milliseconds=1)
    assert ids.message_id(early, "wamid.B") < ids.message_id(late, "wamid.A")
    assert ids.message_id(early, "wamid.A") == ids.message_id(early, "wamid.A")
    assert ids.message_id(early) != ids.message_id(early)


def test_backoff_grows_and_is_capped():
    policy = RetryPolicy(base_seconds=30, max_wait_seconds=600)
    waits = [policy.wait_seconds(attempt) for attempt in range(10)]
    assert all(1 <= w <= 600 for w in waits)
    assert waits[0] <= 30
    assert waits[-1] >= 300


def test_statuses_only_move_forward():
    order = [DeliveryStatus.QUEUED, DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ]
    assert [s.rank for s in order] == sorted(s.rank for s in order)
    assert DeliveryStatus.SENT.rank < DeliveryStatus.READ.rank
