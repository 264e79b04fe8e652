"""Scale and footprint figures: what an inbox page costs as the inbox grows, how long the
functions' module takes to import on a cold start, and how big the deployment package is.

    python -m benchmarks.scale                      # 1,000 and 100,000 conversations
    python -m benchmarks.scale --sizes 1000 --skip-package

* Page cost: N conversations are written to one team's table on moto (in this process), then the
  first and a later page of each inbox tab are read through the repository, and the DynamoDB
  read units reported by ``ReturnConsumedCapacity`` are summed per page. A Query reads only the
  page it returns, so the figure must not grow with N.
* Cold start: benchmarks/cold_start.py (each function's handler module and the use cases its
  first event builds, as a ratio to ``import boto3`` measured in the same run).
* Package: ``chalice package`` builds the deployment zip that every function shares (it fetches
  the dependencies' wheels from PyPI).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import boto3
import botocore.session
from chalicelib.core.settings import app_name
from moto import mock_aws

from benchmarks import cold_start
from benchmarks.capacity import read_units
from infra.constructs.bytecode import with_runtime_bytecode
from local.provision import create_table
from local.runtime import FUNCTIONS_DIR

PAGE_SIZE = 25
TEAM_ID = "default"
WRITE_BATCH = 25


class ReadUnitMeter:
    """Read units of the (eventually consistent) Query and BatchGetItem calls made while attached, computed from
    what each call returned (benchmarks/capacity.py)."""

    def __init__(self) -> None:
        self.read_units = 0.0

    def __call__(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        # A page of a keys-only index is a Query and a BatchGetItem of its conversations.
        self.read_units += read_units(model.name, {}, parsed)


def _conversation_item(number: int, start: datetime) -> dict[str, Any]:
    from chalicelib.storage import keys

    conversation_id = f"c{number:07d}"
    at = start + timedelta(seconds=number)
    # Spread over the three states, so that the All tab by last message merges three lists.
    state = ("new", "assigned", "archived")[number % 3]
    created = at.strftime("%Y-%m-%dT%H:%M:%S.%f+0000")
    return {
        "pk": {"S": keys.conversation_pk(conversation_id)}, "sk": {"S": keys.CONVERSATION_SK},
        "kind": {"S": "conversation"}, "conversation_id": {"S": conversation_id},
        "channel": {"S": "whatsapp"}, "account_id": {"S": "wa-demo"},
        "customer_id": {"S": f"+3161{number:07d}"}, "customer_name": {"S": f"Customer {number}"},
        "team_id": {"S": TEAM_ID}, "state": {"S": state}, "created_at": {"S": created},
        "last_message_at": {"S": created}, "last_customer_message_at": {"S": created},
        "preview": {"S": "Hello, I have a question about my order"}, "version": {"N": "0"},
        "state_pk": {"S": keys.state_list_pk(TEAM_ID, state)}, "team_pk": {"S": keys.team_list_pk(TEAM_ID)},
        "created_sk": {"S": keys.time_sk(at, conversation_id)},
        "activity_sk": {"S": keys.time_sk(at, conversation_id)},
    }


def page_read_units(sizes: list[int]) -> list[tuple[int, str, float, float]]:
    """(conversations, tab, read units of the first page, of the fifth page) per size and tab."""
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1"})
    os.environ.pop("AWS_ENDPOINT_URL", None)
    rows = []
    for size in sizes:
        with mock_aws():  # a fresh, empty moto per size
            from chalicelib.storage.binding import bind_table
            from chalicelib.storage.conversations import ListView, SortField
            from chalicelib.storage.items import TableItem
            from chalicelib.storage.repository import ContactRepository

            table_name = create_table(None, "us-east-1", app_name())
            client = boto3.client("dynamodb", region_name="us-east-1")
            start = datetime(2026, 1, 1, tzinfo=UTC)
            for first in range(0, size, WRITE_BATCH):
                client.batch_write_item(RequestItems={table_name: [
                    {"PutRequest": {"Item": _conversation_item(n, start)}}
                    for n in range(first, min(size, first + WRITE_BATCH))]})
            bind_table(table_name, "us-east-1")  # a new moto: PynamoDB builds its client again
            repository = ContactRepository()
            meter = ReadUnitMeter()
            events = TableItem._get_connection().connection.client.meta.events
            events.register("after-call.dynamodb.Query", meter)
            events.register("after-call.dynamodb.BatchGetItem", meter)
            lists: tuple[tuple[ListView, SortField], ...] = (("new", "created"), ("all", "created"),
                                                              ("all", "activity"))
            for tab, sort in lists:
                cursor, readings = None, []
                for _ in range(5):
                    before = meter.read_units
                    page = repository.list_conversations(view=tab, team_id=TEAM_ID, user_id="u", sort=sort,
                                                         ascending=False, limit=PAGE_SIZE, cursor=cursor)
                    assert len(page.items) == PAGE_SIZE
                    readings.append(meter.read_units - before)
                    cursor = page.next_cursor
                rows.append((size, f"{tab} by {'conversation date' if sort == 'created' else 'last message'}",
                             readings[0], readings[-1]))
    return rows


class PackageSize(NamedTuple):
    zipped: int  # bytes
    unzipped: int  # bytes
    files: int


def _measured(package: Path) -> PackageSize:
    with zipfile.ZipFile(package) as archive:
        return PackageSize(package.stat().st_size, sum(info.file_size for info in archive.infolist()),
                           len(archive.infolist()))


def package_size() -> tuple[PackageSize, PackageSize]:
    """The deployment package ``chalice package`` builds, as it builds it and with its bytecode
    added as the stack adds it (infra/constructs/bytecode.py; compiled here by this interpreter,
    which stands in for the runtime's: the same modules, files of about the same size).

    It packages a copy of functions/ whose stage leaves IAM to the caller, as the CDK stack does
    (infra/constructs/api.py), so that Chalice neither analyses the code for a policy nor wants a
    policy file."""
    with tempfile.TemporaryDirectory() as work:
        project, out = Path(work) / "functions", Path(work) / "out"
        shutil.copytree(FUNCTIONS_DIR, project, symlinks=False,
                        ignore=shutil.ignore_patterns("__pycache__", ".mypy_cache", "deployments", "deployed"))
        config_file = project / ".chalice" / "config.json"
        config = json.loads(config_file.read_text())
        config["stages"]["dev"].update({"autogen_policy": False, "manage_iam_role": False,
                                        "iam_role_arn": "arn:aws:iam::123456789012:role/packaging-only"})
        config_file.write_text(json.dumps(config))
        env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")}
        chalice = Path(sys.executable).with_name("chalice")  # the CLI installed beside this interpreter
        subprocess.run([str(chalice), "package", str(out)], cwd=project, env=env,  # noqa: S603
                       check=True, capture_output=True)
        package = out / "deployment.zip"
        sources = _measured(package)
        with_runtime_bytecode(package, sys.executable)
        return sources, _measured(package)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--skip-package", action="store_true", help="skip `chalice package` (needs PyPI)")
    parser.add_argument("--skip-cold-start", action="store_true", help="skip the cold start (benchmarks.cold_start)")
    args = parser.parse_args()
    botocore.session.Session()  # import cost outside the timed parts
    started = time.monotonic()
    rows = page_read_units(args.sizes)
    print(f"Inbox page of {PAGE_SIZE} conversations (a third each New, Assigned, Archived; one Query on an "
          "index, the All tab by last message three merged), read units per page:\n")
    print("| conversations | tab | first page | fifth page |\n|---:|---|---:|---:|")
    for size, tab, first, fifth in rows:
        print(f"| {size:,} | {tab} | {first:.1f} | {fifth:.1f} |")
    if not args.skip_cold_start:
        print(f"\nCold start (benchmarks/cold_start.py): each function's handler module imported and its first "
              f"event's use cases built, fresh interpreter (median of {cold_start.RUNS}), as a ratio to `import boto3` "
              "in the same run:\n")
        print(cold_start.table(cold_start.ratios()))
    if not args.skip_package:
        for label, built in zip(("chalice package", "with its bytecode"), package_size(), strict=True):
            print(f"Deployment package ({label}): {built.zipped / 1e6:.1f} MB zipped, "
                  f"{built.unzipped / 1e6:.1f} MB unzipped, {built.files} files; shared by every function.")
    print(f"\n({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
