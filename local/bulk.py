"""``python -m local.bulk --ready-file F --conversations N [--thread M]``: fill a running local
runtime with many conversations, for benchmarks and for tests of long lists and threads.

``python -m local.bulk --data-dir DIR --conversations N``: the same into a stopped runtime's
data folder (one ``python -m local --data-dir DIR`` has run and stopped there): the items are
made in an in-process moto and appended to the folder's journal, which the next start reads.
50,000 conversations take minutes this way instead of most of an hour through a running runtime.

Each conversation is a customer's WhatsApp message on the demo account, in the default team's
New tab, a second apart and ending now; ``--thread M`` adds one more conversation of M customer
messages (newest last). They are written with the items routing writes, through
``ContactRepository.import_conversations`` (batch writes: moto copies every table for each
transaction, so thousands of routed messages would take an hour). Nothing goes through the
queues or the channel adapters, and the statistics are not counted. Prints one JSON line:
``{"conversations": N, "thread": id or null, "seconds": s}``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

TEAM_ID = "default"
ACCOUNT_ID = "wa-demo"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local.bulk", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--ready-file", type=Path, help="the file `python -m local --ready-file` wrote")
    where.add_argument("--data-dir", type=Path, help="a stopped runtime's data folder (python -m local --data-dir)")
    parser.add_argument("--conversations", type=int, default=0, help="conversations of one message each")
    parser.add_argument("--thread", type=int, default=0, help="messages of one more conversation")
    parser.add_argument("--prefix", default="3169", help="first digits of the customers' numbers (keep runs apart)")
    return parser.parse_args(argv)


def _message(number: int, customer: str, at: datetime, text: str) -> Any:
    from chalicelib.domain.models import Channel, ContentKind, InboundMessage

    return InboundMessage(channel=Channel.WHATSAPP, account_id=ACCOUNT_ID,
                          provider_message_id=f"wamid.BULK{customer}.{number}", customer_id=f"+{customer}",
                          customer_name=f"Customer {customer[-5:]}", sent_at=at, kind=ContentKind.TEXT, text=text)


def seed(count: int, thread: int, prefix: str) -> tuple[int, str | None]:
    from chalicelib.storage.repository import ContactRepository
    from chalicelib.wiring import bind_storage

    bind_storage()
    repository = ContactRepository()
    now = datetime.now(UTC)
    first = now - timedelta(seconds=count + thread)
    singles = [[_message(0, f"{prefix}{number:07d}", first + timedelta(seconds=number), f"Question {number + 1}")]
               for number in range(count)]
    stored = len(repository.import_conversations(singles, team_id=TEAM_ID))
    thread_id = None
    if thread:
        customer = f"{prefix}9{thread:06d}"
        messages = [_message(number, customer, now - timedelta(seconds=thread - number), f"Thread message {number + 1}")
                    for number in range(thread)]
        thread_id = repository.import_conversations([messages], team_id=TEAM_ID)[0]
    return stored, thread_id


def seed_data_dir(data_dir: Path, count: int, thread: int, prefix: str) -> tuple[int, str | None]:
    """Make the items in an in-process moto, then append them to the data folder's journal."""
    from moto import mock_aws
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from .persistence import DataDirInUse, ItemFiles, claim_data_dir, key_text
    from .provision import create_table
    from .runtime import RuntimeConfig

    try:
        claim = claim_data_dir(data_dir)  # held while the journal is written
    except DataDirInUse as error:
        raise SystemExit(str(error)) from None
    files = ItemFiles(data_dir)
    if not files.exists():
        raise SystemExit(f"{data_dir} holds no saved state: run python -m local --data-dir {data_dir} once, "
                         "stop it, then run this again")
    config = RuntimeConfig()
    for name in [name for name in os.environ if name.startswith(("AWS_", "CONTACT_"))]:
        del os.environ[name]  # an endpoint set for a running runtime would bypass the in-process moto
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": config.region, "AWS_REGION": config.region})
    with mock_aws():
        table_name = create_table(None, config.region, config.app_name)
        stored, thread_id = seed(count, thread, prefix)
        table = dynamodb_backends[DEFAULT_ACCOUNT_ID][config.region].get_table(table_name)
        items = [item for partition in table.items.values()
                 for item in (partition.values() if isinstance(partition, dict) else [partition])]
        files.generation = files.snapshot_generation()
        for start in range(0, len(items), 10_000):
            files.append([(key_text((item.hash_key, item.range_key)), item.to_json()["Attributes"])
                          for item in items[start:start + 10_000]])
    claim.close()
    return stored, thread_id


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    started = time.monotonic()
    if args.data_dir:
        stored, thread_id = seed_data_dir(args.data_dir, args.conversations, args.thread, args.prefix)
    else:
        info = json.loads(args.ready_file.read_text())
        # The runtime's AWS endpoints and resource names, before anything of chalicelib is imported.
        os.environ.update(info["worker_environment"])
        stored, thread_id = seed(args.conversations, args.thread, args.prefix)
    print(json.dumps({"conversations": stored, "thread": thread_id,
                      "seconds": round(time.monotonic() - started, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
