"""Write units of a counted change as a team grows: the statistics counters must cost the same
at 1 active agent as at 2,000.

    python -m benchmarks.stats_counters                  # 1, 100 and 2,000 agents
    python -m benchmarks.stats_counters --agents 1 500

For each team size N, on moto in this process: N agents each pick up, reply to and archive a
conversation in the same hour (the counts the recorder makes, written by ``count_in`` in a
transaction as the repository does). Then one more change of each counted kind is written and
its write units are computed from the counter items before and after it (benchmarks/capacity.py,
transactional: twice the item's size in 1 KB units). The same is done for the layout before
this design (every count of the team's hour on one ``H#<hour>`` item, which holds three
counters per active agent), written here as it was, for the figure beside.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from chalicelib.core import resources, settings
from moto import mock_aws
from pynamodb.connection import Connection
from pynamodb.expressions.operand import Path, Value
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from benchmarks.capacity import ItemKey, item_size, item_write_units
from local.provision import create_table

TEAM_ID = "bench"
AT = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Row:
    agents: int
    layout: str
    change: str
    write_units: float
    largest_item_bytes: int


def _conversation(number: int, state: str, owner_id: str | None) -> Any:
    from chalicelib.domain.models import Channel, Conversation, ConversationState

    return Conversation(id=f"c{number}", channel=Channel.WHATSAPP, account_id="a", customer_id=f"+31{number}",
                        customer_name=None, team_id=TEAM_ID, state=ConversationState(state), owner_id=owner_id,
                        created_at=AT, last_message_at=AT, last_customer_message_at=AT, preview="", version=1)


def _changes() -> dict[str, Callable[[int], Any]]:
    """A counted change of each kind, by the agent (number) it concerns: its tally."""
    from chalicelib.domain.models import ConversationState
    from chalicelib.domain.statistics import StatsRecorder

    recorder = StatsRecorder()
    agent = "{:08d}-6d1b-4b7e-9a52-1c2d3e4f5a6b".format  # shaped as a Cognito sub
    return {
        "created": lambda n: recorder.created(_conversation(n, "new", None)),
        "pick-up": lambda n: recorder.moved(_conversation(n, "new", None), ConversationState.ASSIGNED, agent(n),
                                            AT, actor_id=agent(n)),
        "reply": lambda n: recorder.replied(_conversation(n, "assigned", agent(n)), agent(n), AT),
        "archive": lambda n: recorder.moved(_conversation(n, "assigned", agent(n)), ConversationState.ARCHIVED,
                                            None, AT, actor_id=agent(n)),
    }


def _count_as_before(transaction: TransactWrite, tally: Any) -> None:
    """The layout before: every count of the team's hour on one item, gauges on another."""
    from chalicelib.storage import keys
    from chalicelib.storage.items import StatsCounterItem
    from chalicelib.storage.statistics import COUNTER_PREFIX

    pk = keys.stats_pk(tally.team_id)
    for sk, deltas in ((keys.stats_hour_sk(tally.at), tally.counts), (keys.STATS_CURRENT_SK, tally.gauges)):
        actions: list[Action] = [Path([COUNTER_PREFIX + name]).add(Value({"N": str(value)}))
                                 for name, value in deltas.items() if value]
        if actions:
            transaction.update(StatsCounterItem(pk, sk), actions=actions)


def _snapshot(client: Any, table: str) -> dict[ItemKey, dict[str, Any]]:
    """Every counter item of the team, by key (read beside the writes, not counted)."""
    from chalicelib.storage import keys

    found: dict[ItemKey, dict[str, Any]] = {}
    for page in client.get_paginator("query").paginate(
            TableName=table, ConsistentRead=True, KeyConditionExpression="#pk = :pk",
            ExpressionAttributeNames={"#pk": resources.TABLE.partition_key},
            ExpressionAttributeValues={":pk": {"S": keys.stats_pk(TEAM_ID)}}):
        for item in page["Items"]:
            found[(item[resources.TABLE.partition_key]["S"], item[resources.TABLE.sort_key]["S"])] = item
    return found


def _prefill(client: Any, table: str, connection: Connection, count: Callable[[TransactWrite, Any], None],
             tallies: list[Any]) -> None:
    """The team's hour so far: the items the tallies' ADDs leave, written directly (thousands of
    transactions on moto would take minutes)."""
    items: dict[ItemKey, dict[str, int]] = {}
    for tally in tallies:
        transaction = TransactWrite(connection=connection)  # built, never sent
        count(transaction, tally)
        for update in transaction._update_items:
            counters = items.setdefault((update["Key"]["pk"]["S"], update["Key"]["sk"]["S"]), {})
            for clause in update["UpdateExpression"].removeprefix("ADD ").split(", "):
                name, value = clause.split(" ")
                attribute = update["ExpressionAttributeNames"][name]
                counters[attribute] = counters.get(attribute, 0) + int(update["ExpressionAttributeValues"][value]["N"])
    requests = [{"PutRequest": {"Item": {resources.TABLE.partition_key: {"S": pk}, resources.TABLE.sort_key: {"S": sk},
                                         **{name: {"N": str(n)} for name, n in counters.items()}}}}
                for (pk, sk), counters in items.items()]
    for first in range(0, len(requests), 25):
        client.batch_write_item(RequestItems={table: requests[first:first + 25]})


def measure(agents: int) -> list[Row]:
    from chalicelib.storage.items import TableItem
    from chalicelib.storage.statistics import count_in

    rows: list[Row] = []
    layouts: tuple[tuple[str, Callable[[TransactWrite, Any], None]], ...] = (
        ("one item per team hour (before)", _count_as_before), ("per agent + shards", count_in))
    for layout, count in layouts:
        with mock_aws():
            table = create_table(None, "us-east-1", settings.app_name())
            TableItem._connection = None  # a new moto: let PynamoDB build its client again
            connection = Connection(region="us-east-1")
            client = boto3.client("dynamodb", region_name="us-east-1")
            changes = _changes()

            _prefill(client, table, connection, count, [changes[change](number) for number in range(agents)
                                                         for change in ("pick-up", "reply", "archive")])
            for name, tally_of in changes.items():
                before = _snapshot(client, table)
                with TransactWrite(connection=connection) as transaction:
                    count(transaction, tally_of(0))  # an agent with counts in the hour already
                after = _snapshot(client, table)
                changed = [key for key in after if before.get(key) != after[key]]
                units = sum(item_write_units(before.get(key), after[key], transactional=True) for key in changed)
                largest = max(item_size(item) for item in after.values())
                rows.append(Row(agents, layout, name, float(units), largest))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, nargs="+", default=[1, 100, 2_000])
    args = parser.parse_args()
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1"})
    os.environ.pop("AWS_ENDPOINT_URL", None)
    started = time.monotonic()
    rows = [row for agents in args.agents for row in measure(agents)]
    print("Write units of one counted change (transactional: the counter items' writes, doubled), "
          "by active agents in the team's hour:\n")
    columns = " | ".join(f"{n:,} agent{'s' * (n != 1)}" for n in args.agents)
    print(f"| layout | change | {columns} | largest counter item |")
    print("|---|---|" + "---:|" * len(args.agents) + "---:|")
    for layout in dict.fromkeys(row.layout for row in rows):
        for change in dict.fromkeys(row.change for row in rows):
            cells = [row for row in rows if row.layout == layout and row.change == change]
            print(f"| {layout} | {change} | " + " | ".join(f"{row.write_units:.0f}" for row in cells)
                  + f" | {cells[-1].largest_item_bytes / 1024:.1f} KB |")
    print(f"\n({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
