"""``python -m local``: start the whole system on this machine and print where it is."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from .runtime import DEFAULT_DATA_DIR, LocalRuntime, RuntimeConfig, StartFailed, busy_ports, info_json


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
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help="where the state is kept between runs (default: .local/data)")
    parser.add_argument("--fresh", action="store_true", help="forget the saved state and start empty")
    parser.add_argument("--no-data", action="store_true", help="keep nothing on disk (tests, benchmarks)")
    parser.add_argument("--empty", action="store_true",
                        help="no demo content (tags, quick replies, templates, Billing team, waiting customers); "
                             "the demo users and channel accounts are always made")
    parser.add_argument("--verbose", action="store_true")
    return parser.parse_args()


def _ports_free(args: argparse.Namespace) -> bool:
    busy = busy_ports({"--port": args.port, "--moto-port": args.moto_port, "--simulator-port": args.simulator_port})
    for option, port in busy.items():
        print(f"Port {port} ({option}) is in use, by another program or another Open Contact.\n"
              f"  Stop that one, or choose another port: python -m local {option} <port>  "
              f"(make run ARGS='{option} <port>'; 0 picks a free one).", file=sys.stderr)
    return not busy


def main() -> int:
    args = _parse()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if not _ports_free(args):
        return 2
    runtime = LocalRuntime(RuntimeConfig(port=args.port, moto_port=args.moto_port,
                                         simulator_port=args.simulator_port, push_port=args.push_port,
                                         push_management_port=args.push_management_port,
                                         retry_base_seconds=args.retry_base_seconds,
                                         start_pollers=not args.no_pollers,
                                         data_dir=None if args.no_data else args.data_dir, fresh=args.fresh,
                                         demo_content=not args.empty))
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    try:
        try:
            info = runtime.start()
        except StartFailed as failed:
            print(f"\nOpen Contact did not start: {failed}", file=sys.stderr)
            return 1
        restored = ", ".join(f"{count} {what}" for what, count in runtime.restored.items())
        kept = (f"  Data                {args.data_dir}  (saved every few seconds and on stop;\n"
                f"{'':22}{'restored ' + restored if restored else 'started empty'}; --fresh starts empty)"
                if not args.no_data else "  Data                not kept (--no-data)")
        demo = info.demo
        users = "\n".join(f"  {u['email']:<26}{u['role']:<15}teams: {', '.join(u.get('team_ids', []))}"
                           for u in demo.get("users", []))
        conversations = ("\nDemo conversations: Support has 2 waiting in New, 1 with agent1, 1 with agent2\n"
                         "and 1 archived; Billing has 3 waiting. Tags, quick replies (Ctrl+Q) and WhatsApp\n"
                         "templates are set up (--empty starts without them).\n"
                         if not args.empty and not runtime.restored else "")
        accounts = "\n".join(f"  {channel:<20}{a['name']}  ({a['account_id']})"
                              for channel, a in demo.get("accounts", {}).items())
        print(f"""
Open Contact is running on this machine (no AWS account involved).

  Web app             {info.web_url}
  API                 {info.api_url}
  Webhooks            {info.webhook_base_url}/<channel>/<account>
  Channel simulator   {info.simulator_url}   (chat as a customer here)
  moto (AWS APIs)     {info.moto_url}
{kept}

Sign in (password {demo.get('password', '')}):
{users}
{conversations}
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


def _exit_now(code: int) -> None:
    """Leave without the interpreter's final garbage collection: everything is stopped and
    saved by now, and collecting moto's object graph took seconds after Ctrl+C."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    _exit_now(main())
