"""Teams, team switching, channel accounts and routing through the API."""

import json

import boto3
import pytest
import requests
from chalicelib.core.resources import secret_name

from tests.integration.admin_helpers import (
    call,
    new_team,
    new_user,
    new_whatsapp_account,
    ok,
    say,
    unique,
    whatsapp_credentials,
)
from tests.support import HTTP_TIMEOUT, find, login, new_wa_id, post_whatsapp, whatsapp_text


@pytest.fixture(scope="module")
def admin(api, demo):
    return login(api, "admin@example.com", demo["password"])


def conversations(api, headers, team, view="all"):
    response = requests.get(f"{api}/conversations", params={"view": view, "limit": 100, "team": team},
                            headers=headers, timeout=HTTP_TIMEOUT)
    return ok(response)["items"]


def test_teams_are_created_listed_renamed_and_deleted_when_empty(runtime, api, admin):
    # Given a new team
    team = new_team(api, admin, id=unique("sales"))
    assert team["office_hours"] is None
    assert team["assignment"] == {"auto_assign": False, "capacity": 5, "sticky": True}
    # Then it is listed with the default team, and can be renamed
    listed = [t["id"] for t in ok(call("GET", f"{api}/teams?limit=100", admin))["items"]]
    assert {"default", team["id"]} <= set(listed)
    renamed = ok(call("PATCH", f"{api}/teams/{team['id']}", admin, {"name": "Renamed"}))
    assert renamed["name"] == "Renamed"
    # And a second team with the same id is a conflict
    assert call("POST", f"{api}/teams", admin, {"id": team["id"], "name": "Again"}).status_code == 409
    # When it gets a member, it cannot be deleted; once empty it can
    user, _ = new_user(runtime, api, admin, role="watcher")
    ok(call("PUT", f"{api}/teams/{team['id']}/members/{user['id']}", admin))
    assert call("DELETE", f"{api}/teams/{team['id']}", admin).status_code == 409
    ok(call("DELETE", f"{api}/teams/{team['id']}/members/{user['id']}", admin))
    assert call("DELETE", f"{api}/teams/{team['id']}", admin).status_code == 204
    assert call("GET", f"{api}/teams/{team['id']}", admin).status_code == 404
    # And the default team is never deleted
    assert call("DELETE", f"{api}/teams/default", admin).status_code == 409


def test_a_user_in_two_teams_switches_between_them_and_no_further(runtime, api, admin):
    # Given an agent in the default team and a second team
    team = new_team(api, admin)
    user, headers = new_user(runtime, api, admin, role="agent", team_ids=["default", team["id"]])
    assert user["team_ids"] == ["default", team["id"]]
    members = ok(call("GET", f"{api}/teams/{team['id']}/members", headers))["items"]
    assert [m["id"] for m in members] == [user["id"]]
    # When they choose a team with ?team= / Then they act in it
    assert ok(call("GET", f"{api}/me", headers))["team_id"] == "default"
    assert ok(call("GET", f"{api}/me?team={team['id']}", headers))["team_id"] == team["id"]
    # And a team they are not in is refused, even if it exists
    other = new_team(api, admin)
    assert call("GET", f"{api}/me?team={other['id']}", headers).status_code == 403
    assert call("GET", f"{api}/teams/{other['id']}/members", headers).status_code == 403
    # While an administrator may look at any existing team, but not at one that does not exist
    assert ok(call("GET", f"{api}/me?team={other['id']}", admin))["team_id"] == other["id"]
    assert call("GET", f"{api}/me?team=no-such-team", admin).status_code == 403
    # When removed from the second team, they can no longer switch to it
    ok(call("PUT", f"{api}/users/{user['id']}/teams", admin, {"team_ids": ["default"]}))
    assert call("GET", f"{api}/me?team={team['id']}", headers).status_code == 403
    # And a user keeps at least one team, of teams that exist
    assert call("DELETE", f"{api}/teams/default/members/{user['id']}", admin).status_code == 400
    assert call("PUT", f"{api}/users/{user['id']}/teams", admin, {"team_ids": ["ghost"]}).status_code == 400


def test_adding_a_channel_account_stores_its_secret_and_names_its_webhook(runtime, api, admin):
    # When the administrator adds a WhatsApp account
    account = new_whatsapp_account(runtime, api, admin)
    # Then the secret is in Secrets Manager under the installation's name, and the webhook URL is given
    assert account.webhook_url == f"{runtime.info.api_url}/webhooks/whatsapp/{account.id}"
    secrets = boto3.client("secretsmanager", endpoint_url=runtime.moto_url, region_name=runtime.config.region)
    name = secret_name(runtime.config.app_name, "whatsapp", account.id)
    assert json.loads(secrets.get_secret_value(SecretId=name)["SecretString"])["app_secret"] == account.app_secret
    shown = ok(call("GET", f"{api}/channel-accounts/{account.id}", admin))
    assert shown["webhook_url"] == account.webhook_url
    assert "credentials" not in shown
    # And the same id again is a conflict
    again = {"id": account.id, "channel": "whatsapp", "name": "x", "provider_account_id": "1",
             "api_base_url": "https://graph.facebook.com", "credentials": whatsapp_credentials()}
    assert call("POST", f"{api}/channel-accounts", admin, again).status_code == 409
    # When credentials are rotated / Then the secret holds the new ones
    rotated = whatsapp_credentials()
    ok(call("PUT", f"{api}/channel-accounts/{account.id}/credentials", admin, {"credentials": rotated}), 204)
    assert json.loads(secrets.get_secret_value(SecretId=name)["SecretString"])["app_secret"] == rotated["app_secret"]


def test_a_disabled_account_takes_no_webhooks_until_enabled(runtime, api, admin):
    account = new_whatsapp_account(runtime, api, admin)
    body = whatsapp_text(account.phone_number_id, wa_id=new_wa_id(), text="hello")
    ok(call("PATCH", f"{api}/channel-accounts/{account.id}", admin, {"enabled": False}))
    assert post_whatsapp(account.webhook_url, body, account.app_secret).status_code == 404
    ok(call("PATCH", f"{api}/channel-accounts/{account.id}", admin, {"enabled": True}))
    assert post_whatsapp(account.webhook_url, body, account.app_secret).status_code == 200


def test_conversations_go_to_the_accounts_team_or_by_rule_or_to_default(runtime, api, admin):
    # Given an account routed to "support-x", with a keyword rule to "billing-x"
    support = new_team(api, admin)
    billing = new_team(api, admin)
    account = new_whatsapp_account(runtime, api, admin)
    plain = new_whatsapp_account(runtime, api, admin)
    ok(call("PATCH", f"{api}/channel-accounts/{account.id}", admin, {"team_id": support["id"]}))
    rule = ok(call("POST", f"{api}/channel-accounts/{account.id}/routing-rules", admin,
                   {"team_id": billing["id"], "keyword": "Invoice", "priority": 10}), 201)
    # When customers open conversations
    by_rule, by_account, by_default = new_wa_id(), new_wa_id(), new_wa_id()
    say(runtime, account, by_rule, "Question about my INVOICE please")
    say(runtime, account, by_account, "Hello there")
    say(runtime, plain, by_default, "Hello anyone")
    # Then each is in its team's list, and only there (customers stored in E.164)
    assert find(conversations(api, admin, billing["id"]), customer_id="+" + by_rule)
    assert find(conversations(api, admin, support["id"]), customer_id="+" + by_account)
    assert not find(conversations(api, admin, support["id"]), customer_id="+" + by_rule)
    assert find(conversations(api, admin, "default"), customer_id="+" + by_default)
    # And later messages stay in the conversation's team (routing decides once)
    say(runtime, account, by_account, "about my invoice, actually")
    assert not find(conversations(api, admin, billing["id"]), customer_id="+" + by_account)
    # When the rule is deleted, new conversations with the keyword go to the account's team
    rules = ok(call("GET", f"{api}/channel-accounts/{account.id}/routing-rules", admin))["items"]
    assert [r["id"] for r in rules] == [rule["id"]]
    assert find(ok(call("GET", f"{api}/routing/rules?limit=100", admin))["items"], id=rule["id"])
    ok(call("DELETE", f"{api}/channel-accounts/{account.id}/routing-rules/{rule['id']}", admin), 204)
    later = new_wa_id()
    say(runtime, account, later, "invoice again")
    assert find(conversations(api, admin, support["id"]), customer_id="+" + later)


def test_routing_to_a_team_that_does_not_exist_is_refused(runtime, api, admin):
    account = new_whatsapp_account(runtime, api, admin)
    response = call("PATCH", f"{api}/channel-accounts/{account.id}", admin, {"team_id": "ghost"})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "team_id"
    response = call("POST", f"{api}/channel-accounts/{account.id}/routing-rules", admin, {"team_id": "ghost"})
    assert response.status_code == 400
