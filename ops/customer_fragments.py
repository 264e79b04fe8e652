"""Write the search fragments (the Like operator's index, docs/data-model.md "Customer search") of
every customer profile again: once after deploying the release that brought the Like operator
(profiles written before it have none), and once after the release that moved the fragments out
of the profiles' partitions (issue 19: the old layout's fragments are removed), and once after the
release that writes every other suffix only (issue 19.2: the odd ones are removed). Profiles
written since keep their own.

    python -m ops.customer_fragments --app-name <app_name>                        # in AWS
    python -m ops.customer_fragments --endpoint-url http://127.0.0.1:5000         # locally
    python -m ops.customer_fragments --segments 4 --segment 0   # one of 4 parallel runs

It reads the table with a Scan (filtered to profiles) and rewrites each profile's fragments, which
is idempotent, so it can be stopped and run again at any time, also while agents work. Cost: one
Scan of the table plus, per profile, one Query of its own partition, its fragments (about one
item per two characters of its name and of each address, at most 25 per value) and its record of
them.
"""

from __future__ import annotations

import argparse
import os
import sys

from chalicelib.core import resources
from chalicelib.core.settings import region as default_region
from chalicelib.storage.binding import bind_table
from chalicelib.storage.customer_items import CustomerItem
from chalicelib.storage.customers import CustomerStore


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.customer_fragments", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--app-name", default=resources.DEFAULT_APP_NAME)
    parser.add_argument("--endpoint-url", help="an AWS-compatible endpoint, e.g. the local runtime's moto")
    parser.add_argument("--region", default=None)
    parser.add_argument("--segments", type=int, default=1, help="split the Scan into this many segments")
    parser.add_argument("--segment", type=int, default=None, help="run only this segment (0-based); default all")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.endpoint_url:
        os.environ["AWS_ENDPOINT_URL"] = args.endpoint_url
    bind_table(resources.TABLE.physical_name(args.app_name), args.region or default_region())
    store = CustomerStore()
    segments = range(args.segments) if args.segment is None else [args.segment]
    profiles = changes = 0
    for segment in segments:
        # The one Scan of the project: an operator's command, never a request path or a worker.
        for item in CustomerItem.scan(segment=segment, total_segments=args.segments,
                                      attributes_to_get=["pk", "sk", "customer_id", "kind"]):
            profiles += 1
            changes += store.sync_fragments(item.customer_id, rewrite=True)
    print(f"{profiles} profile(s) checked, {changes} search fragment(s) written or removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
