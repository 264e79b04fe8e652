"""Soak on loopback: signed WhatsApp webhooks at a steady rate for a long time while two agents
pick the conversations up, reply and archive them, printing the resident memory of the runtime's
processes and the number of items in the table as it goes, to show whether memory levels off.

    python -m benchmarks.soak --rate 2 --minutes 30 --customers 300

The system runs as the load benchmark starts it (``python -m local --no-pollers`` and
``python -m local.workers``, keeping its state in a temporary data folder). ``--customers``: the
webhooks come from this many customers in turn, as a desk's regulars write again (an archived
conversation reopens, or a new one opens); 0 makes every webhook a new customer's. Every
``--report-seconds`` one line: elapsed time, webhooks sent, replies sent, items in the table, and
the resident memory (VmRSS) of each process. At the end: memory after warm-up (the first fifth of
the run) and at the end, their difference, and that difference per item the table gained
meanwhile: the runtime holds the table in memory (moto), so what it stores grows it; anything
beyond that would be a leak. The figures describe this machine and moto, not AWS.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import requests
from chalicelib.core import resources

from local.processes import start_system, start_workers, stop_process
from tests.support import HTTP_TIMEOUT, login, new_wa_id, post_whatsapp, whatsapp_text

MAX_RATE = 20
MAX_MINUTES = 240
AGENTS = ("agent1@example.com", "agent2@example.com")


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Counts:
    sent: int = 0
    replies: int = 0
    errors: int = 0
    archived: int = 0
    # (minutes, runtime MB, workers MB, webhooks sent so far, items in the table)
    samples: list[tuple[float, float, float, int, int]] = field(default_factory=list)


def _agent(api: str, headers: dict[str, str], counts: Counts, stop: threading.Event) -> None:
    """Pick up what is New (a few at a time), answer each once and archive it."""
    params: dict[str, str | int] = {"view": "new", "limit": 10}
    while not stop.is_set():
        try:
            page = requests.get(f"{api}/conversations", params=params, headers=headers,
                                timeout=HTTP_TIMEOUT).json()
            for conversation in page.get("items", []):
                url = f"{api}/conversations/{conversation['id']}"
                if requests.post(f"{url}/pickup", headers=headers, timeout=HTTP_TIMEOUT).status_code != 200:
                    continue  # the other agent was faster
                answer = requests.post(f"{url}/messages", json={"text": "Thanks, on it."}, headers=headers,
                                       timeout=HTTP_TIMEOUT)
                counts.replies += answer.status_code == 202
                archived = requests.post(f"{url}/archive", json={"tags": []}, headers=headers, timeout=HTTP_TIMEOUT)
                counts.archived += archived.status_code == 200
        except requests.RequestException:
            counts.errors += 1
        stop.wait(1.0)


def _item_count(moto_url: str, table_name: str) -> int:
    """Items in the table now (moto counts them on each DescribeTable)."""
    client = boto3.client("dynamodb", endpoint_url=moto_url, region_name="us-east-1",
                          aws_access_key_id="soak", aws_secret_access_key="soak")  # noqa: S106
    return int(client.describe_table(TableName=table_name)["Table"]["ItemCount"])


def run(rate: float, minutes: float, report_seconds: float, customers: int = 0) -> Counts:
    if not 0 < rate <= MAX_RATE or not 0 < minutes <= MAX_MINUTES:
        raise ValueError(f"rate must be in (0, {MAX_RATE}] and minutes in (0, {MAX_MINUTES}]")
    work_dir = Path(tempfile.mkdtemp(prefix="contact-soak-"))
    system = start_system(work_dir, "--no-pollers")
    workers = start_workers(system, work_dir / "workers.log")
    counts = Counts()
    stop = threading.Event()
    try:
        info, demo = system.info, system.info["demo"]
        api = info["api_url"]
        webhook = f"{info['webhook_base_url']}/whatsapp/{demo['whatsapp']['account_id']}"
        table_name = resources.TABLE.physical_name(info.get("app_name", resources.DEFAULT_APP_NAME))
        regulars = [new_wa_id() for _ in range(customers)]
        agents = [threading.Thread(target=_agent, args=(api, login(api, email, demo["password"]), counts, stop),
                                   daemon=True) for email in AGENTS]
        for agent in agents:
            agent.start()
        started = time.monotonic()
        next_report = started
        print("minutes  webhooks  replies  errors     items  runtime MB  workers MB", flush=True)
        while (elapsed := time.monotonic() - started) < minutes * 60:
            customer = regulars[counts.sent % customers] if customers else new_wa_id()
            body = whatsapp_text(demo["whatsapp"]["phone_number_id"], wa_id=customer, text=f"soak {counts.sent}")
            try:
                post_whatsapp(webhook, body, demo["whatsapp"]["app_secret"])
            except requests.RequestException:
                counts.errors += 1
            counts.sent += 1
            if time.monotonic() >= next_report:
                sample = (elapsed / 60, resident_mb(system.process.pid), resident_mb(workers.pid), counts.sent,
                          _item_count(info["moto_url"], table_name))
                counts.samples.append(sample)
                print(f"{sample[0]:7.1f}  {counts.sent:8d}  {counts.replies:7d}  {counts.errors:6d}  "
                      f"{sample[4]:8d}  {sample[1]:10.0f}  {sample[2]:10.0f}", flush=True)
                next_report += report_seconds
            time.sleep(max(0.0, started + counts.sent / rate - time.monotonic()))
        return counts
    finally:
        stop.set()
        stop_process(workers)
        system.stop()


def summary(counts: Counts) -> str:
    if len(counts.samples) < 2:
        return "too short to compare"
    warm = counts.samples[max(1, len(counts.samples) // 5)]
    end = counts.samples[-1]
    gained = max(1, end[4] - warm[4])
    return (f"after warm-up ({warm[0]:.1f} min): runtime {warm[1]:.0f} MB, workers {warm[2]:.0f} MB; "
            f"at the end ({end[0]:.1f} min): runtime {end[1]:.0f} MB ({end[1] - warm[1]:+.0f}), "
            f"workers {end[2]:.0f} MB ({end[2] - warm[2]:+.0f}); the table gained {end[4] - warm[4]:,} items "
            f"meanwhile (moto holds them in the runtime's memory): {1024 * (end[1] - warm[1]) / gained:.2f} KB "
            f"of runtime growth per item gained; {counts.sent:,} webhooks, {counts.replies:,} replies, "
            f"{counts.archived:,} archived, {counts.errors} errors")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=2, help=f"webhooks per second (at most {MAX_RATE})")
    parser.add_argument("--minutes", type=float, default=30, help=f"how long (at most {MAX_MINUTES})")
    parser.add_argument("--report-seconds", type=float, default=60, help="how often memory is printed")
    parser.add_argument("--customers", type=int, default=300,
                        help="customers writing in turn (0: every webhook a new customer's)")
    args = parser.parse_args()
    counts = run(args.rate, args.minutes, args.report_seconds, max(0, args.customers))
    print(summary(counts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
