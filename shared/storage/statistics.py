"""Statistics counters, maintained as the work happens: atomic ADDs on one item per team and
hour (and one 'current' item per team for the occupancy now). A statistics request reads one
item per hour of its span, whatever the number of conversations.

Counter names are dynamic (a channel, a tag, an agent id), so these items are written with
DynamoDB's own client: ADD works on top-level attributes only, one attribute per counter.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import boto3
from chalicelib import resources
from chalicelib.settings import get_settings

from . import keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

COUNTER_PREFIX = "n:"


@lru_cache(maxsize=1)
def dynamodb_client() -> DynamoDBClient:
    return boto3.client("dynamodb")


def _table() -> str:
    return resources.TABLE.physical_name(get_settings().app_name)


class StatsRepository:
    def add(self, team_id: str, at: datetime, counts: Mapping[str, int]) -> None:
        """Add to the counters of the hour of ``at``."""
        self._add(keys.stats_pk(team_id), keys.stats_hour_sk(at), counts)

    def adjust_current(self, team_id: str, deltas: Mapping[str, int]) -> None:
        """Move the team's occupancy gauges (conversations in New and Assigned now)."""
        self._add(keys.stats_pk(team_id), keys.STATS_CURRENT_SK, deltas)

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

    @staticmethod
    def _add(pk: str, sk: str, counts: Mapping[str, int]) -> None:
        counts = {name: value for name, value in counts.items() if value}
        if not counts:
            return
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        clauses = []
        for index, (name, value) in enumerate(sorted(counts.items())):
            names[f"#c{index}"] = COUNTER_PREFIX + name
            values[f":v{index}"] = {"N": str(value)}
            clauses.append(f"#c{index} :v{index}")
        dynamodb_client().update_item(
            TableName=_table(),
            Key={resources.TABLE.partition_key: {"S": pk}, resources.TABLE.sort_key: {"S": sk}},
            UpdateExpression="ADD " + ", ".join(clauses),
            ExpressionAttributeNames=names, ExpressionAttributeValues=values)


def _counters(item: Mapping[str, Any]) -> dict[str, int]:
    counters: Counter[str] = Counter()
    for name, value in item.items():
        if name.startswith(COUNTER_PREFIX) and "N" in value:
            counters[name.removeprefix(COUNTER_PREFIX)] = int(Decimal(value["N"]))
    return dict(counters)
