"""The supervisor (handbook 003) over HTTP: sees every team's conversations and statistics and
assigns, takes a seat, but neither changes settings nor handles conversations."""

from tests.integration.admin_helpers import call, new_team, new_user, ok, seats, set_free_seats
from tests.integration.inbox_support import get, new_conversation, post


def test_the_supervisor_sees_all_teams_and_assigns_but_changes_no_settings(runtime, api, admin, agent1, webhook_url,
                                                                          demo):
    # Given a free seat, a team the supervisor is not in, and a customer's New conversation
    set_free_seats(api, admin, 1)
    used = seats(api, admin)["seats_used"]
    other = new_team(api, admin)
    supervisor, headers = new_user(runtime, api, admin, role="supervisor", team_ids=["default"])
    _, conversation = new_conversation(runtime, api, webhook_url, demo, agent1)
    # Then the supervisor took a seat
    assert supervisor["role"] == "supervisor"
    assert seats(api, admin)["seats_used"] == used + 1
    # And lists another team's conversations, and reads statistics
    assert get(api, "/conversations", headers, view="all", team=other["id"]).status_code == 200
    statistics = get(api, "/statistics", headers, since="2024-01-01T00:00:00Z", until="2024-01-02T00:00:00Z")
    assert statistics.status_code == 200, statistics.text
    # And assigns the conversation to agent1 (signed in)
    assert post(api, "/me/heartbeat", agent1).status_code == 200
    agent1_id = get(api, "/me", agent1).json()["user"]["id"]
    assigned = post(api, f"/conversations/{conversation['id']}/assign", headers, {"agent_id": agent1_id})
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["owner_id"] == agent1_id
    # But changes no settings and picks up or answers nothing
    refused = call("PATCH", f"{api}/settings/service", headers, {"reopen_days": 3})
    assert refused.status_code == 403
    assert call("POST", f"{api}/teams", headers, {"name": "nope"}).status_code == 403
    _, another = new_conversation(runtime, api, webhook_url, demo, agent1)
    assert post(api, f"/conversations/{another['id']}/pickup", headers).status_code == 403
    # And may read the settings, as a watcher may
    ok(call("GET", f"{api}/settings/service", headers))
