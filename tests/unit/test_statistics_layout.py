"""The statistics counters' layout: a team's counts of an hour are spread over small items (one per
agent, a few shards) that the statistics read sums, so no item grows with the team."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from chalicelib.core import resources, settings
from chalicelib.domain.models import Channel, Conversation, ConversationState
from chalicelib.domain.statistics import StatsRecorder
from chalicelib.storage import binding, keys
from chalicelib.storage.statistics import StatsRepository, count_in
from moto import mock_aws
from pynamodb.connection import Connection
from pynamodb.transactions import TransactWrite

from benchmarks.capacity import item_size
from local.provision import create_table

TEAM = "team-layout"
HOUR = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    bound = binding.bound_table()
    with mock_aws():
        name = create_table(None, "us-east-1", settings.app_name())
        # (bound here, not by whichever test ran before: the test passes alone too)
        binding.bind_table(name, "us-east-1")
        yield boto3.client("dynamodb", region_name="us-east-1"), name
    binding.bind_table(*bound)


def conversation(number: int, state: ConversationState, owner_id: str | None = None) -> Conversation:
    return Conversation(id=f"c{number}", channel=Channel.WHATSAPP, account_id="a", customer_id=f"+31{number}",
                        customer_name=None, team_id=TEAM, state=state, owner_id=owner_id, created_at=HOUR,
                        last_message_at=HOUR, last_customer_message_at=HOUR, preview="", version=1)


def test_a_team_hour_is_summed_from_its_agents_and_shards_and_no_item_grows_with_the_team(table):
    # Given 60 agents who each pick up and reply to a conversation created in the same hour
    client, name = table
    recorder, connection = StatsRecorder(), Connection(region="us-east-1")
    agents = [f"{n:08d}-6d1b-4b7e-9a52-1c2d3e4f5a6b" for n in range(60)]
    for number, agent in enumerate(agents):
        at = HOUR + timedelta(minutes=number % 60)
        for tally in (recorder.created(conversation(number, ConversationState.NEW)),
                      recorder.moved(conversation(number, ConversationState.NEW), ConversationState.ASSIGNED,
                                     agent, at, actor_id=agent),
                      recorder.replied(conversation(number, ConversationState.ASSIGNED, agent), agent, at)):
            with TransactWrite(connection=connection) as transaction:
                count_in(transaction, tally)
    # When the statistics read the hour (and the next, which has nothing)
    hours = StatsRepository().hours(TEAM, HOUR - timedelta(hours=1), HOUR + timedelta(hours=2))
    # Then they get one bucket with every count once, and the occupancy summed over the gauge shards
    assert [hour for hour, _ in hours] == ["2026-03-02T14"]
    counts = hours[0][1]
    assert counts["created"] == counts["channel.whatsapp"] == counts["entered.new"] == 60
    assert counts["entered.assigned"] == 60
    assert all(counts[f"agent.{agent}.assigned"] == counts[f"agent.{agent}.replies"] == 1 for agent in agents)
    assert StatsRepository().current(TEAM) == {"new": 0, "assigned": 60}
    # and no counter item is bigger than what one agent or one shard holds
    items = client.query(TableName=name, KeyConditionExpression="pk = :pk",
                         ExpressionAttributeValues={":pk": {"S": keys.stats_pk(TEAM)}})["Items"]
    assert len(items) > len(agents)
    assert max(item_size(item) for item in items) < 1024
    assert all(item[resources.TABLE.sort_key]["S"].count("#A#") <= 1 for item in items)


def test_the_hour_of_until_counts_only_when_until_is_past_its_start(table):
    # Given a count in the 14:00 hour
    with TransactWrite(connection=Connection(region="us-east-1")) as transaction:
        count_in(transaction, StatsRecorder().created(conversation(1, ConversationState.NEW)))
    # Then a span ending at 14:00 leaves it out, one ending at 14:01 takes it
    assert StatsRepository().hours(TEAM, HOUR - timedelta(hours=3), HOUR) == []
    assert [hour for hour, _ in StatsRepository().hours(TEAM, HOUR - timedelta(hours=3),
                                                        HOUR + timedelta(minutes=1))] == ["2026-03-02T14"]
