"""The load benchmark's own checks, on a few webhooks: every one accepted and stored once, and
a latency measured for each. (The figures themselves come from `python -m benchmarks.load`.)"""

from benchmarks.load import report, run


def test_load_tool_stores_every_webhook_once_and_measures_each() -> None:
    result = run(rate=4, seconds=2)
    assert result.sent == 8
    assert result.accepted == 8
    assert result.stored_once == 8
    assert not result.missing
    assert not result.duplicated
    assert len(result.latencies) == 8
    assert "stored exactly once" in report(result)
