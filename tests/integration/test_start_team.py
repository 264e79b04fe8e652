"""Starting a conversation files it in a team the chosen channel account serves, whatever team
the caller happens to act in."""

from __future__ import annotations

from tests.integration.admin_helpers import call, new_team, new_whatsapp_account, ok
from tests.support import new_wa_id

TEMPLATE = {"name": "start_team_hello", "language": "en", "body": "Hello from the team"}


def test_a_started_conversation_goes_to_a_team_the_account_serves(runtime, api, admin):
    # Given an account of another team, and the administrator acting in the default team
    team = new_team(api, admin)["id"]
    account = new_whatsapp_account(runtime, api, admin, team_id=team)
    ok(call("POST", f"{api}/admin/channel-accounts/{account.id}/templates", admin, TEMPLATE), 201)
    # When the administrator starts a conversation from it
    started = ok(call("POST", f"{api}/conversations", admin, {
        "account_id": account.id, "phone": "+" + new_wa_id(),
        "template": {"name": TEMPLATE["name"], "language": TEMPLATE["language"]}}), 201)
    # Then it is filed in the account's team, not the one the administrator acted in
    conversation = started.get("conversation", started)
    assert conversation["team_id"] == team
