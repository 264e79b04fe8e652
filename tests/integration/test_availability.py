"""Availability: each agent says Available, Away or Offline with their heartbeat; only Available
agents are given work (automatic assignment, assignment by a colleague), one who becomes
Available takes the waiting conversations, and the team view shows each status and load."""

from __future__ import annotations

from typing import Any

import pytest

from local.runtime import LocalRuntime
from tests.integration.admin_helpers import call, new_team, new_user, new_whatsapp_account, ok, say, set_free_seats
from tests.integration.conftest import drain
from tests.support import find, login, new_wa_id


@pytest.fixture(scope="module")
def admin(api: str, demo: dict[str, Any]) -> dict[str, str]:
    return login(api, "admin@example.com", demo["password"])


def beat(api: str, headers: dict[str, str], team_id: str, status: str) -> None:
    ok(call("POST", f"{api}/me/heartbeat?team={team_id}", headers, {"status": status}))


def owner_of(api: str, admin: dict[str, str], team_id: str, wa_id: str) -> Any:
    listed = ok(call("GET", f"{api}/conversations?view=all&limit=100&team={team_id}", admin))["items"]
    found = find(listed, customer_id="+" + wa_id)
    assert found is not None
    return found["owner_id"]


def test_away_and_offline_agents_are_never_assigned_automatically(runtime: LocalRuntime, api: str,
                                                                   admin: dict[str, str]) -> None:
    # Given: a team assigning automatically; one agent Away, one Offline (still signed in)
    set_free_seats(api, admin, 3)
    team = new_team(api, admin, assignment={"auto_assign": True, "capacity": 5})["id"]
    away, away_headers = new_user(runtime, api, admin, role="agent", team_ids=[team])
    gone, gone_headers = new_user(runtime, api, admin, role="agent", team_ids=[team])
    beat(api, away_headers, team, "away")
    beat(api, gone_headers, team, "offline")
    account = new_whatsapp_account(runtime, api, admin, team_id=team)

    # When: customers write
    first, second = new_wa_id(), new_wa_id()
    say(runtime, account, first, "hello?")
    say(runtime, account, second, "anyone?")
    # Then: nobody gets them
    assert owner_of(api, admin, team, first) is None
    assert owner_of(api, admin, team, second) is None
    # And: a colleague cannot hand them one either
    refused = call("POST", f"{api}/conversations/{_id(api, admin, team, first)}/assign?team={team}", admin,
                   {"agent_id": away["id"]})
    assert refused.status_code == 400
    assert "not available" in refused.json()["error"]["message"]

    # When: the Away agent comes back (Available), the waiting conversations are theirs
    beat(api, away_headers, team, "available")
    drain(runtime, "assignment")
    assert owner_of(api, admin, team, first) == away["id"]
    assert owner_of(api, admin, team, second) == away["id"]

    # And the team view shows each status and load
    view = {item["user_id"]: item for item in ok(call("GET", f"{api}/team/online?team={team}", admin))["items"]}
    assert view[away["id"]]["status"] == "available"
    assert view[away["id"]]["load"] == 2
    assert view[gone["id"]]["status"] == "offline"
    assert view[gone["id"]]["load"] == 0
    # (their seats go back for the suites after this one)
    for user in (away, gone):
        ok(call("POST", f"{api}/users/{user['id']}/disable", admin))


def _id(api: str, admin: dict[str, str], team_id: str, wa_id: str) -> str:
    listed = ok(call("GET", f"{api}/conversations?view=all&limit=100&team={team_id}", admin))["items"]
    found = find(listed, customer_id="+" + wa_id)
    assert found is not None
    return str(found["id"])


def test_a_heartbeat_with_an_unknown_status_is_a_400(api: str, admin: dict[str, str]) -> None:
    answer = call("POST", f"{api}/me/heartbeat", admin, {"status": "napping"})
    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == "status"
