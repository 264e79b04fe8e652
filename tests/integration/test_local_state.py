"""The local runtime's saved table (``local.persistence``): a save writes the items written since
the last one, not the whole table; the snapshot and its journal read back as the table is; a
journal that outgrew its snapshot is folded into a new one; a line cut short by a crash is
ignored."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest

from local import persistence
from local.persistence import ItemFiles, StateKeeper
from local.runtime import LocalRuntime


@pytest.fixture
def keeper(runtime: LocalRuntime, tmp_path: Path) -> StateKeeper:
    assert runtime.resources is not None
    keeper = StateKeeper(tmp_path, runtime.resources)
    keeper.save()  # the first save: a snapshot of every item
    return keeper


@pytest.fixture
def dynamodb(runtime: LocalRuntime) -> Any:
    return boto3.client("dynamodb", endpoint_url=runtime.moto_url, region_name=runtime.config.region)


def table_items(runtime: LocalRuntime, dynamodb: Any) -> list[dict[str, Any]]:
    assert runtime.resources is not None
    pages = dynamodb.get_paginator("scan").paginate(TableName=runtime.resources.table_name)
    return sorted((item for page in pages for item in page["Items"]), key=lambda i: json.dumps(i, sort_keys=True))


def saved_items(folder: Path) -> list[dict[str, Any]]:
    return sorted(ItemFiles(folder).read(), key=lambda i: json.dumps(i, sort_keys=True))


def put(runtime: LocalRuntime, dynamodb: Any, pk: str, **attributes: str) -> None:
    assert runtime.resources is not None
    dynamodb.put_item(TableName=runtime.resources.table_name,
                      Item={"pk": {"S": pk}, "sk": {"S": "A"}, **{k: {"S": v} for k, v in attributes.items()}})


def test_a_save_writes_what_changed_and_reads_back_as_the_table_is(
        runtime: LocalRuntime, dynamodb: Any, keeper: StateKeeper, tmp_path: Path) -> None:
    assert runtime.resources is not None
    snapshot = (tmp_path / "items.jsonl").read_bytes()
    # Given three items written, one of them changed again and another deleted
    run = uuid.uuid4().hex[:8]
    for n in range(3):
        put(runtime, dynamodb, f"STATE#{run}#{n}", note="first")
    put(runtime, dynamodb, f"STATE#{run}#0", note="second")
    dynamodb.delete_item(TableName=runtime.resources.table_name, Key={"pk": {"S": f"STATE#{run}#1"}, "sk": {"S": "A"}})
    # When the state is saved
    keeper.save()
    # Then the journal holds those three items once each (the deleted one as deleted), and the snapshot is as it was
    journal = [json.loads(line) for line in keeper.items.journal().read_text().splitlines()]
    assert len(journal) == 3
    assert sorted(entry["item"] is None for entry in journal) == [False, False, True]
    assert (tmp_path / "items.jsonl").read_bytes() == snapshot
    # And snapshot plus journal read back as the table is
    assert saved_items(tmp_path) == table_items(runtime, dynamodb)


def test_a_journal_larger_than_its_snapshot_is_folded_into_a_new_one(
        runtime: LocalRuntime, dynamodb: Any, keeper: StateKeeper, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a journal grown larger than the share of the snapshot that triggers a fold (the share
    # set from the sizes: the session's table, and so its snapshot, is as large as the tests before made it)
    old_journal = keeper.items.journal()
    put(runtime, dynamodb, f"STATE#{uuid.uuid4().hex[:8]}", note="grows the journal")
    keeper.save(compact=False)
    assert old_journal.is_file()
    snapshot_size = (tmp_path / "items.jsonl").stat().st_size
    assert not keeper.items.needs_compaction()
    monkeypatch.setattr(persistence, "COMPACT_MIN_BYTES", 0)
    monkeypatch.setattr(persistence, "COMPACT_RATIO", old_journal.stat().st_size / snapshot_size / 2)
    assert keeper.items.needs_compaction()
    # When the next save runs
    put(runtime, dynamodb, f"STATE#{uuid.uuid4().hex[:8]}", note="after")
    keeper.save()
    # Then a snapshot of the next generation holds everything, and the old journal is gone
    assert not old_journal.is_file()
    assert json.loads((tmp_path / "items.jsonl").read_text().splitlines()[0])["generation"] == 2
    assert saved_items(tmp_path) == table_items(runtime, dynamodb)


def test_a_journal_line_cut_short_by_a_crash_is_ignored(
        runtime: LocalRuntime, dynamodb: Any, keeper: StateKeeper, tmp_path: Path) -> None:
    # Given a saved change, and a save cut short in the middle of its line
    put(runtime, dynamodb, f"STATE#{uuid.uuid4().hex[:8]}", note="saved")
    keeper.save()
    expected = saved_items(tmp_path)
    with keeper.items.journal().open("a") as journal:
        journal.write('{"key": "[{\\"S\\": \\"STATE#cut')
    # When the items are read, Then the saved ones are there and the cut line is not
    assert saved_items(tmp_path) == expected
