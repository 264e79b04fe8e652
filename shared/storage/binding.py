"""Which table the stores use. The composition root binds it (wiring.py, from the function's
settings; the local runtime and the tests, to the table they made), so importing storage reads no
settings and a test can point the stores at another table without reloading anything."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import boto3
from pynamodb.models import Model

from .items import TableItem
from .transact import table_connection

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@lru_cache(maxsize=1)
def dynamodb_client() -> DynamoDBClient:
    """The low-level client of the stores that page raw items (statistics, purges): one per
    container, like the models' connections, and made again after a new binding."""
    return boto3.client("dynamodb")


def _models(root: type[Model]) -> list[type[Model]]:
    found: list[type[Model]] = [root]
    for subclass in root.__subclasses__():
        found += _models(subclass)
    return found


def bind_table(name: str, region: str) -> None:
    """Point every model and store connection made from now on at table ``name`` in ``region``."""
    TableItem.Meta.table_name = name
    TableItem.Meta.region = region
    for model in _models(TableItem):
        # PynamoDB caches a connection per model class, naming the table it was made for.
        if "_connection" in vars(model):
            model._connection = None
    table_connection.cache_clear()
    dynamodb_client.cache_clear()


def bound_table() -> tuple[str, str]:
    """(table name, region) as bound now."""
    return TableItem.Meta.table_name, TableItem.Meta.region
