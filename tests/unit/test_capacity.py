"""The benchmarks' capacity rules, on items whose sizes are known by hand."""

import pytest
from chalicelib.core.resources import IndexDefinition

from benchmarks.capacity import index_writes, item_size, item_write_units, read_units, write_units


def text(size: int) -> dict[str, str]:
    return {"S": "x" * size}


def s(value: str) -> dict[str, str]:
    return {"S": value}


ALL = IndexDefinition("state-activity", "state_pk", "activity_sk")
NARROW = IndexDefinition("lookup-created", "lookup_pk", "created_sk", include=("conversation_id",))


def test_item_size_counts_names_and_values() -> None:
    # "pk" (2) + "abc" (3), "n" (1) + 123 (2 significant-digit pairs + 1), "ok" (2) + bool (1)
    assert item_size({"pk": {"S": "abc"}, "n": {"N": "123"}, "ok": {"BOOL": True}}) == 5 + 4 + 3


@pytest.mark.parametrize(("value_size", "units"), [(1, 1), (1000, 1), (1024, 2), (5000, 5)])
def test_a_put_costs_one_unit_per_started_kilobyte(value_size: int, units: int) -> None:
    # pk + sk (4 bytes) and "v" plus the value
    item = {"pk": s("a"), "sk": s("b"), "v": text(value_size)}
    assert item_write_units(None, item, indexes=()) == units


def test_an_update_is_sized_by_the_larger_image_and_a_delete_by_the_item_deleted() -> None:
    small, large = {"pk": s("a"), "sk": s("b")}, {"pk": s("a"), "sk": s("b"), "v": text(3000)}
    assert item_write_units(large, small, indexes=()) == 3
    assert item_write_units(large, None, indexes=()) == 3


def test_an_index_is_written_when_the_item_enters_leaves_or_changes_on_it() -> None:
    base = {"pk": s("CONV#1"), "sk": s("CONVERSATION"), "preview": s("hi")}
    on_new = {**base, "state_pk": s("T#t#S#new"), "activity_sk": s("2025-01-01T00:00")}
    # enters: one write; leaves: one write; nothing changes: none
    assert index_writes(ALL, base, on_new) == 1
    assert index_writes(ALL, on_new, base) == 1
    assert index_writes(ALL, on_new, dict(on_new)) == 0
    # a projected attribute changes: one write; the index key changes: delete and put
    assert index_writes(ALL, on_new, {**on_new, "preview": s("hello")}) == 1
    assert index_writes(ALL, on_new, {**on_new, "activity_sk": s("2025-01-02T00:00")}) == 2


def test_a_narrow_index_ignores_what_it_does_not_project() -> None:
    # Given a lookup link on an index that projects only the conversation id
    link = {"pk": s("CONV#1"), "sk": s("LINK#ID"), "conversation_id": s("1"), "lookup_pk": s("T#t#WHO#ann"),
            "created_sk": s("2025-01-01"), "activity_sk": s("2025-01-01")}
    moved = {**link, "activity_sk": s("2025-01-02")}
    # When its activity moves forward, the narrow index is not written, an ALL one would be
    assert index_writes(NARROW, link, moved) == 0
    assert index_writes(IndexDefinition("lookup-created", "lookup_pk", "created_sk"), link, moved) == 1
    # And its entry is sized by what it projects: a large unprojected attribute costs nothing there
    bulky = {**link, "note": text(5000)}
    assert index_writes(NARROW, None, bulky) == 1


def test_the_table_and_every_index_the_item_is_on_count_and_transactions_double_the_table() -> None:
    item = {"pk": text(5), "sk": text(5), "state_pk": text(5), "team_pk": text(5), "created_sk": text(5)}
    request = {"Item": item}
    # on the state-created and team-created indexes, not on the owner or activity ones
    assert write_units("PutItem", request, {}, {("x" * 5, "x" * 5): item}) == 3.0
    # in a transaction the table's write counts twice (prepare, commit), the index writes once
    transaction = {"TransactItems": [{"Put": {"Item": item}}, {"ConditionCheck": {"Key": {}}}]}
    assert write_units("TransactWriteItems", transaction, {}, {("x" * 5, "x" * 5): item}) == 4.0


def test_reads_round_the_page_up_to_4_kb_and_halve_for_eventual_consistency() -> None:
    page = {"Items": [{"v": text(1500)} for _ in range(4)]}  # 6004 bytes: two 4 KB blocks
    assert read_units("Query", {}, page) == 1.0
    assert read_units("Query", {"ConsistentRead": True}, page) == 2.0
    assert read_units("GetItem", {}, {}) == 0.5  # nothing found still costs the minimum
