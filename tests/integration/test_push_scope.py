"""Notices reach only the tabs they can concern, over the local runtime's WebSocket API: each socket
says what its tab shows (a "view" message, repeated by the heartbeat), the connection item keeps it,
and a customer's follow-up in an agent's conversation reaches that agent and a supervisor on All,
not a colleague on Assigned to me."""

from __future__ import annotations

import json
import secrets
from typing import Any

from websockets.sync.client import ClientConnection

from local.runtime import LocalRuntime
from tests.integration.admin_helpers import new_user
from tests.integration.conftest import drain
from tests.integration.inbox_support import deliver, picked_up
from tests.integration.test_push import _last_seen, admin, connections_of, open_socket, received, socket_user, team_of
from tests.support import wait_for


def watching(team: str, user_id: str, view: str, conversation_id: str | None = None) -> bool:
    """Whether one of the user's connections in the team is stored as showing this."""
    return any(c.user_id == user_id and c.watch is not None and c.watch.view.value == view
               and c.watch.conversation_id == conversation_id for c in connections_of(team))


def about(socket: ClientConnection, conversation_id: str) -> list[dict[str, Any]]:
    return [n for m in received(socket, timeout=2) for n in m["notices"] if n.get("conversation_id") == conversation_id]


def test_a_follow_up_reaches_the_owner_and_all_but_not_a_colleague_on_mine(
        runtime: LocalRuntime, api: str, webhook_url: str, demo: dict[str, Any], agent1: dict[str, str],
        agent2: dict[str, str]) -> None:
    team = team_of(api, agent1)
    _, supervisor = new_user(runtime, api, admin(api, demo), role="supervisor", team_ids=[team])
    # Given: agent 1 has a conversation, open in their thread pane on Assigned to me
    wa_id, conversation = picked_up(runtime, api, webhook_url, demo, agent1)
    drain(runtime, "notices", rounds=500)  # and whatever earlier tests left queued
    owner, colleague, watcher = (open_socket(runtime, agent1, team), open_socket(runtime, agent2, team),
                                 open_socket(runtime, supervisor, team))
    owner.send(json.dumps({"action": "view", "view": "mine", "conversation_id": conversation["id"]}))
    # And: agent 2 on Assigned to me with nothing open, the supervisor on All
    colleague.send(json.dumps({"action": "view", "view": "mine", "conversation_id": None}))
    watcher.send(json.dumps({"action": "heartbeat", "view": "all"}))
    for headers, view, open_id in ((agent1, "mine", conversation["id"]), (agent2, "mine", None),
                                   (supervisor, "all", None)):
        user = socket_user(api, headers)

        def stored(user: str = user, view: str = view, open_id: str | None = open_id) -> bool:
            return watching(team, user, view, open_id)

        wait_for(stored, timeout=10, what=f"{view} stored")
    drain(runtime, "notices")
    for socket in (owner, colleague, watcher):
        received(socket, timeout=1)
    # When: the customer writes again
    deliver(runtime, webhook_url, demo, wa_id, f"one more thing {secrets.token_hex(3)}")
    drain(runtime, "notices")
    # Then: the owner and the supervisor hear of the message; agent 2 hears nothing of it
    assert any(n["type"] == "message" for n in about(owner, conversation["id"]))
    assert any(n["type"] == "message" for n in about(watcher, conversation["id"]))
    assert about(colleague, conversation["id"]) == []
    # When: agent 2 switches to All, said only by the heartbeat (as when the "view" message was lost)
    colleague.send(json.dumps({"action": "heartbeat", "view": "all", "conversation_id": None}))
    wait_for(lambda: watching(team, socket_user(api, agent2), "all"), timeout=10, what="the heartbeat's view")
    deliver(runtime, webhook_url, demo, wa_id, f"and another {secrets.token_hex(3)}")
    drain(runtime, "notices")
    # Then: the next follow-up reaches agent 2 as well
    assert any(n["type"] == "message" for n in about(colleague, conversation["id"]))
    for socket in (owner, colleague, watcher):
        socket.close()


def test_a_malformed_view_is_refused_and_changes_nothing(runtime: LocalRuntime, api: str,
                                                         agent1: dict[str, str]) -> None:
    from chalicelib.storage import presence

    team = team_of(api, agent1)
    user = socket_user(api, agent1)
    socket = open_socket(runtime, agent1, team)
    socket.send(json.dumps({"action": "view", "view": "new"}))
    wait_for(lambda: watching(team, user, "new"), timeout=10, what="New stored")
    # When: views that are not views, and a conversation id that is not one, are sent, then a heartbeat
    seen = _last_seen(presence, team, user)
    socket.send(json.dumps({"action": "view", "view": "everything"}))
    socket.send(json.dumps({"action": "view", "view": "all", "conversation_id": "CONV#x"}))
    socket.send(json.dumps({"action": "heartbeat", "view": "all", "extra": 1}))
    socket.send(json.dumps({"action": "heartbeat"}))
    wait_for(lambda: (s := _last_seen(presence, team, user)) is not None and seen is not None and s > seen,
             timeout=10, what="the heartbeat after them")
    # Then: the tab is still stored as showing New, and the socket is still open
    assert watching(team, user, "new")
    socket.ping().wait(5)
    socket.close()
