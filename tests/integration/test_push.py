"""Push over the WebSocket API: $connect authenticates, notices reach the team's connections and no
other team's, and a gone connection is removed on send (the local runtime's WebSocket API, with the
app's own handlers and the management API the push worker posts to)."""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from local.runtime import LocalRuntime
from tests.integration.admin_helpers import new_team, new_user
from tests.integration.conftest import drain
from tests.integration.inbox_support import get, new_conversation, post
from tests.support import find, login, wait_for

PROTOCOL = "open-contact.v1"


def token(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def team_of(api: str, headers: dict[str, str]) -> str:
    team: str = get(api, "/me", headers).json()["team_id"]
    return team


def open_socket(runtime: LocalRuntime, headers: dict[str, str], team: str) -> ClientConnection:
    assert runtime.info is not None
    return connect(f"{runtime.info.push_url}?team={team}", subprotocols=[PROTOCOL, token(headers)],  # type: ignore[list-item]
                   open_timeout=10)


def received(socket: ClientConnection, timeout: float = 5) -> list[dict[str, Any]]:
    """Every push message that arrives within the timeout of the previous one."""
    messages = []
    while True:
        try:
            messages.append(json.loads(socket.recv(timeout=timeout)))
        except TimeoutError:
            return messages
        timeout = 0.5


def connections_of(team: str) -> list[Any]:
    from chalicelib.storage.connections import ConnectionStore

    return ConnectionStore().of_team(team)


def test_connect_stores_the_connection_and_disconnect_removes_it(runtime: LocalRuntime, api: str,
                                                                  agent1: dict[str, str]) -> None:
    # Given: agent 1's ID token and team
    team = team_of(api, agent1)
    # When: the browser connects
    socket = open_socket(runtime, agent1, team)
    # Then: the handshake names our protocol, and the connection is stored for the team
    assert socket.subprotocol == PROTOCOL
    stored = [c for c in connections_of(team) if c.user_id == socket_user(api, agent1)]
    assert stored
    # When: it closes; Then: the connection is gone from the table
    socket.close()
    wait_for(lambda: not [c for c in connections_of(team) if c.connection_id in {s.connection_id for s in stored}],
             timeout=10)


def socket_user(api: str, headers: dict[str, str]) -> str:
    user_id: str = get(api, "/me", headers).json()["user"]["id"]
    return user_id


@pytest.mark.parametrize("protocols", [
    [PROTOCOL, "not-a-token"],
    [PROTOCOL],
    ["something-else"],
])
def test_a_rejected_token_gets_no_connection(runtime: LocalRuntime, api: str, agent1: dict[str, str],
                                             protocols: list[str]) -> None:
    team = team_of(api, agent1)
    before = {c.connection_id for c in connections_of(team)}
    assert runtime.info is not None
    # When: the handshake carries no valid ID token; Then: it is refused with 401 and nothing is stored
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{runtime.info.push_url}?team={team}", subprotocols=protocols, open_timeout=10)  # type: ignore[arg-type]
    assert refused.value.response.status_code == 401
    assert {c.connection_id for c in connections_of(team)} == before


def admin(api: str, demo: dict[str, Any]) -> dict[str, str]:
    return login(api, "admin@example.com", demo["password"])


def test_a_team_the_user_is_not_in_is_refused(runtime: LocalRuntime, api: str, demo: dict[str, Any],
                                              agent1: dict[str, str]) -> None:
    assert runtime.info is not None
    other = new_team(api, admin(api, demo))["id"]
    with pytest.raises(InvalidStatus) as refused:
        open_socket(runtime, agent1, other)
    assert refused.value.response.status_code == 403


def test_a_new_conversation_reaches_the_team_and_no_other_team(runtime: LocalRuntime, api: str, webhook_url: str,
                                                                demo: dict[str, Any], agent1: dict[str, str],
                                                                agent2: dict[str, str]) -> None:
    # Given: two agents of the default team connected, and an agent of another team connected
    team = team_of(api, agent1)
    administrator = admin(api, demo)
    other_team = new_team(api, administrator)["id"]
    _, outsider = new_user(runtime, api, administrator, role="agent", team_ids=[other_team])
    drain(runtime, "notices", rounds=500)  # and the backlog the session's earlier tests left (bounded)
    first, second, foreign = (open_socket(runtime, agent1, team), open_socket(runtime, agent2, team),
                              open_socket(runtime, outsider, other_team))
    drain(runtime, "notices")  # the presence notices of connecting
    for socket in (first, second, foreign):
        received(socket, timeout=1)
    # When: a customer writes, and the worker sends the notices queued on the way
    text = f"secret order {secrets.token_hex(4)}"
    _, conversation = new_conversation(runtime, api, webhook_url, demo, agent1, text=text)
    drain(runtime, "notices")
    # Then: both agents of the team are told which conversation changed, with its counts, and its
    # row as the list shows it (their watchers need not read New to tell what arrived)
    listed = find(get(api, "/conversations", agent1, view="new", limit=100).json()["items"], id=conversation["id"])
    for socket in (first, second):
        messages = received(socket)
        notices = [n for m in messages for n in m["notices"]]
        opened = next(n for n in notices if n["type"] == "conversation" and n["conversation_id"] == conversation["id"])
        assert opened["state"] == "new"
        assert opened["conversation"] == listed
        assert opened["conversation"]["preview"] == text
        assert any(n["type"] == "message" and n["conversation_id"] == conversation["id"] for n in notices)
        counts = next(m["counts"] for m in messages if "counts" in m)
        new_tab = get(api, "/conversations", agent1, view="new", limit=100).json()
        assert counts["new"] == len(new_tab["items"]) or new_tab["next_cursor"]
    # And: the agent of the other team hears nothing about it
    assert received(foreign, timeout=1) == []
    for socket in (first, second, foreign):
        socket.close()


def test_tags_and_notes_are_pushed(runtime: LocalRuntime, api: str, webhook_url: str, demo: dict[str, Any],
                                   agent1: dict[str, str]) -> None:
    team = team_of(api, agent1)
    _, conversation = new_conversation(runtime, api, webhook_url, demo, agent1)
    drain(runtime, "notices")
    socket = open_socket(runtime, agent1, team)
    drain(runtime, "notices")
    received(socket, timeout=1)
    # When: a tag and a note are added
    assert post(api, f"/conversations/{conversation['id']}/tags", agent1, {"tags": ["push"]}).status_code == 200
    assert post(api, f"/conversations/{conversation['id']}/notes", agent1, {"text": "call back"}).status_code == 201
    drain(runtime, "notices")
    # Then: both changes are announced, the tags with the conversation's tags now (no read needed)
    notices = [n for m in received(socket) for n in m["notices"]]
    assert {"type": "tags", "conversation_id": conversation["id"], "tags": ["push"]} in notices
    assert {"type": "note", "conversation_id": conversation["id"]} in notices
    socket.close()


def test_a_pick_up_and_a_reply_carry_the_conversation_as_the_list_then_shows_it(
        runtime: LocalRuntime, api: str, webhook_url: str, demo: dict[str, Any], agent1: dict[str, str]) -> None:
    # Given: an agent's tab, and a customer waiting in New
    team = team_of(api, agent1)
    _, conversation = new_conversation(runtime, api, webhook_url, demo, agent1, text="first words")
    drain(runtime, "notices")
    socket = open_socket(runtime, agent1, team)
    drain(runtime, "notices")
    received(socket, timeout=1)

    def pushed_row(kind: str) -> dict[str, Any]:
        drain(runtime, "notices")
        notices = [n for m in received(socket) for n in m["notices"]]
        return next(n["conversation"] for n in notices
                    if n["type"] == kind and n["conversation_id"] == conversation["id"])

    def listed() -> dict[str, Any]:
        items = get(api, "/conversations", agent1, view="mine", limit=100).json()["items"]
        row = find(items, id=conversation["id"])
        assert row is not None
        return row

    # When: the agent picks it up, then replies
    assert post(api, f"/conversations/{conversation['id']}/pickup", agent1).status_code == 200
    # Then: each notice carries the row Assigned to me lists right after it (a tab need not read it)
    assert pushed_row("conversation") == listed()
    assert post(api, f"/conversations/{conversation['id']}/messages", agent1, {"text": "on it"}).status_code == 202
    row = pushed_row("message")
    assert row == listed()
    assert row["preview"] == "on it"
    socket.close()


def test_a_gone_connection_is_removed_when_sending(runtime: LocalRuntime, api: str, agent1: dict[str, str]) -> None:
    from chalicelib import wiring
    from chalicelib.core.clock import utc_now
    from chalicelib.domain.notices import Notice, NoticeType
    from chalicelib.domain.ports.push import Connection
    from chalicelib.storage.connections import ConnectionStore

    # Given: a connection the table still holds but API Gateway no longer has ($disconnect never
    # arrived), connected a while ago (a younger one may only be still connecting)
    team = team_of(api, agent1)
    stale = Connection(f"gone{secrets.token_hex(4)}=", socket_user(api, agent1), team)
    ConnectionStore().add(stale, utc_now() - timedelta(minutes=1))
    # When: the worker sends a notice to the team
    report = wiring.push_fan_out().deliver([Notice(type=NoticeType.NOTE, team_id=team, conversation_id="x")])
    # Then: the post answered 410 and the connection is removed
    assert report.gone >= 1
    assert ConnectionStore().get(stale.connection_id) is None
    assert stale.connection_id not in {c.connection_id for c in connections_of(team)}


def test_an_agent_whose_last_socket_closed_goes_offline_after_the_grace(runtime: LocalRuntime, api: str,
                                                                      agent2: dict[str, str]) -> None:
    from chalicelib.core.clock import utc_now
    from chalicelib.domain.work_models import DEPARTURE_GRACE, ONLINE_WINDOW
    from chalicelib.storage import presence

    # Given agent 2 connected (which counts as a heartbeat) in their team
    team = team_of(api, agent2)
    user = socket_user(api, agent2)
    socket = open_socket(runtime, agent2, team)
    seen = _last_seen(presence, team, user)
    assert seen is not None
    assert utc_now() - seen < ONLINE_WINDOW - DEPARTURE_GRACE
    # When the socket closes
    socket.close()
    # Then they still count as online now, but only for the grace: their presence runs out then
    gone = wait_for(lambda: (s := _last_seen(presence, team, user)) is not None and s < seen and s, timeout=10,
                    what="presence dated back")
    assert isinstance(gone, datetime)
    runs_out = gone + ONLINE_WINDOW
    assert utc_now() < runs_out <= utc_now() + DEPARTURE_GRACE


def test_the_heartbeat_rides_the_socket_and_other_messages_are_refused(runtime: LocalRuntime, api: str,
                                                                       agent1: dict[str, str]) -> None:
    from chalicelib.storage import presence

    team = team_of(api, agent1)
    user = socket_user(api, agent1)
    socket = open_socket(runtime, agent1, team)
    connected = _last_seen(presence, team, user)
    assert connected is not None
    # When the browser sends something that is not a heartbeat, nothing changes and the socket stays open
    socket.send("not json")
    socket.send(json.dumps({"action": "subscribe"}))
    socket.send(json.dumps({"action": "heartbeat", "availability": "asleep"}))
    # When it sends the heartbeat, the user's presence moves forward
    socket.send(json.dumps({"action": "heartbeat"}))
    beat = wait_for(lambda: (s := _last_seen(presence, team, user)) is not None and s > connected and s, timeout=10,
                    what="a later heartbeat")
    assert isinstance(beat, datetime)
    assert _status(presence, team, user) == "available"
    # And the heartbeat carries the availability the agent chose: Away counts at once, with no API call
    socket.send(json.dumps({"action": "heartbeat", "availability": "away"}))
    wait_for(lambda: _status(presence, team, user) == "away", timeout=10, what="Away from the socket")
    # And a heartbeat without one keeps what was chosen (the socket never turns Away into Available)
    socket.send(json.dumps({"action": "heartbeat"}))
    wait_for(lambda: (s := _last_seen(presence, team, user)) is not None and s > beat, timeout=10,
             what="a heartbeat after Away")
    assert _status(presence, team, user) == "away"
    socket.send(json.dumps({"action": "heartbeat", "availability": "available"}))
    wait_for(lambda: _status(presence, team, user) == "available", timeout=10, what="Available again")
    socket.ping().wait(5)
    socket.close()


def test_tab_counts_are_exact_beyond_a_page(runtime: LocalRuntime, api: str, demo: dict[str, Any]) -> None:
    from datetime import UTC, timedelta

    from chalicelib.domain.models import Channel, ContentKind, InboundMessage
    from chalicelib.storage.connections import team_counts
    from chalicelib.storage.repository import ContactRepository

    # Given a team with 120 new conversations (more than the old count's page of 50)
    team = new_team(api, admin(api, demo))["id"]
    now = datetime.now(UTC)
    prefix = f"{secrets.randbelow(10_000):04d}"
    conversations = [[InboundMessage(
        channel=Channel.WHATSAPP, account_id="wa-demo", provider_message_id=f"wamid.COUNT{prefix}.{n}",
        customer_id=f"+3162{prefix}{n:03d}", customer_name=None, sent_at=now - timedelta(seconds=n),
        kind=ContentKind.TEXT, text="count me")] for n in range(120)]
    ContactRepository().import_conversations(conversations, team_id=team)
    # When the team's counts are read (what a notice carries and GET /team/inbox-counts answers)
    counts = team_counts(team)
    # Then they are exact
    assert (counts.new, counts.assigned, counts.all, counts.mine) == (120, 0, 120, {})
    answer = get(api, "/team/inbox-counts", admin(api, demo), team=team).json()
    assert answer == {"new": 120, "mine": 0, "assigned": 0, "all": 120, "limit": 999}


def test_tab_counts_stop_reading_past_their_limit(runtime: LocalRuntime, api: str, demo: dict[str, Any],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, timedelta

    from chalicelib.domain.models import Channel, ContentKind, InboundMessage
    from chalicelib.domain.ports.push import COUNT_LIMIT
    from chalicelib.storage.connections import team_counts
    from chalicelib.storage.repository import ContactRepository
    from pynamodb.connection.base import Connection as DynamoConnection

    # Given a team with more New conversations than the counts tell exactly
    team = new_team(api, admin(api, demo))["id"]
    now = datetime.now(UTC)
    prefix = f"{secrets.randbelow(10_000):04d}"
    total = COUNT_LIMIT + 400
    ContactRepository().import_conversations([[InboundMessage(
        channel=Channel.WHATSAPP, account_id="wa-demo", provider_message_id=f"wamid.MANY{prefix}.{n}",
        customer_id=f"+3163{prefix}{n:04d}", customer_name=None, sent_at=now - timedelta(seconds=n),
        kind=ContentKind.TEXT, text="count me")] for n in range(total)], team_id=team)
    read: list[int] = []
    query = DynamoConnection.query

    def counting_query(self: DynamoConnection, *args: Any, **kwargs: Any) -> Any:
        answer = query(self, *args, **kwargs)
        read.append(answer["ScannedCount"])
        return answer

    monkeypatch.setattr(DynamoConnection, "query", counting_query)
    # When the counts are read
    counts = team_counts(team)
    # Then New and All say "more than the limit", and no list was read past it (a team's whole New
    # list read on every tab that opens costs read units by the thousand)
    assert (counts.new, counts.all) == (COUNT_LIMIT + 1, COUNT_LIMIT + 1)
    assert read
    assert max(read) <= COUNT_LIMIT + 1, read
    assert sum(read) <= 2 * (COUNT_LIMIT + 1), read


def _status(presence: Any, team: str, user: str) -> str | None:
    seen = presence.current(team, user)
    return seen.status if seen is not None else None


def _last_seen(presence: Any, team: str, user: str) -> datetime | None:
    seen = presence.current(team, user)
    return seen.last_seen if seen is not None else None
