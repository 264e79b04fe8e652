"""The push worker's fan-out: one post per connection per batch (however many notices, up to 32 KB
a post), counts only
when a conversation moved, each agent's own Assigned-to-me count, the conversation's row on
conversation and message notices, a team looked up for a notice that names none, gone connections
removed, posts in flight bounded by the pool."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.models import ConversationState
from chalicelib.domain.notices import Notice, NoticeType, notice_of
from chalicelib.domain.ports.push import Connection, TeamCounts
from chalicelib.domain.push import POST_BYTES, PROTOCOL, Place, PushFanOut, posts_of, token_of


class FakeConnections:
    def __init__(self, connections: list[Connection]) -> None:
        self.connections = list(connections)
        self.reads = 0

    def of_team(self, team_id: str) -> list[Connection]:
        self.reads += 1
        return [c for c in self.connections if c.team_id == team_id]

    def remove(self, connection: Connection) -> None:
        self.connections.remove(connection)


class FakeGateway:
    def __init__(self, gone: set[str] = frozenset(), delay: float = 0.0) -> None:  # type: ignore[assignment]
        self.gone = gone
        self.delay = delay
        self.posts: dict[str, list[dict[str, object]]] = {}
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()

    def post(self, connection_id: str, data: bytes) -> bool:
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(self.delay)
        with self._lock:
            self.in_flight -= 1
            if connection_id in self.gone:
                return False
            self.posts.setdefault(connection_id, []).append(json.loads(data))
        return True


COUNTS = TeamCounts(new=3, assigned=5, all=1000, mine={"u1": 2})


def connections(team: str, count: int) -> list[Connection]:
    return [Connection(f"{team}-{i}", f"u{i % 2}", team) for i in range(count)]


def test_a_batch_is_one_post_per_connection_of_the_team_concerned_and_none_elsewhere() -> None:
    # Given two teams' connections
    store = FakeConnections(connections("a", 4) + connections("b", 3))
    gateway = FakeGateway()
    counted: list[str] = []

    def counts(team: str) -> TeamCounts:
        counted.append(team)
        return COUNTS

    fan_out = PushFanOut(store, gateway, lambda _: None, counts)
    # When a batch of three notices about team a is delivered
    report = fan_out.deliver([
        Notice(type=NoticeType.CONVERSATION, team_id="a", conversation_id="c1"),
        Notice(type=NoticeType.MESSAGE, team_id="a", conversation_id="c1", message_id="m1"),
        Notice(type=NoticeType.TAGS, team_id="a", conversation_id="c2"),
    ])
    # Then each connection of team a got one post carrying all three, and team b got nothing
    assert sorted(gateway.posts) == [f"a-{i}" for i in range(4)]
    assert all(len(posts) == 1 and len(posts[0]["notices"]) == 3 for posts in gateway.posts.values())  # type: ignore[arg-type]
    assert (report.teams, report.sent, report.gone, report.failed) == (1, 4, 0, 0)
    assert store.reads == 1
    assert counted == ["a"]
    # And the counts are the team's, with each agent's own Assigned-to-me
    first = gateway.posts["a-1"][0]  # user u1
    assert first["counts"] == {"new": 3, "mine": 2, "assigned": 5, "all": 1000, "limit": 999}
    assert gateway.posts["a-0"][0]["counts"]["mine"] == 0  # type: ignore[index]
    # And a notice names no team
    assert all("team_id" not in notice for notice in first["notices"])  # type: ignore[attr-defined]


def test_a_batch_larger_than_a_billed_websocket_message_goes_in_posts_of_at_most_32_kb_in_order() -> None:
    # Given a busy second: 200 notices about moved conversations for one tab (the batching window
    # gathers up to 100 queue records, each with one or more notices)
    gateway = FakeGateway()
    raw: list[bytes] = []

    class Recording(FakeGateway):
        def post(self, connection_id: str, data: bytes) -> bool:
            raw.append(data)
            return gateway.post(connection_id, data)

    notices = [Notice(type=NoticeType.CONVERSATION, team_id="a", conversation_id=f"{i:032x}",
                      message_id=f"m{i}-" + "x" * 150) for i in range(200)]
    # When the worker delivers them
    report = PushFanOut(FakeConnections([Connection("t1", "u1", "a")]), Recording(), lambda _: None,
                        lambda _: COUNTS).deliver(notices)
    # Then the tab got every notice once, in order, in as few posts as keep each within 32 KB
    posts = gateway.posts["t1"]
    assert [n["conversation_id"] for post in posts for n in post["notices"]] == [  # type: ignore[attr-defined]
        f"{i:032x}" for i in range(200)]
    assert all(len(data) <= POST_BYTES for data in raw)
    assert len(raw) == -(-sum(len(data) for data in raw) // POST_BYTES)
    assert len(raw) > 1
    # And each post carries the tab counts, and the connection counts once as sent
    assert all(post["counts"]["mine"] == 2 for post in posts)  # type: ignore[index]
    assert (report.connections, report.sent) == (1, 1)


def test_posts_of_packs_notices_up_to_the_limit_and_a_larger_notice_alone() -> None:
    small = json.dumps({"type": "note", "conversation_id": "c" * 32}).encode()
    large = json.dumps({"type": "note", "text": "y" * POST_BYTES}).encode()
    packed = posts_of([small] * 3 + [large] + [small], None)
    assert [json.loads(post) for post in packed] == [
        {"notices": [json.loads(small)] * 3}, {"notices": [json.loads(large)]}, {"notices": [json.loads(small)]}]
    assert posts_of([small], {"new": 1}) == [b'{"notices":[' + small + b'],"counts":{"new": 1}}']
    assert posts_of([], None) == []


def test_counts_are_read_only_when_a_conversation_moved() -> None:
    store = FakeConnections(connections("a", 2))
    gateway = FakeGateway()
    fan_out = PushFanOut(store, gateway, lambda _: None, lambda _: pytest.fail("counts read"))
    fan_out.deliver([Notice(type=NoticeType.STATUS, team_id="a", conversation_id="c", message_id="m")])
    assert all("counts" not in posts[0] for posts in gateway.posts.values())


def test_a_notice_without_team_is_sent_to_its_conversations_team_or_dropped() -> None:
    store = FakeConnections(connections("a", 1) + connections("b", 1))
    gateway = FakeGateway()
    places = {"c-of-b": Place("b", ConversationState.ASSIGNED, "u9")}
    fan_out = PushFanOut(store, gateway, places.get, lambda _: COUNTS)
    report = fan_out.deliver([Notice(type=NoticeType.STATUS, conversation_id="c-of-b", message_id="m"),
                              Notice(type=NoticeType.STATUS, conversation_id="purged", message_id="m")])
    assert list(gateway.posts) == ["b-0"]
    assert report.teams == 1


def test_gone_connections_are_removed_and_the_rest_still_served() -> None:
    store = FakeConnections(connections("a", 3))
    gateway = FakeGateway(gone={"a-1"})
    report = PushFanOut(store, gateway, lambda _: None, lambda _: COUNTS).deliver(
        [Notice(type=NoticeType.NOTE, team_id="a", conversation_id="c")])
    assert (report.sent, report.gone) == (2, 1)
    assert [c.connection_id for c in store.connections] == ["a-0", "a-2"]


def test_a_connection_still_connecting_is_kept_when_a_post_to_it_is_refused_as_gone() -> None:
    # Given a tab whose $connect stored it a second ago (API Gateway refuses posts until $connect
    # returns) and one that connected a minute ago, both answered "gone"
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    connecting = Connection("a-new", "u1", "a", connected_at=now - timedelta(seconds=1))
    left = Connection("a-old", "u2", "a", connected_at=now - timedelta(seconds=60))
    store = FakeConnections([connecting, left])
    gateway = FakeGateway(gone={"a-new", "a-old"})
    # When a notice is fanned out
    PushFanOut(store, gateway, lambda _: None, lambda _: COUNTS, clock=lambda: now).deliver(
        [Notice(type=NoticeType.NOTE, team_id="a", conversation_id="c")])
    # Then only the old one is removed: the new tab goes on hearing notices once it is open
    assert [c.connection_id for c in store.connections] == ["a-new"]


def test_posts_in_flight_are_bounded_by_the_pool() -> None:
    store = FakeConnections(connections("a", 40))
    gateway = FakeGateway(delay=0.01)
    PushFanOut(store, gateway, lambda _: None, lambda _: COUNTS, threads=4).deliver(
        [Notice(type=NoticeType.NOTE, team_id="a", conversation_id="c")])
    assert len(gateway.posts) == 40
    assert 1 < gateway.most_in_flight <= 4


def test_a_status_notice_carries_the_status_and_the_failure_reason_and_nothing_of_the_message() -> None:
    from datetime import UTC, datetime

    from chalicelib.domain.events import status_changed
    from chalicelib.domain.models import DeliveryError, DeliveryStatus

    read = notice_of(status_changed("c1", "m1", DeliveryStatus.READ, datetime.now(UTC)))
    assert read.model_dump(mode="json", exclude_none=True) == {
        "type": "status", "conversation_id": "c1", "message_id": "m1", "status": "read"}
    failed = notice_of(status_changed("c1", "m1", DeliveryStatus.FAILED, datetime.now(UTC),
                                      DeliveryError(code="30003", message="unreachable", permanent=True)))
    assert failed.model_dump(mode="json", exclude_none=True) == {
        "type": "status", "conversation_id": "c1", "message_id": "m1", "status": "failed",
        "error": {"code": "30003", "message": "unreachable", "permanent": True}}


def test_a_tags_notice_carries_the_conversations_tags() -> None:
    from collections.abc import Sequence

    from chalicelib.core.resources import QueueDefinition
    from chalicelib.domain.notices import NoticeBatch, NoticePublisher
    from chalicelib.domain.ports.integrations import QueueMessage

    sent: list[str] = []

    class Queue:
        def send(self, queue: QueueDefinition, messages: Sequence[QueueMessage]) -> None:
            sent.extend(message.body for message in messages)

    NoticePublisher(Queue()).conversation_changed("t", "c1", NoticeType.TAGS, tags=["billing", "vip"])
    [notice] = NoticeBatch.model_validate_json(sent[0]).notices
    assert notice.model_dump(mode="json", exclude_none=True) == {
        "type": "tags", "team_id": "t", "conversation_id": "c1", "tags": ["billing", "vip"]}


@pytest.mark.parametrize("header", [None, "", "other", PROTOCOL, f"{PROTOCOL}, a, b", "token-only"])
def test_the_token_must_come_as_the_second_offered_subprotocol(header: str | None) -> None:
    with pytest.raises(Unauthenticated):
        token_of(header)


def test_the_token_is_read_from_the_offered_subprotocols() -> None:
    assert token_of(f"{PROTOCOL}, eyJ.abc.def") == "eyJ.abc.def"


def test_conversation_and_message_notices_carry_the_row_through_the_queue_to_the_tabs() -> None:
    from collections.abc import Sequence

    from chalicelib.core.resources import QueueDefinition
    from chalicelib.domain.events import conversation_created, message_created, status_changed
    from chalicelib.domain.models import Channel, ContentKind, Conversation, DeliveryStatus, Direction, Message
    from chalicelib.domain.notices import NoticeBatch, NoticePublisher
    from chalicelib.domain.ports.integrations import QueueMessage

    now = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
    conversation = Conversation(
        id="c" * 32, channel=Channel.WHATSAPP, account_id="wa", customer_id="+31612345678", customer_name="Ada",
        team_id="a", state=ConversationState.NEW, owner_id=None, created_at=now, last_message_at=now,
        last_customer_message_at=now, preview="where is my order?", version=0, waiting_since=now)
    message = Message(id="m1", conversation_id=conversation.id, direction=Direction.INBOUND, kind=ContentKind.TEXT,
                      text="where is my order?", sent_at=now, status=DeliveryStatus.RECEIVED,
                      provider_message_id="wamid.1", author_id=None)
    sent: list[str] = []

    class Queue:
        def send(self, queue: QueueDefinition, messages: Sequence[QueueMessage]) -> None:
            sent.extend(message.body for message in messages)

    # Given the events of a new conversation's first message, and a status, queued as notices
    NoticePublisher(Queue()).on_events([conversation_created(conversation), message_created(conversation, message),
                                        status_changed(conversation.id, "m1", DeliveryStatus.READ, now)])
    notices = NoticeBatch.model_validate_json(sent[0]).notices
    # When the worker posts them to a tab of the team
    gateway = FakeGateway()
    PushFanOut(FakeConnections([Connection("t1", "u1", "a")]), gateway,
               lambda _: Place("a", ConversationState.NEW), lambda _: COUNTS).deliver(notices)
    [posted] = gateway.posts["t1"]
    # Then the conversation and message notices carry the row as the API lists it (empty fields too)
    row = conversation.model_dump(mode="json")
    assert row["owner_id"] is None
    assert row["unread"] is True
    notices_posted = posted["notices"]
    assert isinstance(notices_posted, list)
    assert [n.get("conversation") for n in notices_posted] == [row, row, None]
    # And the events' bodies (what integrators receive) do not change
    assert "preview" not in json.dumps(conversation_created(conversation).model_dump(mode="json"))
