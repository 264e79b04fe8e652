"""The local runtime's DynamoDB (moto, patched by ``local.atomic_dynamodb`` and
``local.dynamodb_indexes``) answers as DynamoDB does: conditional writes are atomic under
concurrency, transactions are all or nothing with a cancellation reason per item, and Query
reads in sort-key order and pages with Limit, LastEvaluatedKey and ScanIndexForward.

Each test talks to its own moto server over loopback, as the functions do."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from local.atomic_dynamodb import make_writes_atomic
from tests.integration.moto_server import moto_client

INDEX = "by_queue"


@pytest.fixture(scope="module")
def dynamodb() -> Iterator[Any]:
    make_writes_atomic()
    with moto_client("dynamodb") as client:
        yield client


@pytest.fixture
def table(dynamodb: Any) -> str:
    """A fresh table: pk/sk, and an index on queue/at (sparse: items without ``at`` are not in it)."""
    name = f"t-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "queue", "at")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": INDEX, "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "queue", "KeyType": "HASH"},
                                               {"AttributeName": "at", "KeyType": "RANGE"}]}])
    return name


def s(value: str) -> dict[str, str]:
    return {"S": value}


def put(dynamodb: Any, table: str, pk: str, sk: str = "A", **attributes: str) -> None:
    dynamodb.put_item(TableName=table, Item={"pk": s(pk), "sk": s(sk), **{k: s(v) for k, v in attributes.items()}})


def get(dynamodb: Any, table: str, pk: str, sk: str = "A") -> dict[str, Any] | None:
    item: dict[str, Any] | None = dynamodb.get_item(TableName=table, Key={"pk": s(pk), "sk": s(sk)},
                                                    ConsistentRead=True).get("Item")
    return item


def error_code(error: ClientError) -> str:
    return str(error.response["Error"]["Code"])


# --- conditions under concurrency ----------------------------------------------------------------

def test_of_many_concurrent_conditional_pickups_exactly_one_wins(dynamodb: Any, table: str) -> None:
    # Given a conversation in state new
    put(dynamodb, table, "conv", state="new")
    barrier = threading.Barrier(12)

    def pick_up(agent: int) -> str:
        barrier.wait(timeout=10)
        try:
            dynamodb.update_item(TableName=table, Key={"pk": s("conv"), "sk": s("A")},
                                 UpdateExpression="SET #state = :taken, picked_by = :agent",
                                 ConditionExpression="#state = :new", ExpressionAttributeNames={"#state": "state"},
                                 ExpressionAttributeValues={":taken": s("taken"), ":new": s("new"),
                                                            ":agent": s(f"agent{agent}")})
            return "won"
        except ClientError as error:
            return error_code(error)

    # When twelve agents pick it up at once
    with ThreadPoolExecutor(12) as pool:
        won = list(pool.map(pick_up, range(12)))
    # Then exactly one succeeded, the others' conditions failed, and the item names the winner
    assert sorted(won) == ["ConditionalCheckFailedException"] * 11 + ["won"]
    stored = get(dynamodb, table, "conv")
    assert stored is not None
    assert stored["picked_by"] == s(f"agent{won.index('won')}")


def test_concurrent_counter_increments_are_all_counted(dynamodb: Any, table: str) -> None:
    # When eight writers each add 1 twenty-five times to the same counter
    def add_many(_: int) -> None:
        for _ in range(25):
            dynamodb.update_item(TableName=table, Key={"pk": s("stats"), "sk": s("A")},
                                 UpdateExpression="ADD handled :one", ExpressionAttributeValues={":one": {"N": "1"}})

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(add_many, range(8)))
    # Then none of the 200 increments was lost
    stored = get(dynamodb, table, "stats")
    assert stored is not None
    assert stored["handled"] == {"N": "200"}


def test_a_put_only_if_absent_stores_one_of_many_concurrent_writers(dynamodb: Any, table: str) -> None:
    barrier = threading.Barrier(10)

    def insert(writer: int) -> str:
        barrier.wait(timeout=10)
        try:
            dynamodb.put_item(TableName=table, Item={"pk": s("dedupe#wamid.1"), "sk": s("A"), "by": s(str(writer))},
                              ConditionExpression="attribute_not_exists(pk)")
            return "stored"
        except ClientError as error:
            return error_code(error)

    with ThreadPoolExecutor(10) as pool:
        outcomes = list(pool.map(insert, range(10)))
    assert sorted(outcomes) == ["ConditionalCheckFailedException"] * 9 + ["stored"]


# --- transactions ------------------------------------------------------------------------------

def test_a_transaction_with_one_failed_condition_writes_nothing_and_says_which(dynamodb: Any, table: str) -> None:
    # Given a conversation already taken, and a counter
    put(dynamodb, table, "conv", state="taken")
    put(dynamodb, table, "counter", n="1")
    # When a transaction puts a new item, updates the counter, and updates the conversation only if new
    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": s("new-item"), "sk": s("A")}}},
            {"Update": {"TableName": table, "Key": {"pk": s("counter"), "sk": s("A")},
                        "UpdateExpression": "SET n = :two", "ExpressionAttributeValues": {":two": s("2")}}},
            {"Update": {"TableName": table, "Key": {"pk": s("conv"), "sk": s("A")},
                        "UpdateExpression": "SET picked_by = :me", "ConditionExpression": "#state = :new",
                        "ExpressionAttributeNames": {"#state": "state"},
                        "ExpressionAttributeValues": {":me": s("me"), ":new": s("new")},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        ])
    # Then it is cancelled with one reason per item, the failed one carrying the item as it was
    assert error_code(raised.value) == "TransactionCanceledException"
    reasons: list[Any] = list(raised.value.response["CancellationReasons"])
    assert [r["Code"] for r in reasons] == ["None", "None", "ConditionalCheckFailed"]
    assert reasons[2]["Item"]["state"] == s("taken")
    # And nothing of it was written
    assert get(dynamodb, table, "new-item") is None
    assert get(dynamodb, table, "counter") == {"pk": s("counter"), "sk": s("A"), "n": s("1")}
    assert "picked_by" not in (get(dynamodb, table, "conv") or {})


def test_a_transaction_whose_conditions_hold_writes_everything(dynamodb: Any, table: str) -> None:
    put(dynamodb, table, "conv", state="new", queue="team#new", at="2026-01-01")
    dynamodb.transact_write_items(TransactItems=[
        {"Update": {"TableName": table, "Key": {"pk": s("conv"), "sk": s("A")},
                    "UpdateExpression": "SET #state = :taken, queue = :mine", "ConditionExpression": "#state = :new",
                    "ExpressionAttributeNames": {"#state": "state"},
                    "ExpressionAttributeValues": {":taken": s("taken"), ":new": s("new"), ":mine": s("agent#me")}}},
        {"ConditionCheck": {"TableName": table, "Key": {"pk": s("conv"), "sk": s("B")},
                            "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Delete": {"TableName": table, "Key": {"pk": s("lock"), "sk": s("A")}}},
    ])
    assert (get(dynamodb, table, "conv") or {})["state"] == s("taken")
    # And the index moved the conversation from one partition to the other
    assert query_index(dynamodb, table, "team#new") == []
    assert query_index(dynamodb, table, "agent#me") == ["conv"]


def test_a_transaction_naming_one_item_twice_is_refused(dynamodb: Any, table: str) -> None:
    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": s("x"), "sk": s("A")}}},
            {"Delete": {"TableName": table, "Key": {"pk": s("x"), "sk": s("A")}}},
        ])
    assert error_code(raised.value) == "ValidationException"
    assert get(dynamodb, table, "x") is None


def test_concurrent_transfers_keep_the_total(dynamodb: Any, table: str) -> None:
    # Given two balances of 50, and transfers of 1 in both directions, each only if funds remain
    put(dynamodb, table, "left", n="x")
    put(dynamodb, table, "right", n="x")
    for name in ("left", "right"):
        dynamodb.update_item(TableName=table, Key={"pk": s(name), "sk": s("A")}, UpdateExpression="SET n = :fifty",
                             ExpressionAttributeValues={":fifty": {"N": "50"}})

    def transfer(direction: int) -> str:
        source, target = ("left", "right") if direction % 2 else ("right", "left")
        try:
            dynamodb.transact_write_items(TransactItems=[
                {"Update": {"TableName": table, "Key": {"pk": s(source), "sk": s("A")},
                            "UpdateExpression": "SET n = n - :one", "ConditionExpression": "n >= :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}}}},
                {"Update": {"TableName": table, "Key": {"pk": s(target), "sk": s("A")},
                            "UpdateExpression": "SET n = n + :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            ])
            return "done"
        except ClientError as error:
            return error_code(error)

    # When 120 transfers run on eight threads
    with ThreadPoolExecutor(8) as pool:
        outcomes = set(pool.map(transfer, range(120)))
    # Then each was done or cancelled, and the total is what it was
    assert outcomes <= {"done", "TransactionCanceledException"}
    total = sum(int((get(dynamodb, table, name) or {})["n"]["N"]) for name in ("left", "right"))
    assert total == 100


# --- index and table queries: order and paging ---------------------------------------------------

def query_index(dynamodb: Any, table: str, queue: str, **options: Any) -> list[str]:
    response = dynamodb.query(TableName=table, IndexName=INDEX, KeyConditionExpression="queue = :q",
                              ExpressionAttributeValues={":q": s(queue)}, **options)
    return [item["pk"]["S"] for item in response["Items"]]


def all_pages(dynamodb: Any, **request: Any) -> tuple[list[str], int]:
    names: list[str] = []
    pages = 0
    start: dict[str, Any] | None = None
    while True:
        response = dynamodb.query(**request, **({"ExclusiveStartKey": start} if start else {}))
        names += [item["pk"]["S"] for item in response["Items"]]
        pages += 1
        start = response.get("LastEvaluatedKey")
        if not start:
            return names, pages


def test_an_index_query_returns_its_partition_in_sort_key_order_either_way(dynamodb: Any, table: str) -> None:
    # Given conversations written out of order, in two queues, and one without a time (not in the index)
    for number in (5, 1, 4, 2, 3):
        put(dynamodb, table, f"c{number}", queue="new", at=f"2026-01-0{number}")
    put(dynamodb, table, "other", queue="mine", at="2026-01-01")
    put(dynamodb, table, "sparse", queue="new")
    # Then the index reads one queue in time order, and newest first when asked
    assert query_index(dynamodb, table, "new") == ["c1", "c2", "c3", "c4", "c5"]
    assert query_index(dynamodb, table, "new", ScanIndexForward=False) == ["c5", "c4", "c3", "c2", "c1"]


def test_equal_index_keys_page_through_each_item_once(dynamodb: Any, table: str) -> None:
    # Given seven conversations with the same time (DynamoDB leaves their order to itself;
    # here the table key orders them, so pages are stable)
    for number in (3, 6, 0, 5, 1, 4, 2):
        put(dynamodb, table, f"c{number}", queue="new", at="2026-01-01")
    request = {"TableName": table, "IndexName": INDEX, "KeyConditionExpression": "queue = :q",
               "ExpressionAttributeValues": {":q": s("new")}, "Limit": 2}
    # When both directions are read two at a time
    forward, pages = all_pages(dynamodb, **request)
    backward, _ = all_pages(dynamodb, **request, ScanIndexForward=False)
    # Then each item comes once, in one order and its reverse
    assert forward == [f"c{n}" for n in range(7)]
    assert pages == 4
    assert backward == list(reversed(forward))


def test_last_evaluated_key_names_the_table_and_index_keys(dynamodb: Any, table: str) -> None:
    for number in range(3):
        put(dynamodb, table, f"c{number}", queue="new", at=f"2026-01-0{number + 1}")
    response = dynamodb.query(TableName=table, IndexName=INDEX, KeyConditionExpression="queue = :q",
                              ExpressionAttributeValues={":q": s("new")}, Limit=2)
    assert response["LastEvaluatedKey"] == {"pk": s("c1"), "sk": s("A"), "queue": s("new"), "at": s("2026-01-02")}
    assert response["Count"] == 2
    # And a page that reaches the end has none
    rest = dynamodb.query(TableName=table, IndexName=INDEX, KeyConditionExpression="queue = :q",
                          ExpressionAttributeValues={":q": s("new")}, Limit=2,
                          ExclusiveStartKey=response["LastEvaluatedKey"])
    assert [i["pk"]["S"] for i in rest["Items"]] == ["c2"]
    assert "LastEvaluatedKey" not in rest


def test_sort_key_conditions_on_the_index_and_the_table(dynamodb: Any, table: str) -> None:
    for day in range(1, 10):
        put(dynamodb, table, f"c{day}", queue="new", at=f"2026-01-0{day}")
        put(dynamodb, table, "thread", f"msg#{day:03d}")
    put(dynamodb, table, "thread", "note#001")

    def between(low: str, high: str) -> list[str]:
        response = dynamodb.query(TableName=table, IndexName=INDEX,
                                  KeyConditionExpression="queue = :q AND #at BETWEEN :low AND :high",
                                  ExpressionAttributeNames={"#at": "at"},
                                  ExpressionAttributeValues={":q": s("new"), ":low": s(low), ":high": s(high)})
        return [i["pk"]["S"] for i in response["Items"]]

    assert between("2026-01-03", "2026-01-05") == ["c3", "c4", "c5"]
    newer = dynamodb.query(TableName=table, IndexName=INDEX, KeyConditionExpression="queue = :q AND #at > :t",
                           ExpressionAttributeNames={"#at": "at"}, ScanIndexForward=False, Limit=2,
                           ExpressionAttributeValues={":q": s("new"), ":t": s("2026-01-07")})
    assert [i["pk"]["S"] for i in newer["Items"]] == ["c9", "c8"]
    messages = dynamodb.query(TableName=table, KeyConditionExpression="pk = :p AND begins_with(sk, :m)",
                              ExpressionAttributeValues={":p": s("thread"), ":m": s("msg#")}, ScanIndexForward=False,
                              Limit=3)
    assert [i["sk"]["S"] for i in messages["Items"]] == ["msg#009", "msg#008", "msg#007"]
    assert messages["LastEvaluatedKey"] == {"pk": s("thread"), "sk": s("msg#007")}


def test_limit_counts_items_read_before_the_filter(dynamodb: Any, table: str) -> None:
    for number in range(6):
        put(dynamodb, table, f"c{number}", queue="new", at=f"2026-01-0{number + 1}",
            tag="vip" if number % 2 else "none")
    response = dynamodb.query(TableName=table, IndexName=INDEX, KeyConditionExpression="queue = :q",
                              FilterExpression="tag = :vip", Limit=4,
                              ExpressionAttributeValues={":q": s("new"), ":vip": s("vip")})
    assert [i["pk"]["S"] for i in response["Items"]] == ["c1", "c3"]
    assert (response["Count"], response["ScannedCount"]) == (2, 4)
    assert response["LastEvaluatedKey"]["pk"] == s("c3")


def test_deleted_and_rewritten_items_leave_the_index(dynamodb: Any, table: str) -> None:
    put(dynamodb, table, "c1", queue="new", at="2026-01-01")
    put(dynamodb, table, "c2", queue="new", at="2026-01-02")
    dynamodb.delete_item(TableName=table, Key={"pk": s("c1"), "sk": s("A")})
    put(dynamodb, table, "c2", queue="archived", at="2026-01-02")
    assert query_index(dynamodb, table, "new") == []
    assert query_index(dynamodb, table, "archived") == ["c2"]


def test_an_index_gives_back_what_it_projects(dynamodb: Any) -> None:
    """KEYS_ONLY: the table's and the index's keys; INCLUDE: those and the named attributes; a
    ProjectionExpression on top: only what it names. An update is seen whole in the next read."""
    name = f"t-{uuid.uuid4().hex[:8]}"
    key_schema = [{"AttributeName": "queue", "KeyType": "HASH"}, {"AttributeName": "at", "KeyType": "RANGE"}]
    dynamodb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "queue", "at")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {"IndexName": "keys", "Projection": {"ProjectionType": "KEYS_ONLY"}, "KeySchema": key_schema},
            {"IndexName": "owner", "KeySchema": key_schema,
             "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["owner"]}}])
    put(dynamodb, name, "c1", queue="new", at="2026-01-01", owner="ann", body="x" * 1000)
    keys_only = dynamodb.query(TableName=name, IndexName="keys", KeyConditionExpression="queue = :q",
                               ExpressionAttributeValues={":q": s("new")})["Items"]
    assert keys_only == [{"pk": s("c1"), "sk": s("A"), "queue": s("new"), "at": s("2026-01-01")}]
    included = dynamodb.query(TableName=name, IndexName="owner", KeyConditionExpression="queue = :q",
                              ExpressionAttributeValues={":q": s("new")})["Items"]
    assert included == [{"pk": s("c1"), "sk": s("A"), "queue": s("new"), "at": s("2026-01-01"), "owner": s("ann")}]
    named = dynamodb.query(TableName=name, IndexName="owner", KeyConditionExpression="queue = :q",
                           ProjectionExpression="pk, #o", ExpressionAttributeNames={"#o": "owner"},
                           ExpressionAttributeValues={":q": s("new")})["Items"]
    assert named == [{"pk": s("c1"), "owner": s("ann")}]
    dynamodb.update_item(TableName=name, Key={"pk": s("c1"), "sk": s("A")}, UpdateExpression="SET #o = :o",
                         ExpressionAttributeNames={"#o": "owner"}, ExpressionAttributeValues={":o": s("bob")})
    whole = dynamodb.query(TableName=name, KeyConditionExpression="pk = :p",
                           ExpressionAttributeValues={":p": s("c1")})["Items"]
    assert whole[0]["owner"] == s("bob")
    assert whole[0]["body"] == s("x" * 1000)
    assert dynamodb.query(TableName=name, IndexName="owner", KeyConditionExpression="queue = :q",
                          ExpressionAttributeValues={":q": s("new")})["Items"][0]["owner"] == s("bob")
