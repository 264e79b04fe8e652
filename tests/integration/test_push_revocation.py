"""Access withdrawn from open sockets (the local runtime's WebSocket API and the app's own handlers):
a user an administrator disables, or removes from a team, loses their stored connections there at
once, and the fan-out posts to those sockets no more, though they are still open."""

from __future__ import annotations

from typing import Any

from local.runtime import LocalRuntime
from tests.integration.admin_helpers import call, new_team, new_user, ok
from tests.integration.conftest import drain
from tests.integration.test_push import connections_of, open_socket, received


def _stored(user_id: str, *teams: str) -> set[tuple[str, str]]:
    """(team, connection id) of the user's connections stored in these teams."""
    return {(team, c.connection_id) for team in teams for c in connections_of(team) if c.user_id == user_id}


def _notices_reach(team: str) -> Any:
    """The push worker delivers a notice to the team (as it does for a batch of the notices queue)."""
    from chalicelib import wiring
    from chalicelib.domain.notices import Notice, NoticeType

    return wiring.push_fan_out().deliver([Notice(type=NoticeType.NOTE, team_id=team, conversation_id="x" * 32)])


def test_a_disabled_users_connections_are_removed_and_posted_to_no_more(runtime: LocalRuntime, api: str,
                                                                        admin: dict[str, str]) -> None:
    from chalicelib.storage.connections import ConnectionStore

    # Given an agent of two teams with a socket open in each, and a colleague's socket in the first
    first, second = new_team(api, admin)["id"], new_team(api, admin)["id"]
    user, headers = new_user(runtime, api, admin, role="agent", team_ids=[first, second])
    _, colleague = new_user(runtime, api, admin, role="agent", team_ids=[first])
    sockets = [open_socket(runtime, headers, first), open_socket(runtime, headers, second)]
    watcher = open_socket(runtime, colleague, first)
    stored = _stored(user["id"], first, second)
    assert {team for team, _ in stored} == {first, second}
    drain(runtime, "notices")  # the presence notices of connecting
    for socket in (*sockets, watcher):
        received(socket, timeout=1)
    # When an administrator disables the agent
    assert ok(call("POST", f"{api}/users/{user['id']}/disable", admin))["role"] == "disabled"
    # Then neither connection is stored any more (by team or by id), though both sockets are still open
    assert _stored(user["id"], first, second) == set()
    assert all(ConnectionStore().get(connection_id) is None for _, connection_id in stored)
    # And a notice to each team reaches the colleague and not the disabled agent's sockets
    _notices_reach(first)
    _notices_reach(second)
    assert [n["type"] for m in received(watcher) for n in m["notices"]] == ["note"]
    assert all(received(socket, timeout=1) == [] for socket in sockets)
    for socket in (*sockets, watcher):
        socket.close()


def test_a_user_removed_from_a_team_keeps_only_the_other_teams_connection(runtime: LocalRuntime, api: str,
                                                                          admin: dict[str, str]) -> None:
    # Given an agent of two teams with a socket open in each
    first, second = new_team(api, admin)["id"], new_team(api, admin)["id"]
    user, headers = new_user(runtime, api, admin, role="agent", team_ids=[first, second])
    sockets = {team: open_socket(runtime, headers, team) for team in (first, second)}
    kept = _stored(user["id"], second)
    assert kept
    drain(runtime, "notices")
    for socket in sockets.values():
        received(socket, timeout=1)
    # When an administrator removes them from the first team
    assert ok(call("DELETE", f"{api}/teams/{first}/members/{user['id']}", admin))["team_ids"] == [second]
    # Then the first team's connection is gone and the second's stays
    assert _stored(user["id"], first, second) == kept
    # And the first team's notices no longer reach them, the second's still do
    _notices_reach(first)
    _notices_reach(second)
    assert received(sockets[first], timeout=1) == []
    assert [n["type"] for m in received(sockets[second]) for n in m["notices"]] == ["note"]
    for socket in sockets.values():
        socket.close()


def test_a_connection_the_withdrawal_missed_goes_with_its_next_heartbeat(runtime: LocalRuntime, api: str,
                                                                         admin: dict[str, str]) -> None:
    import json

    from chalicelib.domain.models import Role
    from chalicelib.storage.users import UserStore

    from tests.support import wait_for

    # Given an agent's open socket, and the agent disabled behind the use case's back (as if withdrawing
    # had failed, or the socket connected while the change was being made)
    team = new_team(api, admin)["id"]
    user, headers = new_user(runtime, api, admin, role="agent", team_ids=[team])
    socket = open_socket(runtime, headers, team)
    assert _stored(user["id"], team)
    users = UserStore()
    users.change_role(users.require(user["id"]), Role.DISABLED)
    # When the tab's heartbeat arrives
    socket.send(json.dumps({"action": "heartbeat"}))
    # Then it is refused and the connection is removed, so the team's notices no longer reach the socket
    wait_for(lambda: not _stored(user["id"], team), timeout=10, what="the connection removed")
    drain(runtime, "notices")
    received(socket, timeout=1)
    _notices_reach(team)
    assert received(socket, timeout=1) == []
    socket.close()
