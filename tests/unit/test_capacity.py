"""The benchmarks' capacity rules, on items whose sizes are known by hand."""

import pytest

from benchmarks.capacity import item_size, read_units, write_units


def text(size: int) -> dict[str, str]:
    return {"S": "x" * size}


def test_item_size_counts_names_and_values() -> None:
    # "pk" (2) + "abc" (3), "n" (1) + 123 (2 significant-digit pairs + 1), "ok" (2) + bool (1)
    assert item_size({"pk": {"S": "abc"}, "n": {"N": "123"}, "ok": {"BOOL": True}}) == 5 + 4 + 3


@pytest.mark.parametrize(("value_size", "units"), [(1, 1.0), (1023, 1.0), (1024, 2.0), (5000, 5.0)])
def test_a_put_costs_one_unit_per_started_kilobyte(value_size: int, units: float) -> None:
    # "v" plus the value: 1 + value_size bytes
    assert write_units("PutItem", {"Item": {"v": text(value_size)}}, {}) == units


def test_each_index_the_item_is_on_costs_another_write() -> None:
    # on the state-created and team-created indexes, not on the owner or activity ones
    item = {"pk": text(5), "sk": text(5), "state_pk": text(5), "team_pk": text(5), "created_sk": text(5)}
    assert write_units("PutItem", {"Item": item}, {}) == 3.0
    # in a transaction: double, and an update (which returns nothing) counts as one unit
    assert write_units("TransactWriteItems", {"TransactItems": [{"Put": {"Item": item}}, {"Update": {}}]}, {}) == 8.0


def test_reads_round_the_page_up_to_4_kb_and_halve_for_eventual_consistency() -> None:
    page = {"Items": [{"v": text(1500)} for _ in range(4)]}  # 6004 bytes: two 4 KB blocks
    assert read_units("Query", {}, page) == 1.0
    assert read_units("Query", {"ConsistentRead": True}, page) == 2.0
    assert read_units("GetItem", {}, {}) == 0.5  # nothing found still costs the minimum
