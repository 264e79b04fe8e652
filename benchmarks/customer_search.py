"""Customer search at 100,000 customers on the local runtime: how long a results page takes.

    python -m benchmarks.customer_search                       # 100,000 customers, 30 runs per query
    python -m benchmarks.customer_search --customers 10000 --runs 10

The local runtime is started in this process (no pollers, no demo content); N customers with
realistic names (first names, Dutch and English family names with particles), Dutch mobile
numbers and email addresses are generated with a fixed seed, and their items are put straight
into the runtime's moto table (through the same sorted-partition bookkeeping the runtime uses):
every profile, and the search fragments of every index partition the measured queries read,
each exactly as ``CustomerStore`` writes it. Fragments of other partitions are left out (a
Query reads one partition, in DynamoDB and in the local runtime, so they cost these queries
nothing, and all of them would need about 2.8 KB of moto memory each, some 7 GB at 100,000
customers). Then each query is asked as an agent through the HTTP API (`GET /api/customers`,
a page of 25) ``--runs`` times after one warm-up, and p50 / p95 of the wall time are printed,
with the machine's load average (`uptime`) before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from datetime import UTC, datetime
from typing import Any

import requests
from chalicelib.core import resources
from chalicelib.domain.customer_search import CURRENT_LAYOUT, like_pattern
from chalicelib.domain.customers import Address, AddressKind, SearchField
from chalicelib.storage import keys
from chalicelib.storage.customer_items import CustomerItem
from chalicelib.storage.customers import fragment_items, name_search_keys, searchable_values
from moto.dynamodb.models import dynamodb_backends

from local.runtime import LocalRuntime, RuntimeConfig

FIRST = ("Maria", "Anna", "Johannes", "Jan", "Pieter", "Sophie", "Emma", "Lucas", "Daan", "Julia", "Sanne",
         "Thomas", "Lotte", "Mila", "Noah", "Rosaria", "Mario", "Ingrid", "Ahmed", "Fatima", "Priya", "Chen",
         "Olivia", "James", "Amelia", "Oliver", "Isla", "George", "Ava", "Harry", "Mia", "Jack", "Ria", "Marianne",
         "Adriaan", "Karin", "Bart", "Femke", "Henk", "Ilse")
PARTICLES = ("", "", "", "de ", "van ", "van der ", "van den ", "ter ", "el ")
LAST = ("Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Vos", "Peters", "Hendriks",
        "Dekker", "Brouwer", "Dijkstra", "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson",
        "Davies", "Robinson", "Wright", "Thompson", "Evans", "Walker", "Hassan", "Patel", "Wang", "Rossi",
        "Ferrari", "Esposito", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo")

# (label, field, q): the Like forms of issue 16 and the ones that were slow before, and exact and
# prefix for comparison.
QUERIES: tuple[tuple[str, SearchField, str], ...] = (
    ("ends with", "name", "%sen"),
    ("ends with", "name", "%vries"),
    ("ends with, rare", "name", "%mulder"),
    ("contains", "name", "%ari%"),
    ("contains, rare", "name", "%jks%"),
    ("several parts", "name", "M%a%sen"),
    ("several parts", "name", "%an%de%"),
    ("several parts, rare", "name", "%ar%ia%z"),
    ("phone ends with", "phone", "%45 67"),
    ("email contains", "email", "%jansen4%"),
    ("prefix", "name", "Maria%"),
    ("exact", "name", "Maria Jansen"),
)
PAGE = 25
SEED = 16
# moto's default account, which the local runtime uses.
ACCOUNT = "123456789012"


def customers(count: int) -> list[tuple[str, str, Address, Address]]:
    """(customer id, name, phone address, email address), the same for the same count."""
    rng = random.Random(SEED)
    made = []
    for number in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        particle = rng.choice(PARTICLES) if " " not in last else ""
        name = f"{first} {particle}{last}"
        phone = Address(kind=AddressKind.PHONE, value=f"+3161{number:07d}")
        email = Address(kind=AddressKind.EMAIL,
                        value=f"{first.lower()}.{(particle + last).lower().replace(' ', '')}{number}@example.com")
        made.append((f"{number:08d}{rng.getrandbits(64):016x}", name, phone, email))
    return made


def read_partitions() -> set[str]:
    """The table partitions the Like queries read."""
    wanted = set()
    for _, field, q in QUERIES:
        body = q[:-1] if q.endswith("%") else q
        if "%" in body:
            wanted |= {keys.customer_like_pk(field, probe.fragment) for probe in like_pattern(field, q).probes()}
    return wanted


def load(runtime: LocalRuntime, count: int) -> tuple[int, int]:
    """Put the profiles and the read partitions' fragments into the runtime's table."""
    table_name = resources.TABLE.physical_name(runtime.config.app_name)
    table = dynamodb_backends[ACCOUNT][runtime.config.region].get_table(table_name)
    partitions = read_partitions()
    at = datetime(2026, 1, 1, tzinfo=UTC)
    profiles = fragments = 0
    for customer_id, name, phone, email in customers(count):
        search = name_search_keys(customer_id, name)
        values = searchable_values(name, [phone, email])
        profile = CustomerItem(keys.customer_pk(customer_id), keys.CUSTOMER_PROFILE_SK, customer_id=customer_id,
                               name=name, attributes="{}", created_at=at, version=0,
                               search_value=search["search_value"], collection_pk=search["collection_pk"],
                               collection_sk=search["collection_sk"], fragment_values=json.dumps(values),
                               fragment_layout=int(CURRENT_LAYOUT))
        table.put_item(_attributes(profile))
        profiles += 1
        for item in fragment_items(customer_id, values).values():
            if item.pk in partitions:
                table.put_item(_attributes(item))
                fragments += 1
    return profiles, fragments


def _attributes(item: Any) -> dict[str, Any]:
    return dict(item.serialize())


def measure(api: str, headers: dict[str, str], runs: int) -> list[dict[str, Any]]:
    rows = []
    for label, field, q in QUERIES:
        times, found = [], 0
        for run in range(runs + 1):
            started = time.perf_counter()
            params: dict[str, str | int] = {"field": field, "q": q, "limit": PAGE}
            response = requests.get(f"{api}/customers", headers=headers, params=params, timeout=30)
            elapsed = time.perf_counter() - started
            response.raise_for_status()
            if run:  # the first is a warm-up
                times.append(elapsed * 1000)
            found = len(response.json()["items"])
        times.sort()
        rows.append({"query": label, "field": field, "q": q, "found": found,
                     "p50_ms": round(statistics.median(times)),
                     "p95_ms": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))])})
    return rows


def uptime() -> str:
    """The load averages over 1, 5 and 15 minutes, as `uptime` prints them."""
    one, five, fifteen = os.getloadavg()
    return f"load average: {one:.2f}, {five:.2f}, {fifteen:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.customer_search", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    runtime = LocalRuntime(RuntimeConfig(port=0, moto_port=0, simulator_port=0, push_port=0,
                                         push_management_port=0, start_pollers=False))
    runtime.start()
    try:
        assert runtime.info is not None
        started = time.perf_counter()
        profiles, fragments = load(runtime, args.customers)
        loaded = time.perf_counter() - started
        api = runtime.info.api_url
        token = requests.post(f"{api}/auth/login", json={"email": "agent1@example.com",
                                                         "password": runtime.info.demo["password"]}, timeout=30)
        token.raise_for_status()
        headers = {"Authorization": f"Bearer {token.json()['id_token']}"}
        before = uptime()
        rows = measure(api, headers, args.runs)
        after = uptime()
    finally:
        runtime.stop()
    print(json.dumps({"customers": profiles, "fragments_loaded": fragments, "load_seconds": round(loaded),
                      "runs": args.runs, "page": PAGE, "uptime_before": before, "uptime_after": after}))
    print(f"{'query':32} {'q':16} {'found':>5} {'p50 ms':>7} {'p95 ms':>7}")
    for row in rows:
        print(f"{row['query']:32} {row['q']:16} {row['found']:>5} {row['p50_ms']:>7} {row['p95_ms']:>7}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
