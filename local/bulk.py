"""``python -m local.bulk --ready-file F --conversations N [--thread M]``: fill a running local
runtime with many conversations, for benchmarks and for tests of long lists and threads.

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
    parser.add_argument("--ready-file", type=Path, required=True, help="the file `python -m local --ready-file` wrote")
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


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    info = json.loads(args.ready_file.read_text())
    # The runtime's AWS endpoints and resource names, before anything of chalicelib is imported.
    os.environ.update(info["worker_environment"])
    started = time.monotonic()
    stored, thread_id = seed(args.conversations, args.thread, args.prefix)
    print(json.dumps({"conversations": stored, "thread": thread_id,
                      "seconds": round(time.monotonic() - started, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
