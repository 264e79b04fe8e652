"""Cost probe: pushes N inbound messages (each opening a conversation), N pick-ups, N follow-up
messages in those conversations and N agent replies through the local pipeline, then ends the N
conversations (archived by their agent, deleted by the auto-deletion once due) and has the same
customers write once more (an opening by a customer the service knows), counts every AWS request
and the DynamoDB capacity it consumed, and prices them.

    python -m benchmarks.cost_probe --messages 200

AWS requests are counted with botocore event hooks on every client the process creates
(the functions', the pollers' standing in for Lambda's event source mappings, and moto's own
Step Functions executor); DynamoDB capacity is computed from the items each call read or wrote,
index writes included (benchmarks/capacity.py: moto's own figures are flat). Prices:
benchmarks/prices.py.

As AWS bills it:

* SQS: an event source mapping receives a batch per invocation, as the local pollers do; their
  empty receives (polling an idle queue) are not a per-message cost but the fixed monthly
  polling line of the bill (benchmarks/bill.py).
* Lambda duration: the handlers' CPU time, measured per invocation on the local runtime (the
  pollers' and the API server's threads), scaled to the vCPU share of the function's memory,
  plus an in-region latency per AWS call the function makes (prices.AWS_CALL_SECONDS; the mapping's
  receives and deletes are billed as SQS requests, not as the function's time).
* CloudWatch Logs: the bytes the handlers write to stdout (Powertools' JSON lines). Lambda's own
  lines for an invocation (start and report, about 260 bytes) are at its INFO level and the stack
  writes its system logs at WARN but at ``log_level=DEBUG`` (infra/constructs/api.py,
  ``system_log_level``; held for every function by tests/infra/test_expanded.py): a successful
  invocation writes none.
* Push: every change notifies the agents' open tabs (a notices queue and its worker, drained with
  the others); each batch of notices is one WebSocket message per tab it can concern: every tab of
  the team for a conversation that moved, fewer for the rest (``push.reach_of``). The probe counts
  the batches by reach, and the monthly bill prices them by team size. The probe steps the pipeline
  one change at a time, so the notices queue's batching window folds nothing here (each batch is
  its own invocation: the per-unit figures are those of a quiet service); the monthly bill models
  the window's folding at each row's rate (bill.folded).
* API Gateway: the agents' calls at the REST API's price, the providers' webhooks (inbound
  messages and status callbacks) at the HTTP API's, which they have to themselves.
* X-Ray: the default sampling rule (5 % of requests past one a second); Step Functions: the
  state transitions of the delayed-retry executions started. The hourly auto-deletion sweep is a
  fixed monthly line of the bill (bill.IDLE_SWEEP_TRANSITIONS), not a cost of the conversations
  one sweep happens to find.
* S3: the requests the functions make (the purge lists a conversation's media and deletes it).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.session
import requests
from chalicelib.core import resources
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from benchmarks import bill, capacity, prices
from local.runtime import LocalRuntime, RuntimeConfig
from tests.support import find, login, new_wa_id, post_whatsapp, whatsapp_text

HTTP_TIMEOUT = 10


EMPTY_RECEIVE = "ReceiveMessage (empty)"
# What Lambda's event source mapping asks of a queue for a function (the local pollers stand in for
# it): billed by SQS, but not calls the function waits on, so no part of its duration.
MAPPING_OPERATIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessageBatch")
# Marks the SQS requests to a FIFO queue, which cost more than a standard queue's.
FIFO = " (FIFO)"
NOTICES = resources.NOTICES_QUEUE.key
# The hourly sweep's executions are the bill's fixed line, not a per-unit cost (bill.IDLE_SWEEP_TRANSITIONS).
SWEEP = " (auto-deletion sweep)"
SWEEP_MACHINE = resources.AUTO_DELETE_MACHINE.key
POLL_PHASE = "agent's list read (one page of Assigned to me)"
XRAY_SAMPLED = 0.05
TRANSITIONS_PER_EXECUTION = 4
WRITE_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
_ORIGINAL_CREATE_CLIENT = botocore.session.Session.create_client


@dataclass
class Meter:
    requests: Counter[str] = field(default_factory=Counter)
    read_units: float = 0.0
    write_units: float = 0.0
    # Write units by item kind and table/index (capacity.write_breakdown), for --detail.
    write_detail: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Reads the written items before and after each write (not counted: it stands for what
    # DynamoDB knows anyway when it bills a write and its index updates), from moto's tables in
    # this process: the reads run in the calling function's thread, whose CPU time the probe
    # bills as Lambda duration, so they must cost next to nothing (over HTTP they were 10-25 % of
    # a unit's measured handler time).
    table_name: str = ""
    region: str = ""
    inspector: Any = None

    def record(self, service: str, operation: str, request: dict[str, Any], response: dict[str, Any],
               before: capacity.Images | None = None) -> None:
        after = self.images(capacity.written_keys(operation, request)) if operation in WRITE_OPERATIONS else {}
        if service == "sqs" and operation == "ReceiveMessage" and not response.get("Messages"):
            operation = EMPTY_RECEIVE
        if service == "sqs" and str(request.get("QueueUrl", "")).endswith(".fifo"):
            operation += FIFO
        if service == "stepfunctions" and str(request.get("stateMachineArn")).endswith(SWEEP_MACHINE):
            operation += SWEEP
        with self.lock:
            self.requests[f"{service}:{operation}"] += 1
            if service == "dynamodb":
                self.read_units += capacity.read_units(operation, request, response)
                written = capacity.write_breakdown(operation, request, before or {}, after)
                self.write_units += sum(written.values())
                self.write_detail.update(written)

    def images(self, item_keys: list[capacity.ItemKey]) -> dict[capacity.ItemKey, dict[str, Any] | None]:
        """The items as the table holds them now (strongly consistent)."""
        found: dict[capacity.ItemKey, dict[str, Any] | None] = dict.fromkeys(item_keys)
        if not self.table_name:
            return found  # provisioning and seeding, before the measured phases
        backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][self.region]
        partition, sort = capacity.TABLE_KEYS
        for pk, sk in dict.fromkeys(item_keys):
            item = backend.get_item(self.table_name, {partition: {"S": pk}, sort: {"S": sk}})
            found[(pk, sk)] = None if item is None else item.to_json()["Attributes"]
        return found

    def snapshot(self) -> tuple[Counter[str], float, float, Counter[str]]:
        with self.lock:
            return Counter(self.requests), self.read_units, self.write_units, Counter(self.write_detail)


METER = Meter()


def install_meter() -> None:
    """Count every API call of every botocore client created from now on."""

    def create_client(self: botocore.session.Session, *args: Any, **kwargs: Any) -> Any:
        client = _ORIGINAL_CREATE_CLIENT(self, *args, **kwargs)
        service = client.meta.service_model.service_name
        if service == "dynamodb" and METER.inspector is None:
            METER.inspector = _ORIGINAL_CREATE_CLIENT(self, *args, **kwargs)

        def before_call(params: dict[str, Any], context: dict[str, Any], model: Any, **_: Any) -> None:
            if service in ("dynamodb", "sqs", "stepfunctions"):  # all three speak JSON
                request = json.loads(params.get("body") or b"{}")
                context["request"] = request
                if service == "dynamodb" and model.name in WRITE_OPERATIONS:
                    context["before"] = METER.images(capacity.written_keys(model.name, request))

        def after_call(parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
            METER.record(service, model.name, context.get("request", {}), parsed if isinstance(parsed, dict) else {},
                         context.get("before"))

        client.meta.events.register("before-call", before_call)
        client.meta.events.register("after-call", after_call)
        return client

    botocore.session.Session.create_client = create_client  # type: ignore[method-assign]


class CountingStream(io.TextIOBase):
    """stdout, counting the bytes written through it (the functions' log lines)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.bytes = 0

    def write(self, text: str) -> int:
        self.bytes += len(text.encode())
        return int(self.inner.write(text))

    def flush(self) -> None:
        self.inner.flush()


LOG = CountingStream(sys.stdout)


@dataclass
class Phase:
    name: str
    count: int
    requests: Counter[str]
    read_units: float
    write_units: float
    lambda_invocations: int
    # The agents' REST API calls and the providers' webhook calls (their own HTTP API).
    api_requests: int
    webhook_requests: int
    cpu_seconds: float = 0.0
    log_bytes: int = 0
    write_detail: Counter[str] = field(default_factory=Counter)
    notices: int = 0
    # Notice batches queued, by the widest reach of their notices (push.Reach).
    notices_by_reach: Counter[str] = field(default_factory=Counter)

    @property
    def invocations(self) -> int:
        return self.lambda_invocations + self.api_requests + self.webhook_requests

    @property
    def billed_requests(self) -> int:
        """AWS requests as billed per message (the idle pollers' empty receives are a fixed line)."""
        return sum(calls for key, calls in self.requests.items() if EMPTY_RECEIVE not in key)

    @property
    def function_calls(self) -> int:
        """The AWS calls the functions made themselves (the event source mapping's receives and
        deletes are its own, made while no function runs)."""
        return self.billed_requests - sum(calls for key, calls in self.requests.items()
                                          if key.removesuffix(FIFO) in MAPPING_OPERATIONS)

    def lambda_seconds(self) -> float:
        vcpu_share = prices.LAMBDA_MEMORY_GB * 1024 / prices.LAMBDA_MB_PER_VCPU
        return self.cpu_seconds / vcpu_share + self.function_calls * prices.AWS_CALL_SECONDS

    def dollars(self) -> float:
        return sum(self.dollars_by_line().values())

    def dollars_by_line(self) -> dict[str, float]:
        """What the phase costs, by the line of the AWS bill it lands on."""
        lines: defaultdict[str, float] = defaultdict(float)
        lines["DynamoDB writes"] = self.write_units * prices.DYNAMODB_WRITE_REQUEST_UNIT
        lines["DynamoDB reads"] = self.read_units * prices.DYNAMODB_READ_REQUEST_UNIT
        for key, calls in self.requests.items():
            service = key.split(":")[0]
            if EMPTY_RECEIVE in key:
                continue
            if service == "sqs":
                lines["SQS"] += calls * (prices.SQS_FIFO_REQUEST if key.endswith(FIFO) else prices.SQS_STANDARD_REQUEST)
            elif service == "secretsmanager":
                lines["Secrets Manager"] += calls * prices.SECRETS_MANAGER_API_CALL
            elif key == "stepfunctions:StartExecution":  # the delayed-retry machine's
                lines["Step Functions"] += (calls * TRANSITIONS_PER_EXECUTION
                                            * prices.STEP_FUNCTIONS_STANDARD_TRANSITION)
            elif service == "s3":
                lines["S3"] += calls * (prices.S3_READ_REQUEST if key.startswith(("s3:Get", "s3:Head"))
                                        else prices.S3_WRITE_OR_LIST_REQUEST)
        lines["Lambda requests"] = self.invocations * prices.LAMBDA_REQUEST
        lines["Lambda duration"] = self.lambda_seconds() * prices.LAMBDA_MEMORY_GB * prices.LAMBDA_GB_SECOND_X86
        lines["API Gateway"] = (self.api_requests * prices.API_GATEWAY_REST_REQUEST
                                + self.webhook_requests * prices.API_GATEWAY_HTTP_REQUEST)
        lines["CloudWatch Logs"] = (self.log_bytes / 1e9
                                    * prices.CLOUDWATCH_LOGS_INGESTED_GB)
        lines["X-Ray"] = self.invocations * XRAY_SAMPLED * prices.XRAY_TRACE_RECORDED
        return dict(lines)


class Probe:
    def __init__(self, runtime: LocalRuntime) -> None:
        self.runtime = runtime
        assert runtime.info is not None
        self.info = runtime.info
        self.api_calls = 0
        self.webhook_calls = 0
        # Notices the push worker took, and the batches queued by reach (how many tabs each reaches).
        self.notices = 0
        self.by_reach: Counter[str] = Counter()
        self._count_reach()

    def _count_reach(self) -> None:
        """Counts each batch of notices as it is queued, by the widest reach of its notices."""
        from chalicelib import wiring
        from chalicelib.domain.push import Reach, reach_of

        publisher = wiring.notices()
        publish = publisher.publish
        widest = list(Reach)  # TEAM, LISTS, THREAD: widest first

        def counted(notices: Any) -> None:
            batch = list(notices)
            if batch:
                self.by_reach[min((reach_of(notice) for notice in batch), key=widest.index).value] += 1
            publish(batch)

        setattr(publisher, "publish", counted)  # noqa: B010 - the instance's method, for this process only

    def drain(self, *keys: str) -> None:
        """Run the workers of these queues, and the push worker (every change notifies the agents'
        tabs), until all of them are empty."""
        for _ in range(200):
            taken = {key: self.runtime.poller(key).poll_once() for key in (*keys, NOTICES)}
            self.notices += taken[NOTICES]
            if sum(taken.values()) == 0:
                return
        raise RuntimeError("queues did not drain")

    def invocations(self) -> int:
        return sum(p.invocations for p in self.runtime.pollers)

    def cpu_seconds(self) -> float:
        return sum(p.handler_cpu_seconds for p in self.runtime.pollers) + self.runtime.api_cpu.seconds

    def measure(self, name: str, count: int, work: Any) -> Phase:
        requests_before, reads_before, writes_before, detail_before = METER.snapshot()
        invocations_before, api_before, webhooks_before = self.invocations(), self.api_calls, self.webhook_calls
        cpu_before, logged_before, notices_before = self.cpu_seconds(), LOG.bytes, self.notices
        reach_before = Counter(self.by_reach)
        work()
        requests_after, reads_after, writes_after, detail_after = METER.snapshot()
        return Phase(name, count, requests_after - requests_before, reads_after - reads_before,
                     writes_after - writes_before, self.invocations() - invocations_before,
                     self.api_calls - api_before, self.webhook_calls - webhooks_before,
                     self.cpu_seconds() - cpu_before, LOG.bytes - logged_before,
                     detail_after - detail_before, self.notices - notices_before,
                     Counter(self.by_reach) - reach_before)


def run(count: int) -> tuple[list[Phase], float]:  # noqa: C901 - one scenario told in order
    """The phases, and the table's bytes (items and index entries) per inbound message."""
    install_meter()
    sys.stdout = LOG  # before the functions' loggers take hold of it
    runtime = LocalRuntime(RuntimeConfig(port=0, moto_port=0, simulator_port=0, push_port=0, push_management_port=0,
                                         start_pollers=False, batching_windows=False,
                                         poll_wait_seconds=0))
    runtime.start()
    assert runtime.resources is not None
    METER.table_name, METER.region = runtime.resources.table_name, runtime.config.region
    try:
        probe = Probe(runtime)
        demo = probe.info.demo
        webhook = f"{probe.info.webhook_base_url}/whatsapp/{demo['whatsapp']['account_id']}"
        agent = login(probe.info.api_url, "agent1@example.com", demo["password"])
        customers = [new_wa_id() for _ in range(count)]
        conversation_ids: list[str] = []

        def every_customer_writes(text: str) -> None:
            for wa_id in customers:
                body = whatsapp_text(demo["whatsapp"]["phone_number_id"], wa_id=wa_id, text=text)
                post_whatsapp(webhook, body, demo["whatsapp"]["app_secret"]).raise_for_status()
                probe.webhook_calls += 1
                probe.drain("inbound", "assignment", "out-of-office", "events")

        def inbound() -> None:
            every_customer_writes("Where is my order?")

        def pick_up() -> None:
            cursor = None
            while True:
                params: dict[str, str | int] = {"view": "new", "limit": 100, **({"cursor": cursor} if cursor else {})}
                page = requests.get(f"{probe.info.api_url}/conversations", params=params, headers=agent,
                                    timeout=HTTP_TIMEOUT).json()
                probe.api_calls += 1
                conversation_ids.extend(c["id"] for c in page["items"]
                                        if c["customer_id"].lstrip("+") in set(customers))
                cursor = page["next_cursor"]
                if not cursor:
                    break
            for conversation_id in conversation_ids:
                requests.post(f"{probe.info.api_url}/conversations/{conversation_id}/pickup", headers=agent,
                              timeout=HTTP_TIMEOUT).raise_for_status()
                probe.api_calls += 1
            probe.drain("events")

        def follow_up() -> None:
            # Each customer writes again in their (now assigned) conversation: most inbound
            # messages continue a conversation rather than open one.
            every_customer_writes("Any news?")

        def reply() -> None:
            for conversation_id in conversation_ids:
                requests.post(f"{probe.info.api_url}/conversations/{conversation_id}/messages",
                              json={"text": "It ships today."}, headers=agent,
                              timeout=HTTP_TIMEOUT).raise_for_status()
                probe.api_calls += 1
                probe.drain("outbound", "send", "events")
            # The simulator reports sent, delivered and read for each reply: those webhooks and
            # their processing are part of what a reply costs.
            deadline = time.monotonic() + 60
            expected = 3 * len(conversation_ids)
            while time.monotonic() < deadline:
                probe.drain("inbound", "statuses", "events")
                if _statuses_posted(probe) >= expected:
                    break
                time.sleep(0.2)
            time.sleep(0.5)
            probe.drain("inbound", "statuses", "events")
            probe.webhook_calls += expected  # the status webhooks

        phases = [probe.measure("inbound message", count, inbound),
                  probe.measure("pick up (list + assign)", count, pick_up),
                  probe.measure("follow-up message (open conversation)", count, follow_up),
                  probe.measure("reply (incl. 3 status callbacks)", count, reply)]
        polls = max(10, count // 5)

        def poll_inbox() -> None:
            for _ in range(polls):
                requests.get(f"{probe.info.api_url}/conversations", params={"view": "mine", "limit": "25"},
                             headers=agent, timeout=HTTP_TIMEOUT).raise_for_status()
                probe.api_calls += 1

        phases.append(probe.measure(POLL_PHASE, polls, poll_inbox))
        assert find([{"n": len(conversation_ids)}], n=count), "every conversation was picked up"

        # The service deletes archived conversations after a year (bill.RETENTION_MONTHS).
        admin = login(probe.info.api_url, "admin@example.com", demo["password"])
        requests.patch(f"{probe.info.api_url}/settings/service", json={"auto_delete_days": 365}, headers=admin,
                       timeout=HTTP_TIMEOUT).raise_for_status()
        probe.drain("reschedule")

        def archive() -> None:
            for conversation_id in conversation_ids:
                requests.post(f"{probe.info.api_url}/conversations/{conversation_id}/archive", json={},
                              headers=agent, timeout=HTTP_TIMEOUT).raise_for_status()
                probe.api_calls += 1
                probe.drain("assignment", "events")

        phases.append(probe.measure("archive (by the agent)", count, archive))
        stored = stored_bytes()  # what the table keeps of a conversation for the retention period
        # A year on: each conversation's deletion date, as an archive a year ago wrote it (not measured).
        from chalicelib.storage.retention import RetentionStore
        from chalicelib.storage.service_settings import get_service_settings
        delete_at = get_service_settings().deletion_date(datetime.now(UTC) - timedelta(days=366))
        assert delete_at is not None, "the service deletes archived conversations"
        for conversation_id in conversation_ids:
            assert RetentionStore("").set_delete_at(conversation_id, delete_at), "the conversation is archived"

        def auto_delete() -> None:
            # The hourly sweep finds them due and queues their purges; the purge worker deletes each.
            assert probe.runtime.schedules is not None
            probe.runtime.schedules.sweep()
            deadline = time.monotonic() + 60
            while any(METER.images([(f"CONV#{c}", "CONVERSATION") for c in conversation_ids]).values()):
                if time.monotonic() > deadline:
                    raise RuntimeError("the swept conversations were not purged within 60 s")
                probe.drain("purge", "events")
                time.sleep(0.2)

        phases.append(probe.measure("auto-deletion (a year after the archive)", count, auto_delete))
        # The same customers write again: each opens a conversation as a customer the service knows
        # (the profile outlives its deleted conversations): no new profile, address or search fragments.
        phases.append(probe.measure("inbound message from a returning customer", count,
                                    lambda: every_customer_writes("Hello again")))
        return phases, stored / (2 * count)
    finally:
        runtime.stop()
        sys.stdout = LOG.inner


def stored_bytes() -> float:
    """The table's stored bytes, index entries included (100 bytes of overhead per entry, as
    DynamoDB bills storage), read with the uncounted client."""
    total = 0
    for page in METER.inspector.get_paginator("scan").paginate(TableName=METER.table_name):
        for item in page["Items"]:
            total += capacity.item_size(item) + 100
            for index in resources.TABLE.indexes:
                entry = capacity.index_entry(index, item)
                total += capacity.item_size(entry) + 100 if entry else 0
    return float(total)


def _statuses_posted(probe: Probe) -> int:
    return 3 * len(probe.runtime.simulator.outbox())


def write_report(phases: list[Phase]) -> str:
    """Where each unit's write units go: item kind (pk/sk prefixes) and the table or the index."""
    lines = []
    for phase in phases:
        if not phase.write_detail:
            continue
        detail = ", ".join(f"{where} {units / phase.count:.2f}"
                           for where, units in sorted(phase.write_detail.items(), key=lambda entry: -entry[1]))
        lines.append(f"- {phase.name} ({phase.write_units / phase.count:.2f} WCU): {detail}")
    return "\n".join(lines)


def report(phases: list[Phase]) -> str:
    lines = ["| per unit | AWS requests | DynamoDB RCU | DynamoDB WCU | Lambda + API GW calls | Lambda ms "
             "| log bytes | push notices | $ per million |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for phase in phases:
        n = phase.count
        lines.append(
            f"| {phase.name} | {phase.billed_requests / n:.1f} | {phase.read_units / n:.2f} "
            f"| {phase.write_units / n:.2f} | {phase.invocations / n:.1f} | {phase.lambda_seconds() / n * 1000:.0f} "
            f"| {phase.log_bytes / n:,.0f} "
            f"| {phase.notices / n:.1f} | {phase.dollars() / n * 1_000_000:,.2f} |")
    lines.append("")
    for phase in phases:
        detail = ", ".join(f"{key} {calls / phase.count:.2f}" for key, calls in sorted(phase.requests.items()))
        lines.append(f"- {phase.name}: {detail}")
    return "\n".join(lines)


def dollar_report(phases: list[Phase]) -> str:
    """Each phase's dollars per million units by the line of the bill they land on, largest first."""
    lines = []
    for phase in phases:
        by_line = sorted(phase.dollars_by_line().items(), key=lambda line: -line[1])
        shown = ", ".join(f"{name} {dollars / phase.count * 1_000_000:.2f}" for name, dollars in by_line
                          if dollars > 0)
        lines.append(f"- {phase.name}: {shown}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100, help="inbound messages and replies (N)")
    parser.add_argument("--detail", action="store_true", help="also print where the write units go")
    args = parser.parse_args()
    started = time.monotonic()
    phases, stored_per_message = run(args.messages)
    print(f"Cost probe: N = {args.messages} inbound messages and {args.messages} replies "
          f"({time.monotonic() - started:.0f} s on the local runtime)\n")
    print(report(phases))
    if args.detail:
        print("\nWrite units per unit, by item kind (pk/sk prefixes) and table or index:\n")
        print(write_report(phases))
        print("\n$ per million units, by line of the bill:\n")
        print(dollar_report(phases))
    print("\nPrices: benchmarks/prices.py (us-east-1 list prices; SQS at the rate of the queue called, FIFO or "
          f"standard; Lambda at {prices.LAMBDA_MEMORY_GB * 1024:.0f} MB, duration = measured handler CPU / vCPU share "
          "+ "
          f"{prices.AWS_CALL_SECONDS * 1000:.0f} ms per AWS call a function makes).")
    kinds = (bill.OPENING, bill.PICK_UP, bill.FOLLOW_UP, bill.REPLY, bill.POLL, bill.ARCHIVE, bill.PURGE,
             bill.RETURNING_OPENING)
    per_unit = dict(zip(kinds, (phase.dollars() / phase.count for phase in phases), strict=True))
    notices = dict(zip(kinds, ({reach: batches / phase.count for reach, batches in phase.notices_by_reach.items()}
                               for phase in phases), strict=True))
    bills = [bill.monthly(messages, agents, per_unit, stored_per_message, notices)
             for messages in (10_000, 1_000_000, 10_000_000) for agents in (3, 100, 1_000)]
    print(f"\nMonthly bill ($; stored {stored_per_message:,.0f} bytes per inbound message, indexes included; "
          "benchmarks/bill.py states the traffic mix, the tabs that watch everything and the fixed lines):\n")
    print(bill.table(bills))
    print("\nWithout the notices' batching window (each batch of notices its own invocation and posts):\n")
    for messages in (1_000_000, 10_000_000):
        unfolded = bill.monthly(messages, 1_000, per_unit, stored_per_message, notices, window=0)
        print(f"- the {messages:,} / 1,000 row: push to the tabs {unfolded.lines[bill.PUSH_LINE]:,.2f}, "
              f"list reads on notice {unfolded.lines[bill.READS_LINE]:,.2f}, total {unfolded.total:,.2f}")
    every_tab = bill.monthly(1_000_000, 1_000, per_unit, stored_per_message, notices, scoped=False, window=0)
    print(f"\nWith every notice posted to every tab and no window (before notices were scoped), the 1,000,000 / "
          f"1,000 row: push to the tabs {every_tab.lines[bill.PUSH_LINE]:,.2f}, total {every_tab.total:,.2f}.")


if __name__ == "__main__":
    main()
