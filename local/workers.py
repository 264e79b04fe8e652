"""``python -m local.workers --ready-file F``: the queue workers in a process of their own.

The local runtime normally polls its queues in its own process. Started with ``--no-pollers``,
it leaves that to this command, which reads the runtime's ready file, imports the same Chalice
app and polls every queue with Lambda-shaped events. Killing this process mid-batch is what a
Lambda crash looks like: the messages it had received come back after their visibility timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from . import aws_calls
from .pollers import stop_pollers
from .runtime import RuntimeConfig, load_functions_app, pollers_for
from .shared_botocore_session import share_one_botocore_session


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local.workers", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ready-file", type=Path, required=True, help="the file `python -m local --ready-file` wrote")
    parser.add_argument("--visibility-timeout", type=int, default=None,
                        help="seconds a received message stays invisible (default: the queue's own)")
    parser.add_argument("--slow-records", type=float, default=0.0,
                        help="fault injection: pause this long after routing each inbound record")
    return parser.parse_args(argv)


def _slow_down_routing(seconds: float) -> None:
    """Make each inbound record take ``seconds`` longer, so that a test can kill the process
    while a batch is half done."""
    from chalicelib.domain.routing import Router

    handle = Router.handle

    def slow_handle(self: Router, envelope: Any) -> Any:
        result = handle(self, envelope)
        time.sleep(seconds)
        return result

    Router.handle = slow_handle  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    info = json.loads(args.ready_file.read_text())
    os.environ.update(info["worker_environment"])
    config = RuntimeConfig(moto_port=int(os.environ["MOTO_PORT"]), region=os.environ["AWS_DEFAULT_REGION"],
                           receive_visibility_seconds=args.visibility_timeout)
    share_one_botocore_session()
    aws_calls.install()
    app_module = load_functions_app()
    if args.slow_records:
        _slow_down_routing(args.slow_records)
    from chalicelib.core import resources

    queue_urls = {queue.key: os.environ[resources.queue_url_env(queue)] for queue in resources.QUEUES}
    pollers = pollers_for(app_module, config, queue_urls)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    for poller in pollers:
        poller.start()
    print(f"polling {len(pollers)} queues", flush=True)
    stopped.wait()
    stop_pollers(pollers)
    aws_calls.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
