"""Response-time statistics (domain/response_times.py): durations counted into per-agent hourly
histograms when they end, read back as median and 90th percentile per agent and channel against
the period before, and as CSV."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, datetime, timedelta

from chalicelib.domain.models import Channel, Conversation, ConversationState
from chalicelib.domain.response_times import BUCKETS, bucket_of, duration_counts, response_times, to_csv
from chalicelib.domain.statistics import StatsRecorder

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def conversation(**changes: object) -> Conversation:
    base = Conversation(id="c1", channel=Channel.WHATSAPP, account_id="wa", customer_id="+31600000000",
                        customer_name=None, team_id="support", state=ConversationState.ASSIGNED, owner_id="ann",
                        created_at=START, last_message_at=START + timedelta(minutes=20),
                        last_customer_message_at=START, preview="", version=1)
    return base.model_copy(update=changes)


def test_the_first_reply_ends_the_first_response_time_and_later_ones_do_not() -> None:
    stats = StatsRecorder()
    first = stats.replied(conversation(), "ann", START + timedelta(minutes=4))
    assert first.counts == {"agent.ann.replies": 1, f"dur:first_response:whatsapp:b{bucket_of(240)}:ann": 1,
                            "dur:first_response:whatsapp:sum:ann": 240}
    assert first.agent_id == "ann"  # on ann's hour item, never a team-wide one
    later = stats.replied(conversation(first_response_at=START), "ann", START + timedelta(minutes=9))
    assert later.counts == {"agent.ann.replies": 1}
    # A conversation the agent started (no customer message yet) has no first response to time
    assert stats.replied(conversation(last_customer_message_at=None), "ann", START).counts == {"agent.ann.replies": 1}


def test_an_archive_ends_the_time_to_archive_and_the_duration() -> None:
    tally = StatsRecorder().moved(conversation(), ConversationState.ARCHIVED, None, START + timedelta(hours=2),
                                  actor_id="ann")
    assert tally.counts["dur:time_to_archive:whatsapp:sum:ann"] == 7200
    assert tally.counts["dur:duration:whatsapp:sum:ann"] == 1200
    assert tally.agent_id == "ann"


def test_median_and_p90_per_agent_and_channel_against_the_period_before() -> None:
    # Given ten first responses of 1..10 minutes by ann on WhatsApp, one of 2 h by bob by SMS,
    # and the period before with three of 30 minutes by ann
    current: Counter[str] = Counter()
    for minutes in range(1, 11):
        current.update(duration_counts("first_response", Channel.WHATSAPP, "ann", START,
                                       START + timedelta(minutes=minutes)))
    current.update(duration_counts("first_response", Channel.SMS, "bob", START, START + timedelta(hours=2)))
    previous: Counter[str] = Counter()
    for _ in range(3):
        previous.update(duration_counts("first_response", Channel.WHATSAPP, "ann", START,
                                        START + timedelta(minutes=30)))
    times = response_times(current, previous, START - timedelta(days=7), START)
    figures = times.first_response
    ann = figures.by_agent["ann"]
    # Then ann's median is within the bucket of 5-6 minutes and her p90 within that of 9-10 minutes
    assert ann.current.count == 10
    assert 300 <= (ann.current.median_seconds or 0) <= 600
    assert 540 <= (ann.current.p90_seconds or 0) <= 900
    assert ann.current.mean_seconds == 330
    assert (ann.previous.count, ann.previous.median_seconds) == (3, 1350.0)
    assert figures.by_channel["sms"].current.count == 1
    assert figures.by_channel["sms"].current.median_seconds == 5400.0  # half-way through 1-2 h
    assert figures.overall.current.count == 11
    assert times.time_to_archive.overall.current.count == 0
    # And every bucket bound is counted in the bucket it closes
    assert [bucket_of(bound) for bound in BUCKETS] == list(range(len(BUCKETS)))


def test_the_csv_names_agents_and_neutralises_formulas() -> None:
    current = Counter(duration_counts("first_response", Channel.WHATSAPP, "ann", START, START + timedelta(minutes=3)))
    body = to_csv(response_times(current, {}, START, START), {"ann": "=Ann"}).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:6] == ["metric", "group", "name", "count", "median_seconds", "p90_seconds"]
    agent = next(row for row in rows if row[1] == "agent")
    assert agent[:4] == ["first_response", "agent", "'=Ann", "1"]
    assert agent[7] == "0"  # none in the period before
