"""Load on loopback: signed WhatsApp webhooks at a steady rate for a fixed time, then checks that
every message was stored exactly once and reports throughput and latency.

    python -m benchmarks.load --rate 2 --seconds 20

Each webhook comes from a new customer, so each message opens a conversation. Latency is the
time from sending the webhook to the conversation first appearing in the agents' New list
(polled through the API every ``--poll-interval`` seconds, which bounds its resolution). The
system runs as the README starts it, in processes of its own: ``python -m local --no-pollers``
(moto, the API) and ``python -m local.workers`` (the queue workers); this process only sends
and watches. The figures describe this machine and moto, not AWS; they are for comparing changes.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

from local.processes import start_system, start_workers, stop_process
from tests.support import HTTP_TIMEOUT, login, new_wa_id, post_whatsapp, whatsapp_text

# Upper bounds, so that a mistyped argument cannot flood the machine.
MAX_RATE = 200
MAX_SECONDS = 300
SENDERS = 8
SETTLE_TIMEOUT_SECONDS = 180


@dataclass
class LoadResult:
    rate: float
    seconds: float
    sent: int
    accepted: int
    send_duration: float
    latencies: list[float] = field(default_factory=list)
    stored_once: int = 0
    missing: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)

    @property
    def accepted_per_second(self) -> float:
        return self.accepted / self.send_duration if self.send_duration else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class InboxWatcher(threading.Thread):
    """Polls the New list and notes when each customer's conversation first appears."""

    def __init__(self, api: str, headers: dict[str, str], interval: float) -> None:
        super().__init__(name="inbox-watcher", daemon=True)
        self._api, self._headers, self._interval = api, headers, interval
        self.first_seen: dict[str, float] = {}
        self._stop_requested = threading.Event()

    def stop(self) -> None:
        self._stop_requested.set()

    def run(self) -> None:
        params: dict[str, str | int] = {"view": "new", "sort": "created", "order": "desc", "limit": 100}
        while not self._stop_requested.is_set():
            page = requests.get(f"{self._api}/conversations", params=params, headers=self._headers,
                                timeout=HTTP_TIMEOUT).json()
            now = time.monotonic()
            for conversation in page.get("items", []):
                self.first_seen.setdefault(conversation["customer_id"], now)
            self._stop_requested.wait(self._interval)


def run(rate: float, seconds: float, poll_interval: float = 0.25) -> LoadResult:
    if not 0 < rate <= MAX_RATE or not 0 < seconds <= MAX_SECONDS:
        raise ValueError(f"rate must be in (0, {MAX_RATE}] and seconds in (0, {MAX_SECONDS}]")
    work_dir = Path(tempfile.mkdtemp(prefix="contact-load-"))
    system = start_system(work_dir, "--no-pollers")
    workers = start_workers(system, work_dir / "workers.log")
    try:
        info, demo = system.info, system.info["demo"]
        api = info["api_url"]
        webhook = f"{info['webhook_base_url']}/whatsapp/{demo['whatsapp']['account_id']}"
        agent = login(api, "agent1@example.com", demo["password"])
        watcher = InboxWatcher(api, agent, poll_interval)
        watcher.start()
        sent_at: dict[str, float] = {}
        futures: list[Future[int]] = []
        total = int(rate * seconds)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=SENDERS) as senders:
            for n in range(total):
                # A steady schedule: message n leaves at started + n / rate, whatever the ones before did.
                delay = started + n / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                wa_id = new_wa_id()
                body = whatsapp_text(demo["whatsapp"]["phone_number_id"], wa_id=wa_id, text=f"load {n}")
                sent_at["+" + wa_id] = time.monotonic()  # the customer id as routing stores it (E.164)
                futures.append(senders.submit(_post, webhook, body, demo["whatsapp"]["app_secret"]))
            statuses = [future.result() for future in futures]
        send_duration = time.monotonic() - started
        deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
        while len(watcher.first_seen.keys() & sent_at.keys()) < len(sent_at) and time.monotonic() < deadline:
            time.sleep(0.2)
        watcher.stop()
        watcher.join(timeout=10)
        result = LoadResult(rate=rate, seconds=seconds, sent=total, accepted=statuses.count(200),
                            send_duration=send_duration,
                            latencies=[watcher.first_seen[w] - sent_at[w] for w in sent_at if w in watcher.first_seen])
        _check_stored_once(api, agent, set(sent_at), result)
        return result
    finally:
        stop_process(workers)
        system.stop()


def _post(webhook: str, body: bytes, app_secret: str) -> int:
    return post_whatsapp(webhook, body, app_secret).status_code


def _check_stored_once(api: str, headers: dict[str, str], customers: set[str], result: LoadResult) -> None:
    """Every customer has one conversation holding exactly one message."""
    conversations: dict[str, list[str]] = {}
    cursor = None
    while True:
        params: dict[str, str | int] = {"view": "new", "limit": 100, **({"cursor": cursor} if cursor else {})}
        page = requests.get(f"{api}/conversations", params=params, headers=headers, timeout=HTTP_TIMEOUT).json()
        for conversation in page["items"]:
            conversations.setdefault(conversation["customer_id"], []).append(conversation["id"])
        cursor = page.get("next_cursor")
        if not cursor:
            break
    for customer in sorted(customers):
        ids = conversations.get(customer, [])
        if not ids:
            result.missing.append(customer)
            continue
        messages = [m for conversation_id in ids for m in requests.get(
            f"{api}/conversations/{conversation_id}/messages", headers=headers, timeout=HTTP_TIMEOUT).json()["items"]]
        if len(ids) == 1 and len(messages) == 1:
            result.stored_once += 1
        else:
            result.duplicated.append(customer)


def report(result: LoadResult) -> str:
    return "\n".join([
        f"Load: {result.sent} webhooks at {result.rate:g}/s for {result.seconds:g} s (one new customer each)",
        "",
        "| accepted | accepted per second | stored exactly once | webhook to inbox p50 | p95 |",
        "|---:|---:|---:|---:|---:|",
        f"| {result.accepted}/{result.sent} | {result.accepted_per_second:.1f} | {result.stored_once}/{result.sent} "
        f"| {result.percentile(0.5) * 1000:.0f} ms | {result.percentile(0.95) * 1000:.0f} ms |",
        *([f"missing: {len(result.missing)}"] if result.missing else []),
        *([f"duplicated: {len(result.duplicated)}"] if result.duplicated else []),
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=2, help=f"webhooks per second (at most {MAX_RATE})")
    parser.add_argument("--seconds", type=float, default=20, help=f"how long to send (at most {MAX_SECONDS})")
    parser.add_argument("--poll-interval", type=float, default=0.25, help="how often the inbox is read")
    args = parser.parse_args()
    result = run(args.rate, args.seconds, args.poll_interval)
    print(report(result))
    return 0 if result.stored_once == result.sent == result.accepted else 1


if __name__ == "__main__":
    raise SystemExit(main())
