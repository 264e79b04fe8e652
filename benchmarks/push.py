"""Push figures: what the WebSocket push costs and how fast it is.

    python -m benchmarks.push fanout                 # fan-out per inbound message at 10/100/1,000 connections
    python -m benchmarks.push idle --minutes 5       # API requests per idle agent-minute (browser network log)
    python -m benchmarks.push latency --messages 100 # webhook accepted -> visible in an agent's open tab
    python -m benchmarks.push cost                   # AWS cost per agent-month (uses the idle figure)

* fanout: connections stored in the table on moto, each saying what its tab shows (one in ten on
  All, the rest on Assigned to me: benchmarks/bill.py's assumption); the push worker's fan-out
  (shared/domain/push.py) sends one batch (a new conversation and its first message: what one
  inbound message produces) to a team of N connections, through boto3's ``apigatewaymanagementapi``
  client to a loopback endpoint that accepts every post (API Gateway's own latency is not
  modelled), then a follow-up in one agent's conversation, which only that agent's tab and the tabs
  on All are sent. Reported: wall time (median of 5), posts, DynamoDB read units (from the items
  read), and the price of the push (Lambda, SQS, DynamoDB, WebSocket messages) plus the reads the
  browsers then make (one list read each tab posted to).
* idle: the local runtime and headless Chromium; an agent signed in on the New tab with the socket up,
  nothing happening; every request to /api/ and every WebSocket frame the page sends is counted.
* latency: an agent has one conversation open; the customer writes 100 times (one at a time, through
  the simulator's signed webhook, the next once the last is shown and at least ``--interval`` seconds
  after it was sent: a customer typing, not a flood, since a tab reads at most once a second on
  notices); for each, from just before the webhook is posted to the frame after the message is in
  the page (a MutationObserver; both clocks are this machine's).

The figures describe this machine (2 shared cores) and moto, not AWS; they are for comparing changes.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from benchmarks import prices

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"]
HTTP_TIMEOUT = 30
# One agent-month: 8 hours a day, 22 days.
AGENT_MINUTES_PER_MONTH = 8 * 60 * 22
# What one REST call of the web app costs besides API Gateway (prices.py's Lambda assumption, and a
# list read of 50 conversations: about 25 read units eventually consistent, the cost probe's order).
REST_READ_UNITS = 25
ASSUMED_FANOUT_READS_PER_BROWSER = 1


def _rest_call_dollars(read_units: float = REST_READ_UNITS) -> float:
    return (prices.API_GATEWAY_REST_REQUEST + prices.LAMBDA_REQUEST
            + prices.LAMBDA_MEMORY_GB * prices.ASSUMED_LAMBDA_SECONDS_PER_INVOCATION
            * prices.LAMBDA_GB_SECOND_X86 + read_units * prices.DYNAMODB_READ_REQUEST_UNIT)


# --- fan-out -------------------------------------------------------------------------------


class _Accepting(BaseHTTPRequestHandler):
    posts = 0
    lock = threading.Lock()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with _Accepting.lock:
            _Accepting.posts += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def fanout(sizes: list[int], runs: int) -> dict[str, Any]:
    from moto.server import ThreadedMotoServer

    from local.provision import create_table
    from local.runtime import free_port

    moto_port, accept_port = free_port(), free_port()
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
                       "AWS_ENDPOINT_URL": f"http://127.0.0.1:{moto_port}", "CONTACT_APP_NAME": "bench-push"})
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    accepting = ThreadingHTTPServer(("127.0.0.1", accept_port), _Accepting)
    accepting.daemon_threads = True
    threading.Thread(target=accepting.serve_forever, daemon=True).start()
    try:
        table_name = create_table(f"http://127.0.0.1:{moto_port}", "us-east-1", "bench-push")
        from chalicelib.storage.binding import bind_table

        bind_table(table_name, "us-east-1")  # the stores are bound by the wiring, which this skips
        from chalicelib.adapters.push_gateway import ManagementApiGateway
        from chalicelib.domain.models import ConversationState
        from chalicelib.domain.notices import Notice, NoticeType
        from chalicelib.domain.ports.push import Connection, TabView, Watch
        from chalicelib.domain.push import PushFanOut
        from chalicelib.storage.connections import ConnectionStore, team_counts

        store = ConnectionStore()
        fan_out = PushFanOut(store, ManagementApiGateway(f"http://127.0.0.1:{accept_port}/api"), lambda _: None,
                             team_counts)
        results = []
        now = datetime.now(UTC)
        for size in sizes:
            team = f"bench-{size}"
            for index in range(size):
                connection = Connection(f"conn{index:05d}{team}=", f"user-{index % 997}", team)
                store.add(connection, now)
                store.set_watch(connection, Watch(TabView.ALL if index % 10 == 9 else TabView.MINE))
            opening = [Notice(type=NoticeType.CONVERSATION, team_id=team, conversation_id="c1",
                              state=ConversationState.NEW),
                       Notice(type=NoticeType.MESSAGE, team_id=team, conversation_id="c1", message_id="m1",
                              state=ConversationState.NEW)]
            follow_up = [Notice(type=NoticeType.MESSAGE, team_id=team, conversation_id="c1", message_id="m2",
                                state=ConversationState.ASSIGNED, owner_id="user-0")]
            concerned = sum(1 for index in range(size) if index % 997 == 0 or index % 10 == 9)  # owner's, All
            for name, batch, expected in (("opening", opening, size), ("follow-up", follow_up, concerned)):
                times = []
                for _ in range(runs):
                    _Accepting.posts = 0
                    started = time.perf_counter()
                    report = fan_out.deliver(batch)
                    times.append(time.perf_counter() - started)
                    assert report.sent == expected == _Accepting.posts, (report, _Accepting.posts)
                seconds = statistics.median(times)
                # One Query of the team's connections (items of about 220 bytes with what the tab
                # shows, eventually consistent), the counts when a conversation moved (three small
                # Queries on an empty team here: 1.5 units).
                read_units = math.ceil(size * 220 / 4096) * 0.5 + (1.5 if name == "opening" else 0)
                push = (prices.LAMBDA_REQUEST + seconds * prices.LAMBDA_MEMORY_GB * prices.LAMBDA_GB_SECOND_X86
                        + 3 * prices.SQS_STANDARD_REQUEST + read_units * prices.DYNAMODB_READ_REQUEST_UNIT
                        + expected * prices.API_GATEWAY_WEBSOCKET_MESSAGE)
                reads = expected * ASSUMED_FANOUT_READS_PER_BROWSER * _rest_call_dollars()
                results.append({"connections": size, "batch": name, "seconds_median": round(seconds, 3),
                                "seconds_runs": [round(t, 3) for t in times], "posts": expected,
                                "read_units": read_units, "push_dollars": round(push, 6),
                                "browser_reads_dollars": round(reads, 6)})
        return {"fanout": results}
    finally:
        accepting.shutdown()
        moto.stop()


# --- the browser --------------------------------------------------------------------------


def _system_and_browser(work: Path) -> tuple[Any, Any, Any]:
    import shutil

    from playwright.sync_api import sync_playwright

    from local.processes import start_system

    system = start_system(work)
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                         headless=True, args=CHROMIUM_FLAGS)
    return system, playwright, browser


def _signed_in(browser: Any, info: dict[str, Any], watch: Any = None) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    if watch is not None:
        watch(page)
    page.goto(info["web_url"])
    page.get_by_label("Email").fill("agent1@example.com")
    page.get_by_label("Password").fill(info["demo"]["password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("html[data-push='up']", state="attached", timeout=30_000)
    return page


def idle(minutes: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as work:
        system, playwright, browser = _system_and_browser(Path(work))
        try:
            frames: list[tuple[float, str]] = []

            def watch(page: Any) -> None:
                # Frames the page sends on its socket (the heartbeats): not API requests, priced apart (cost).
                page.on("websocket", lambda s: s.on("framesent", lambda f: frames.append((time.monotonic(), str(f)))))

            page = _signed_in(browser, system.info, watch)
            page.wait_for_timeout(3_000)  # let the sign-in's own reads finish before measuring
            api_calls: list[str] = []
            page.on("request", lambda r: api_calls.append(f"{r.method} {r.url}") if "/api/" in r.url else None)
            started = time.monotonic()
            page.wait_for_timeout(minutes * 60_000)
            per_minute = len(api_calls) / minutes
            return {"idle": {"minutes": minutes, "api_requests": len(api_calls),
                             "api_requests_per_minute": round(per_minute, 2), "requests": api_calls[:20],
                             "socket_frames_sent": len([f for at, f in frames if at >= started]),
                             "socket_frames_sent_per_minute": round(
                                 len([f for at, f in frames if at >= started]) / minutes, 2)}}
        finally:
            browser.close()
            playwright.stop()
            system.stop()


SEEN_PROBE = """
window.__seen = {};
new MutationObserver(() => {
  for (const node of document.querySelectorAll('[data-testid="message"]')) {
    const text = node.textContent || '';
    const match = text.match(/latency-probe-\\d+-end/);
    if (match && !(match[0] in window.__seen)) {
      const key = match[0];
      requestAnimationFrame(() => { window.__seen[key] = Date.now(); });
    }
  }
}).observe(document, { childList: true, subtree: true, characterData: true });
"""


def latency(messages: int, interval: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as work:
        system, playwright, browser = _system_and_browser(Path(work))
        try:
            info = system.info
            phone = info["demo"]["whatsapp"]["phone_number_id"]
            control = f"{info['simulator_url']}/control/whatsapp/{phone}/messages"
            wa_id = f"3161{int(time.time()) % 10_000_000:07d}"
            requests.post(control, json={"from": wa_id, "name": "Lars Latency", "text": "hello"},
                          timeout=HTTP_TIMEOUT).raise_for_status()
            page = _signed_in(browser, info)
            page.get_by_role("tab", name="All").click()
            row = page.get_by_test_id("conversation-row").filter(has_text="Lars Latency").first
            row.wait_for(timeout=30_000)
            row.click()
            page.get_by_test_id("conversation-name").wait_for(timeout=30_000)
            page.evaluate(SEEN_PROBE)
            samples = []
            for index in range(messages):
                key = f"latency-probe-{index}-end"
                started = time.time()
                requests.post(control, json={"from": wa_id, "name": "Lars Latency", "text": key},
                              timeout=HTTP_TIMEOUT).raise_for_status()
                page.wait_for_function(f"() => '{key}' in window.__seen", timeout=30_000)
                seen = page.evaluate(f"window.__seen['{key}']") / 1000
                samples.append(seen - started)
                time.sleep(max(0.0, started + interval - time.time()))
            samples.sort()
            return {"latency": {"messages": messages, "interval_seconds": interval,
                                "p50_seconds": round(statistics.median(samples), 3),
                                "p95_seconds": round(samples[max(0, math.ceil(0.95 * len(samples)) - 1)], 3),
                                "max_seconds": round(samples[-1], 3)}}
        finally:
            browser.close()
            playwright.stop()
            system.stop()


def cost(api_requests_per_minute: float) -> dict[str, Any]:
    """An idle agent-month with push: the socket's minutes, a heartbeat a minute carrying the agent's
    availability and what the tab shows (a WebSocket message and a Lambda invocation with a few reads
    and a write), a
    reconnect every two hours (API Gateway's limit: a connect invocation and the catch-up reads), and
    the REST calls the idle tab still makes (none, measured: the availability rides the heartbeat)."""
    minutes = AGENT_MINUTES_PER_MONTH
    heartbeat = (prices.API_GATEWAY_WEBSOCKET_MESSAGE + prices.LAMBDA_REQUEST
                 + prices.LAMBDA_MEMORY_GB * prices.ASSUMED_LAMBDA_SECONDS_PER_INVOCATION
                 * prices.LAMBDA_GB_SECOND_X86
                 + 5 * prices.DYNAMODB_READ_REQUEST_UNIT + 2 * prices.DYNAMODB_WRITE_REQUEST_UNIT)
    reconnects = minutes / 120
    reconnect = (prices.API_GATEWAY_WEBSOCKET_MESSAGE + _rest_call_dollars(4) + 4 * prices.DYNAMODB_WRITE_REQUEST_UNIT
                 + 6 * _rest_call_dollars())
    parts = {
        "connection_minutes": minutes * prices.API_GATEWAY_WEBSOCKET_CONNECTION_MINUTE,
        "heartbeats": minutes * heartbeat,
        "reconnects": reconnects * reconnect,
        "idle_rest_calls": minutes * api_requests_per_minute * _rest_call_dollars(),
    }
    polling_before = minutes * 233 * _rest_call_dollars()
    return {"cost": {"agent_minutes": minutes, "api_requests_per_idle_minute": api_requests_per_minute,
                     "parts_dollars": {k: round(v, 4) for k, v in parts.items()},
                     "dollars_per_agent_month": round(sum(parts.values()), 4),
                     "same_model_with_233_polls_a_minute": round(polling_before, 2)}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.push", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("figure", choices=["fanout", "idle", "latency", "cost"])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--interval", type=float, default=1.5,
                        help="for latency: seconds at least between two of the customer's messages")
    parser.add_argument("--idle-requests-per-minute", type=float, default=0.0,
                        help="for cost: the idle figure measured by `idle`")
    args = parser.parse_args(argv)
    if args.figure == "fanout":
        result = fanout(args.sizes, args.runs)
    elif args.figure == "idle":
        result = idle(args.minutes)
    elif args.figure == "latency":
        result = latency(args.messages, args.interval)
    else:
        result = cost(args.idle_requests_per_minute)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
