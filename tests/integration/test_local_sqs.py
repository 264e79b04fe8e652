"""The local runtime's SQS (moto, patched by ``local.atomic_sqs``) behaves as SQS does under
concurrency: a message goes to one receiver at a time, none is lost when sends and deletes
meet, a long poll returns as soon as a message arrives without holding up the queue's other
receivers, and a FIFO group in flight is given to no one else. The pollers read a queue with a
batching window as Lambda's event source mapping does.

Each test talks to its own queue on one moto server over loopback, as the pollers do."""

from __future__ import annotations

import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from chalicelib.core.resources import QueueDefinition
from moto.sqs.models import Queue, SQSBackend, sqs_backends

from local.atomic_sqs import receive_each_message_once
from local.pollers import Poller, QueueConsumer
from tests.integration.moto_server import moto_client


@pytest.fixture(scope="module")
def sqs() -> Iterator[Any]:
    receive_each_message_once()
    with moto_client("sqs") as client:
        yield client


@pytest.fixture
def queue(sqs: Any) -> str:
    url: str = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}",
                                Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    return url


@pytest.fixture
def fifo(sqs: Any) -> str:
    url: str = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}.fifo",
                                Attributes={"FifoQueue": "true", "VisibilityTimeout": "60"})["QueueUrl"]
    return url


def moto_queue(url: str) -> tuple[SQSBackend, str]:
    """moto's backend (this process serves the test's moto) and the queue's name."""
    return sqs_backends["123456789012"]["us-east-1"], url.rsplit("/", 1)[1]


def switching_often(work: Callable[[], None]) -> None:
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        work()
    finally:
        sys.setswitchinterval(interval)


def run_together(senders: list[Callable[[], None]], receivers: list[Callable[[], None]],
                 senders_done: threading.Event) -> None:
    threads = [threading.Thread(target=work) for work in senders + receivers]
    for thread in threads:
        thread.start()
    for thread in threads[:len(senders)]:
        thread.join(timeout=60)
    senders_done.set()
    for thread in threads[len(senders):]:
        thread.join(timeout=60)


def send_many(sqs: Any, url: str, bodies: list[str]) -> None:
    for start in range(0, len(bodies), 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": body}
                                                      for i, body in enumerate(bodies[start:start + 10])])


def drain(sqs: Any, url: str, received: Counter[str], until: int, deadline: float) -> None:
    """Receive (long polls) and delete until ``until`` distinct bodies were seen or time is up."""
    while len(received) < until and time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        for message in messages:
            received[message["Body"]] += 1
        if messages:
            sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])


def test_concurrent_receivers_get_each_message_once(sqs: Any, queue: str) -> None:
    # Given 200 messages on a queue
    bodies = [f"m{n}" for n in range(200)]
    send_many(sqs, queue, bodies)
    counts: list[Counter[str]] = [Counter() for _ in range(6)]
    shared: Counter[str] = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + 60

    def receive(worker: int) -> None:
        while time.monotonic() < deadline:
            with lock:
                if len(shared) >= len(bodies):
                    return
            messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=1).get("Messages", [])
            for message in messages:
                counts[worker][message["Body"]] += 1
                with lock:
                    shared[message["Body"]] += 1

    # When six receivers take from it at once (nothing is deleted, the visibility timeout is 60 s)
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(receive, range(6)))
    # Then every message went to exactly one receiver, once
    assert sorted(shared) == sorted(bodies)
    assert set(shared.values()) == {1}


def test_no_message_is_lost_when_sends_and_deletes_meet(queue: str) -> None:
    """On moto's backend directly, with the interpreter switching threads as often as it can: a
    send landing while a delete rebuilt the queue's message list was lost (36 of 600 in one run
    before)."""
    backend, name = moto_queue(queue)
    # Given 1,000 messages in flight (received, not deleted: each delete walks past them)
    for n in range(1000):
        backend.send_message(name, f"held{n}")
    while backend.receive_message(name, 10, 0, 60):
        pass
    received: Counter[str] = Counter()
    senders_done = threading.Event()

    def receive_and_delete() -> None:
        while True:
            messages = backend.receive_message(name, 10, 0, 60)
            if not messages and senders_done.is_set():
                return
            for message in messages:
                received[message.body] += 1
                backend.delete_message(name, str(message.receipt_handle))

    def send(sender: int) -> None:
        for n in range(300):
            backend.send_message(name, f"m{sender}.{n}")

    # When two senders and two receivers that delete what they get run at once
    switching_often(lambda: run_together([lambda: send(0), lambda: send(1)], [receive_and_delete] * 2,
                                         senders_done))
    # Then every message sent was received exactly once
    assert sorted(received) == sorted(f"m{k}.{n}" for k in range(2) for n in range(300))
    assert set(received.values()) == {1}


def test_sends_and_deletes_wait_for_the_queue_they_change(sqs: Any, queue: str) -> None:
    # Given a message received, and the queue's lock held by someone else
    send_many(sqs, queue, ["one"])
    handle = sqs.receive_message(QueueUrl=queue)["Messages"][0]["ReceiptHandle"]
    backend, name = moto_queue(queue)
    done: list[str] = []

    def delete() -> None:
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=handle)
        done.append("delete")

    def send() -> None:
        sqs.send_message(QueueUrl=queue, MessageBody="two")
        done.append("send")

    with backend.get_queue(name)._messages_lock:
        # When it is deleted and another message is sent meanwhile
        threads = [threading.Thread(target=delete), threading.Thread(target=send)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        # Then neither changes the queue until the lock is free
        assert done == []
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(done) == ["delete", "send"]
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=queue)["Messages"]] == ["two"]


def test_a_long_poll_returns_when_a_message_arrives_and_holds_up_no_other_receiver(sqs: Any, queue: str) -> None:
    # Given two receivers long-polling an empty queue for up to 10 seconds
    results: dict[int, tuple[float, list[Any]]] = {}

    def long_poll(receiver: int) -> None:
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1, WaitTimeSeconds=10).get("Messages", [])
        results[receiver] = (time.monotonic(), messages)

    threads = [threading.Thread(target=long_poll, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    # When two messages are sent
    sent = time.monotonic()
    send_many(sqs, queue, ["a", "b"])
    for thread in threads:
        thread.join(timeout=15)
    # Then both receivers return within a second of the send, one message each
    assert sorted(m["Body"] for _, messages in results.values() for m in messages) == ["a", "b"]
    assert all(returned - sent < 1.0 for returned, _ in results.values())


def test_a_fifo_group_in_flight_goes_to_no_other_receiver(sqs: Any, fifo: str) -> None:
    # Given two messages of one group, and the first received (not yet deleted)
    for n in range(2):
        sqs.send_message(QueueUrl=fifo, MessageBody=f"g{n}", MessageGroupId="customer-1",
                         MessageDeduplicationId=f"d{n}")
    first = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=1)["Messages"]
    assert [m["Body"] for m in first] == ["g0"]
    # When another receiver long-polls for a second
    started = time.monotonic()
    waiting = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    # Then it gets nothing, after waiting its time rather than spinning or returning at once
    assert waiting == []
    assert time.monotonic() - started >= 0.9
    # And once the first is deleted, the group's next message comes
    sqs.delete_message(QueueUrl=fifo, ReceiptHandle=first[0]["ReceiptHandle"])
    after = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
    assert [m["Body"] for m in after] == ["g1"]


def test_sending_counts_no_messages(sqs: Any, fifo: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a backlog on a FIFO queue, and message counting that fails if anyone counts
    send = [{"Id": str(n), "MessageBody": f"b{n}", "MessageGroupId": f"g{n}", "MessageDeduplicationId": f"d{n}"}
            for n in range(10)]
    sqs.send_message_batch(QueueUrl=fifo, Entries=send)

    def counted(self: Queue) -> int:
        raise AssertionError("a send counted the queue's messages")

    monkeypatch.setattr(Queue, "approximate_number_of_messages", property(counted))
    # When a message is sent, Then it is stored without counting the backlog (which grows with it)
    sqs.send_message(QueueUrl=fifo, MessageBody="one more", MessageGroupId="g", MessageDeduplicationId="d")
    monkeypatch.undo()
    # And the queue's attributes still count as SQS does
    attributes = sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "11"
    assert attributes["FifoQueue"] == "true"
    assert attributes["ContentBasedDeduplication"] == "false"
    one = sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
    assert one["Attributes"] == {"ApproximateNumberOfMessagesNotVisible": "0"}


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pollers' own client finds moto's credentials where the runtime sets them."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


class UnrecordedPoller(Poller):
    """A poller whose worker is no function of the stack: its calls are not recorded as a
    function's (tests/fixtures/aws_calls.json lists the stack's)."""

    def poll_once(self) -> int:
        return self._poll_once()


def windowed_poller(sqs: Any, queue: str, batch_size: int, batching_window: bool = True, window: int = 1
                    ) -> tuple[Poller, list[list[str]]]:
    """A poller of ``queue`` as the event source mapping of a queue with a batching window of
    ``window`` seconds reads it; the handler records the bodies of each batch it is handed."""
    batches: list[list[str]] = []

    def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        batches.append([record["body"] for record in event["Records"]])
        return {"batchItemFailures": []}

    definition = QueueDefinition("q", fifo=False, consumer_timeout_seconds=30, max_receive_count=3,
                                 batch_size=batch_size, max_concurrency=2, batching_window_seconds=window)
    consumer = QueueConsumer(definition, queue, "arn:aws:sqs:us-east-1:123456789012:q", "worker", handler)
    poller = UnrecordedPoller(consumer, region="us-east-1", endpoint_url=sqs.meta.endpoint_url, wait_seconds=0,
                        batching_window=batching_window)
    return poller, batches


@pytest.mark.usefixtures("credentials")
def test_a_batching_window_gathers_what_arrives_within_it_into_one_invocation(sqs: Any, queue: str) -> None:
    # Given a queue read with a two-second batching window, and three records waiting
    poller, batches = windowed_poller(sqs, queue, batch_size=100, window=2)
    send_many(sqs, queue, ["a", "b", "c"])
    # When twelve more arrive half a second after the poll took the first
    later = threading.Timer(0.5, send_many, args=(sqs, queue, [f"late-{n}" for n in range(12)]))
    later.start()
    started = time.monotonic()
    taken = poller.poll_once()
    waited = time.monotonic() - started
    later.join()
    # Then one invocation got all fifteen, after the window had passed, and all were deleted
    assert taken == 15
    assert [sorted(batch) for batch in batches] == [sorted(["a", "b", "c", *(f"late-{n}" for n in range(12))])]
    assert 2.0 <= waited < 4.0  # (the window, and the calls of a busy machine)
    assert sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages") is None


@pytest.mark.usefixtures("credentials")
def test_a_full_batch_is_handed_over_before_the_window_ends(sqs: Any, queue: str) -> None:
    # Given 25 records waiting on a queue read in batches of 20 with a five-second window
    poller, batches = windowed_poller(sqs, queue, batch_size=20, window=5)
    send_many(sqs, queue, [str(n) for n in range(25)])
    # When the poller polls twice
    started = time.monotonic()
    first = poller.poll_once()
    first_took = time.monotonic() - started
    second = poller.poll_once()
    # Then the first batch is full at once (receives of ten at most, SQS's limit) and the rest follows
    assert (first, second) == (20, 5)
    assert first_took < 4.0
    assert sorted(int(body) for batch in batches for body in batch) == list(range(25))


@pytest.mark.usefixtures("credentials")
def test_without_batching_windows_a_poll_hands_over_one_receive(sqs: Any, queue: str) -> None:
    # Given a poller told to ignore batching windows (the cost probe's stepping)
    poller, batches = windowed_poller(sqs, queue, batch_size=100, batching_window=False)
    send_many(sqs, queue, [str(n) for n in range(15)])
    # Then a poll takes what one receive returns, at once
    started = time.monotonic()
    assert poller.poll_once() == 10
    assert time.monotonic() - started < 0.5
    assert [len(batch) for batch in batches] == [10]
