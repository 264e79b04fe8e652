"""Statistics counters, maintained as the work happens: atomic ADDs on one item per team and
hour (and one 'current' item per team for the occupancy now). A statistics request reads one
item per hour of its span, whatever the number of conversations.

The counters move in the same transaction as the change they count (``count_in``): the change
and its counts are written together or not at all, so a failure or a retry of the work can
neither lose a count nor add one twice (the change's own condition - the conversation's version,
the provider message id, the tag link - stops the second attempt, and its counts with it).

Counter names are dynamic (a channel, a tag, an agent id): one top-level attribute per counter
(``n:<name>``), since ADD works on top-level attributes only. They are read with DynamoDB's own
client.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import boto3
from chalicelib.core import resources
from chalicelib.core.settings import get_settings
from pynamodb.expressions.operand import Path, Value
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from . import keys
from .items import StatsCounterItem

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

COUNTER_PREFIX = "n:"


@lru_cache(maxsize=1)
def dynamodb_client() -> DynamoDBClient:
    return boto3.client("dynamodb")


def _table() -> str:
    return resources.TABLE.physical_name(get_settings().app_name)


@dataclass(frozen=True)
class Tally:
    """What one change adds to a team's counters: ``counts`` to the hour of ``at``, ``gauges`` to
    the occupancy now (conversations in New and Assigned)."""

    team_id: str
    at: datetime
    counts: Mapping[str, int] = field(default_factory=dict)
    gauges: Mapping[str, int] = field(default_factory=dict)


def count_in(transaction: TransactWrite, tally: Tally | None) -> None:
    """Add the tally's counter updates to the transaction of the change it counts (at most two
    operations: the hour's item and the team's occupancy item)."""
    if tally is None:
        return
    pk = keys.stats_pk(tally.team_id)
    for sk, deltas in ((keys.stats_hour_sk(tally.at), tally.counts), (keys.STATS_CURRENT_SK, tally.gauges)):
        actions: list[Action] = [Path([COUNTER_PREFIX + name]).add(Value({"N": str(value)}))
                                 for name, value in sorted(deltas.items()) if value]
        if actions:
            transaction.update(StatsCounterItem(pk, sk), actions=actions)


class StatsRepository:
    def current(self, team_id: str) -> dict[str, int]:
        response = dynamodb_client().get_item(TableName=_table(), Key={
            resources.TABLE.partition_key: {"S": keys.stats_pk(team_id)},
            resources.TABLE.sort_key: {"S": keys.STATS_CURRENT_SK}})
        return _counters(response.get("Item", {}))

    def hours(self, team_id: str, since: datetime, until: datetime) -> list[tuple[str, dict[str, int]]]:
        """(hour key, counters) for each hour bucket in [since, until) that has counts."""
        buckets: list[tuple[str, dict[str, int]]] = []
        paginator = dynamodb_client().get_paginator("query")
        pages = paginator.paginate(
            TableName=_table(),
            KeyConditionExpression="#pk = :pk AND #sk BETWEEN :low AND :high",
            ExpressionAttributeNames={"#pk": resources.TABLE.partition_key, "#sk": resources.TABLE.sort_key},
            ExpressionAttributeValues={":pk": {"S": keys.stats_pk(team_id)},
                                       ":low": {"S": keys.stats_hour_sk(since)},
                                       ":high": {"S": keys.stats_hour_sk(until)}})
        until_key = keys.stats_hour_sk(until)
        for page in pages:
            for item in page.get("Items", []):
                hour = item[resources.TABLE.sort_key]["S"]
                # The span is half-open: the bucket of `until` counts only if until is past its start.
                if hour == until_key and until.minute == 0 and until.second == 0 and until.microsecond == 0:
                    continue
                buckets.append((hour.removeprefix(keys.STATS_HOUR_PREFIX), _counters(item)))
        return buckets


def _counters(item: Mapping[str, Any]) -> dict[str, int]:
    counters: Counter[str] = Counter()
    for name, value in item.items():
        if name.startswith(COUNTER_PREFIX) and "N" in value:
            counters[name.removeprefix(COUNTER_PREFIX)] = int(Decimal(value["N"]))
    return dict(counters)
