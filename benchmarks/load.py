"""Load on loopback: signed WhatsApp webhooks at a steady rate for a fixed time, then checks that
every message was stored exactly once and reports throughput and latency.

    python -m benchmarks.load --rate 2 --seconds 20

Each webhook comes from a new customer, so each message opens a conversation. Latency is the
time from sending the webhook to the conversation first appearing in the agents' New list
(polled through the API every ``--poll-interval`` seconds, which bounds its resolution). The
system runs as the README starts it, in processes of its own: ``python -m local --no-pollers``
(moto, the API) and ``python -m local.workers`` (the queue workers); this process only sends
and watches.

``--warm-up`` seconds of webhooks at the same rate go first and are not measured (the first
messages pay for imports, connections and caches, as a Lambda cold start does). Besides
latency, the report gives the CPU time each process spent per measured message (from
``/proc``): unlike latency, it hardly depends on what else the machine is doing, so it compares
changes on a busy machine too; the load average is printed beside it. The figures describe
this machine and moto, not AWS.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    warm_up_seconds: float = 0.0
    # CPU seconds each process (system: moto and the API; workers: the queue handlers) spent
    # while the measured webhooks were sent and handled.
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    load_average: tuple[float, float] = (0.0, 0.0)  # 1-minute load average at the start and at the end

    def cpu_ms_per_message(self, process: str) -> float:
        return 1000 * self.cpu_seconds.get(process, 0.0) / self.sent if self.sent else 0.0

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


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Sender:
    """Signed webhooks from new customers on a steady schedule, each noted when it left."""

    def __init__(self, webhook: str, demo: dict[str, Any]) -> None:
        self._webhook, self._demo = webhook, demo
        self.sent_at: dict[str, float] = {}

    def send(self, rate: float, total: int) -> list[int]:
        """``total`` webhooks at ``rate`` a second; their HTTP statuses."""
        futures: list[Future[int]] = []
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=SENDERS) as senders:
            for n in range(total):
                # Message n leaves at started + n / rate, whatever the ones before did.
                delay = started + n / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                wa_id = new_wa_id()
                body = whatsapp_text(self._demo["whatsapp"]["phone_number_id"], wa_id=wa_id, text=f"load {n}")
                self.sent_at["+" + wa_id] = time.monotonic()  # the customer id as routing stores it (E.164)
                futures.append(senders.submit(_post, self._webhook, body, self._demo["whatsapp"]["app_secret"]))
            return [future.result() for future in futures]


def _wait_until_seen(watcher: InboxWatcher, customers: set[str]) -> None:
    deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
    while len(watcher.first_seen.keys() & customers) < len(customers) and time.monotonic() < deadline:
        time.sleep(0.2)


def run(rate: float, seconds: float, poll_interval: float = 0.25, warm_up: float = 5) -> LoadResult:
    if not 0 < rate <= MAX_RATE or not 0 < seconds <= MAX_SECONDS or not 0 <= warm_up <= MAX_SECONDS:
        raise ValueError(f"rate must be in (0, {MAX_RATE}] and seconds and warm-up in (0, {MAX_SECONDS}]")
    work_dir = Path(tempfile.mkdtemp(prefix="contact-load-"))
    system = start_system(work_dir, "--no-pollers")
    workers = start_workers(system, work_dir / "workers.log")
    processes = {"system": system.process.pid, "workers": workers.pid}
    try:
        info, demo = system.info, system.info["demo"]
        api = info["api_url"]
        webhook = f"{info['webhook_base_url']}/whatsapp/{demo['whatsapp']['account_id']}"
        agent = login(api, "agent1@example.com", demo["password"])
        watcher = InboxWatcher(api, agent, poll_interval)
        watcher.start()
        if warm_up:
            warming = Sender(webhook, demo)
            warming.send(rate, max(1, int(rate * warm_up)))
            _wait_until_seen(watcher, set(warming.sent_at))
        cpu_before = {name: cpu_seconds(pid) for name, pid in processes.items()}
        load_before = os.getloadavg()[0]
        sender = Sender(webhook, demo)
        total = int(rate * seconds)
        started = time.monotonic()
        statuses = sender.send(rate, total)
        send_duration = time.monotonic() - started
        _wait_until_seen(watcher, set(sender.sent_at))
        cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in processes.items()}
        watcher.stop()
        watcher.join(timeout=10)
        sent_at = sender.sent_at
        result = LoadResult(rate=rate, seconds=seconds, sent=total, accepted=statuses.count(200),
                            send_duration=send_duration, warm_up_seconds=warm_up, cpu_seconds=cpu,
                            load_average=(load_before, os.getloadavg()[0]),
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
        f"Load: {result.sent} webhooks at {result.rate:g}/s for {result.seconds:g} s (one new customer each), "
        f"after {result.warm_up_seconds:g} s of warm-up at the same rate; load average "
        f"{result.load_average[0]:.1f} at the start, {result.load_average[1]:.1f} at the end",
        "",
        "| accepted | accepted per second | stored exactly once | webhook to inbox p50 | p95 | max "
        "| CPU per message: system / workers |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {result.accepted}/{result.sent} | {result.accepted_per_second:.1f} | {result.stored_once}/{result.sent} "
        f"| {result.percentile(0.5) * 1000:.0f} ms | {result.percentile(0.95) * 1000:.0f} ms "
        f"| {result.percentile(1.0) * 1000:.0f} ms "
        f"| {result.cpu_ms_per_message('system'):.0f} ms / {result.cpu_ms_per_message('workers'):.0f} ms |",
        *([f"missing: {len(result.missing)}"] if result.missing else []),
        *([f"duplicated: {len(result.duplicated)}"] if result.duplicated else []),
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=2, help=f"webhooks per second (at most {MAX_RATE})")
    parser.add_argument("--seconds", type=float, default=20, help=f"how long to send (at most {MAX_SECONDS})")
    parser.add_argument("--poll-interval", type=float, default=0.25, help="how often the inbox is read")
    parser.add_argument("--warm-up", type=float, default=5, help="seconds of unmeasured webhooks first")
    args = parser.parse_args()
    result = run(args.rate, args.seconds, args.poll_interval, args.warm_up)
    print(report(result))
    return 0 if result.stored_once == result.sent == result.accepted else 1


if __name__ == "__main__":
    raise SystemExit(main())
