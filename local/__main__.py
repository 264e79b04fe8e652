"""``python -m local``: start the whole system on this machine and print where it is."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

from .runtime import LocalRuntime, RuntimeConfig, info_json


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__)
    parser.add_argument("--port", type=int, default=8000, help="web app and API (0 picks a free port)")
    parser.add_argument("--moto-port", type=int, default=5000, help="moto server (0 picks a free port)")
    parser.add_argument("--simulator-port", type=int, default=8001, help="channel simulator (0: free port)")
    parser.add_argument("--push-port", type=int, default=8002, help="WebSocket API for the web app (0: free port)")
    parser.add_argument("--push-management-port", type=int, default=8003,
                        help="the WebSocket API's management endpoint (0: free port)")
    parser.add_argument("--ready-file", type=Path, help="write the URLs and demo data here as JSON when ready")
    parser.add_argument("--retry-base-seconds", type=int, default=2, help="first delayed-retry wait")
    parser.add_argument("--no-pollers", action="store_true",
                        help="run no queue workers here (run them in their own process: python -m local.workers)")
    parser.add_argument("--verbose", action="store_true")
    return parser.parse_args()


def main() -> int:
    args = _parse()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    runtime = LocalRuntime(RuntimeConfig(port=args.port, moto_port=args.moto_port,
                                         simulator_port=args.simulator_port, push_port=args.push_port,
                                         push_management_port=args.push_management_port,
                                         retry_base_seconds=args.retry_base_seconds,
                                         start_pollers=not args.no_pollers))
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    try:
        info = runtime.start()
        demo = info.demo
        accounts = "\n".join(f"  {channel:<20}{a['name']}  ({a['account_id']})"
                              for channel, a in demo.get("accounts", {}).items())
        print(f"""
Open Contact is running on this machine (no AWS account involved).

  Web app             {info.web_url}
  API                 {info.api_url}
  Webhooks            {info.webhook_base_url}/<channel>/<account>
  Channel simulator   {info.simulator_url}   (chat as a customer here)
  moto (AWS APIs)     {info.moto_url}

  Sign in as          {', '.join(u['email'] for u in demo.get('users', []))}
  Password            {demo.get('password', '')}

Demo channel accounts (customers write to them in the simulator):
{accounts}

Press Ctrl+C to stop.""", flush=True)
        if args.ready_file:
            args.ready_file.write_text(info_json(info))
        stopped.wait()
    finally:
        print("Stopping...", file=sys.stderr, flush=True)
        runtime.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
