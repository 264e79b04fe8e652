"""The curl session of the README (Administering with curl), step by step over HTTP, and each user's profile."""

import requests

from tests.integration.admin_helpers import call, new_whatsapp_account, ok, say, unique
from tests.support import HTTP_TIMEOUT, find, new_wa_id


def test_the_documented_admin_session(runtime, api, demo):
    # Sign in as the administrator
    token = ok(requests.post(f"{api}/auth/login", json={"email": "admin@example.com", "password": demo["password"]},
                             timeout=HTTP_TIMEOUT))["id_token"]
    admin = {"Authorization": f"Bearer {token}"}
    # Create a team
    team_id = unique("sales")
    team = ok(call("POST", f"{api}/teams", admin, {"id": team_id, "name": "Sales"}), 201)
    assert team["id"] == team_id
    # Route a channel account to it
    account = new_whatsapp_account(runtime, api, admin)
    routed = ok(call("PATCH", f"{api}/channel-accounts/{account.id}", admin, {"team_id": team_id}))
    assert routed["team_id"] == team_id
    # Set its office hours
    hours = {"time_zone": "Europe/Amsterdam", "holidays": ["2025-12-25"],
             "days": {"monday": [{"open": "08:00", "close": "12:00"}, {"open": "13:00", "close": "17:00"}],
                      "friday": [{"open": "08:00", "close": "15:00"}]}}
    shown = ok(call("PUT", f"{api}/teams/{team_id}/office-hours", admin, hours))
    assert shown["office_hours"]["days"]["monday"][1] == {"open": "13:00", "close": "17:00"}
    # The account's new conversations now land in the team
    wa_id = new_wa_id()
    say(runtime, account, wa_id, "hello sales")
    listed = ok(requests.get(f"{api}/conversations", params={"view": "all", "team": team_id}, headers=admin,
                             timeout=HTTP_TIMEOUT))["items"]
    assert find(listed, customer_id="+" + wa_id)  # stored in E.164
    # And the whole API is described at /openapi.json, without signing in
    assert "/teams/{team_id}/office-hours" in ok(requests.get(f"{api}/openapi.json", timeout=HTTP_TIMEOUT))["paths"]


def test_invalid_office_hours_get_400_naming_the_problem(api, demo):
    admin = {"Authorization": "Bearer " + ok(requests.post(
        f"{api}/auth/login", json={"email": "admin@example.com", "password": demo["password"]},
        timeout=HTTP_TIMEOUT))["id_token"]}
    response = call("PUT", f"{api}/teams/default/office-hours", admin, {"time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "time_zone"


def test_each_user_reads_and_changes_their_own_profile(api, agent2):
    # Given an agent's default profile
    profile = ok(call("GET", f"{api}/me/profile", agent2))
    assert profile == {"display_name": "Sam Agent", "language": None, "time_zone": None, "dark_mode": False,
                       "notifications": "all"}
    # When they change some of it
    changed = ok(call("PATCH", f"{api}/me/profile", agent2, {"time_zone": "Europe/Amsterdam", "dark_mode": True,
                                                            "language": "nl", "notifications": "new_conversations"}))
    # Then the rest stays, and the change is kept
    assert changed["display_name"] == "Sam Agent"
    assert ok(call("GET", f"{api}/me/profile", agent2)) == changed
    # And nonsense is refused, naming the field
    for body, field in (({"time_zone": "Nowhere/Land"}, "time_zone"), ({"dark_mode": "maybe"}, "dark_mode"),
                        ({"notifications": "loud"}, "notifications"), ({"role": "administrator"}, "role")):
        response = call("PATCH", f"{api}/me/profile", agent2, body)
        assert response.status_code == 400, body
        assert response.json()["error"]["field"] == field
    # And a new display name shows in /me
    ok(call("PATCH", f"{api}/me/profile", agent2, {"display_name": "Sam A."}))
    assert ok(call("GET", f"{api}/me", agent2))["user"]["display_name"] == "Sam A."
    ok(call("PATCH", f"{api}/me/profile", agent2, {"display_name": "Sam Agent"}))
