"""Statistics counters, maintained as the work happens: atomic ADDs on small items of a team's
hour, read back with one Query per span that sums them (and one per team for the occupancy now).
A statistics request reads the items of each hour of its span, whatever the number of
conversations.

No item grows with the team, so a counted change costs the same write units at 1 agent and at
2,000 (benchmarks/stats_counters.py; docs/data-model.md has the arithmetic). A change that names
an agent (an assignment, an archive, a reply) writes all its counts to that agent's item of the
hour; any other (a conversation created, a tag applied) to one of the team's ``STATS_SHARDS``
items of the hour, picked at random, and its occupancy gauges to one of as many gauge items. A
transaction that collided on a shard is rebuilt (storage/transact.py) and likely lands on another.

The counters move in the same transaction as the change they count (``count_in``): the change
and its counts are written together or not at all, so a failure or a retry of the work can
neither lose a count nor add one twice (the change's own condition - the conversation's version,
the provider message id, the tag link - stops the second attempt, and its counts with it).

Counter names are dynamic (a channel, a tag, an agent id): one top-level attribute per counter
(``n:<name>``), since ADD works on top-level attributes only. They are read with DynamoDB's own
client.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from chalicelib.core import resources
from chalicelib.domain.ports.conversations import Tally
from pynamodb.expressions.operand import Path, Value
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from . import keys
from .binding import dynamodb_client
from .items import StatsCounterItem, TableItem

if TYPE_CHECKING:
    pass

COUNTER_PREFIX = "n:"




def _table() -> str:
    return TableItem.Meta.table_name


def count_in(transaction: TransactWrite, tally: Tally | None) -> None:
    """Add the tally's counter updates to the transaction of the change it counts (at most two
    operations: an item of the hour and an occupancy item)."""
    if tally is None:
        return
    pk = keys.stats_pk(tally.team_id)
    shard = random.randrange(keys.STATS_SHARDS)  # noqa: S311 - spreads writes, not security
    hour_sk = (keys.stats_agent_hour_sk(tally.at, tally.agent_id) if tally.agent_id
               else keys.stats_team_hour_sk(tally.at, shard))
    for sk, deltas in ((hour_sk, tally.counts), (keys.stats_current_sk(shard), tally.gauges)):
        actions: list[Action] = [Path([COUNTER_PREFIX + name]).add(Value({"N": str(value)}))
                                 for name, value in sorted(deltas.items()) if value]
        if actions:
            transaction.update(StatsCounterItem(pk, sk), actions=actions)


class StatsRepository:
    def current(self, team_id: str) -> dict[str, int]:
        """The team's occupancy gauges: the sum of its gauge items."""
        gauges: Counter[str] = Counter()
        for item in self._query(team_id, "begins_with(#sk, :low)", {":low": {"S": keys.STATS_CURRENT_SK}}):
            gauges.update(_counters(item))
        return dict(gauges)

    def hours(self, team_id: str, since: datetime, until: datetime) -> list[tuple[str, dict[str, int]]]:
        """(hour key, counters summed over the hour's items) for each hour bucket in [since, until)
        that has counts, in order."""
        buckets: dict[str, Counter[str]] = {}
        until_hour = keys.stats_hour_of(keys.stats_hour_sk(until))
        # The span is half-open: the bucket of `until` counts only if until is past its start.
        until_excluded = until.minute == 0 and until.second == 0 and until.microsecond == 0
        items = self._query(team_id, "#sk BETWEEN :low AND :high",
                            {":low": {"S": keys.stats_hour_sk(since)},
                             ":high": {"S": keys.stats_hour_sk(until) + keys.STATS_HOUR_END}})
        for item in items:
            hour = keys.stats_hour_of(item[resources.TABLE.sort_key]["S"])
            if hour == until_hour and until_excluded:
                continue
            buckets.setdefault(hour, Counter()).update(_counters(item))
        return [(hour, dict(counters)) for hour, counters in buckets.items()]

    @staticmethod
    def _query(team_id: str, sort_condition: str, values: dict[str, Any]) -> Iterator[Mapping[str, Any]]:
        paginator = dynamodb_client().get_paginator("query")
        pages = paginator.paginate(
            TableName=_table(),
            KeyConditionExpression=f"#pk = :pk AND {sort_condition}",
            ExpressionAttributeNames={"#pk": resources.TABLE.partition_key, "#sk": resources.TABLE.sort_key},
            ExpressionAttributeValues={":pk": {"S": keys.stats_pk(team_id)}, **values})
        for page in pages:
            yield from page.get("Items", [])


def _counters(item: Mapping[str, Any]) -> dict[str, int]:
    counters: Counter[str] = Counter()
    for name, value in item.items():
        if name.startswith(COUNTER_PREFIX) and "N" in value:
            counters[name.removeprefix(COUNTER_PREFIX)] = int(Decimal(value["N"]))
    return dict(counters)
