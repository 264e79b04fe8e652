"""What the web app reads to work without guessing: the channel accounts of an agent's teams,
quick reply groups, whether the caller may create tags, the teams' names in /me, and a thread
read newest first."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.admin_helpers import (
    call,
    new_team,
    new_user,
    new_whatsapp_account,
    ok,
    seats,
    set_free_seats,
    unique,
)
from tests.integration.inbox_support import by_customer, deliver, get, new_conversation
from tests.support import new_wa_id


def every_page(api: str, path: str, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        page = ok(get(api, path, headers, limit=2, **params, **({"cursor": cursor} if cursor else {})))
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items
    raise AssertionError(f"{path} did not end in 100 pages")


def new_agent(runtime: Any, api: str, admin: dict[str, str], team_ids: list[str]) -> dict[str, str]:
    """An agent of these teams; the free seats stay as they were for the suites that follow."""
    free = seats(api, admin)["seats_free"]
    set_free_seats(api, admin, max(free, 1))
    _, headers = new_user(runtime, api, admin, role="agent", team_ids=team_ids)
    set_free_seats(api, admin, free)
    return headers


def test_agents_list_the_channel_accounts_of_their_teams(runtime, api, admin):
    # Given a team with an account of its own, an account routed to it by a rule, and one of another team
    team = new_team(api, admin)
    own = new_whatsapp_account(runtime, api, admin, team_id=team["id"])
    routed = new_whatsapp_account(runtime, api, admin)
    ok(call("POST", f"{api}/channel-accounts/{routed.id}/routing-rules", admin,
            {"team_id": team["id"], "keyword": "sales"}), 201)
    elsewhere = new_whatsapp_account(runtime, api, admin)
    ok(call("PATCH", f"{api}/channel-accounts/{own.id}", admin, {"enabled": False}))
    agent = new_agent(runtime, api, admin, [team["id"]])
    # When the team's agent lists them, page by page
    listed = every_page(api, "/team/channel-accounts", agent)
    # Then they see exactly their team's two accounts, without credentials or provider ids
    assert {item["id"] for item in listed} == {own.id, routed.id}
    assert {item["id"]: item for item in listed}[own.id] == {
        "id": own.id, "channel": "whatsapp", "name": "Test number", "enabled": False}
    # And the administrator sees every account, this one among them
    assert {own.id, routed.id, elsewhere.id} <= {item["id"] for item in every_page(api, "/team/channel-accounts",
                                                                                    admin)}
    # While the administration's list stays closed to agents
    assert call("GET", f"{api}/channel-accounts", agent).status_code == 403

    # And the agent starts a conversation from the routed account, but not from the other team's
    template = {"name": "start_hello", "language": "en", "body": "Hello from the start"}
    for account in (routed, elsewhere):
        ok(call("POST", f"{api}/admin/channel-accounts/{account.id}/templates", admin, template), 201)

    def start(account_id: str) -> Any:
        return call("POST", f"{api}/conversations", agent, {
            "account_id": account_id, "phone": "+" + new_wa_id(),
            "template": {"name": template["name"], "language": "en"}})

    assert start(routed.id).status_code == 201
    refused = start(elsewhere.id)
    assert refused.status_code == 403
    assert refused.json()["error"]["field"] == "account_id"


def test_quick_reply_groups_with_their_counts(api, admin, agent1):
    # Given a group with two replies and an empty one
    full_name, empty_name = unique("Aa Full"), unique("Aa Empty")
    full = ok(call("POST", f"{api}/admin/quick-reply-groups", admin, {"name": full_name}), 201)
    empty = ok(call("POST", f"{api}/admin/quick-reply-groups", admin, {"name": empty_name}), 201)
    for text in ("one", "two"):
        ok(call("POST", f"{api}/admin/quick-replies", admin, {"group_id": full["id"], "text": text}), 201)
    # When an agent lists the groups
    groups = ok(get(api, "/quick-reply-groups", agent1))["items"]
    # Then both are there, by name, with their shortcut and the number of replies
    mine = [group for group in groups if group["id"] in {full["id"], empty["id"]}]
    assert mine == [
        {"id": empty["id"], "name": empty_name, "shortcut": "!" + empty_name.replace(" ", ""), "count": 0},
        {"id": full["id"], "name": full_name, "shortcut": "!" + full_name.replace(" ", ""), "count": 2},
    ]
    assert [g["name"].casefold() for g in groups] == sorted(g["name"].casefold() for g in groups)


def test_me_says_whether_the_caller_may_create_tags(api, admin, agent1, watcher):
    before = ok(call("GET", f"{api}/settings/service", admin))["agents_may_create_tags"]
    try:
        # Given agents may not create tags
        ok(call("PATCH", f"{api}/settings/service", admin, {"agents_may_create_tags": False}))
        # Then /me says so to an agent, while administrators always may and watchers never
        assert ok(get(api, "/me", agent1))["may_create_tags"] is False
        assert ok(get(api, "/me", admin))["may_create_tags"] is True
        assert ok(get(api, "/me", watcher))["may_create_tags"] is False
        # When the setting allows it / Then the agent may
        ok(call("PATCH", f"{api}/settings/service", admin, {"agents_may_create_tags": True}))
        assert ok(get(api, "/me", agent1))["may_create_tags"] is True
    finally:
        ok(call("PATCH", f"{api}/settings/service", admin, {"agents_may_create_tags": before}))


def test_me_names_the_users_teams(runtime, api, admin):
    # Given an agent in the default team and a second, renamed team
    team = new_team(api, admin)
    ok(call("PATCH", f"{api}/teams/{team['id']}", admin, {"name": "Sales & Support"}))
    agent = new_agent(runtime, api, admin, ["default", team["id"]])
    default_name = ok(call("GET", f"{api}/teams/default", admin))["name"]
    # When they read /me acting in the second team
    me = ok(get(api, "/me", agent, team=team["id"]))
    # Then their teams come with their current names, in their order
    assert me["team_id"] == team["id"]
    assert me["teams"] == [{"id": "default", "name": default_name}, {"id": team["id"], "name": "Sales & Support"}]


def test_a_thread_reads_newest_first_page_by_page(runtime, api, webhook_url, demo, agent1):
    # Given a conversation of five customer messages, a second apart (WhatsApp stamps seconds)
    start = int(time.time()) - 60
    wa_id, conversation = new_conversation(runtime, api, webhook_url, demo, agent1, text="message 1",
                                           timestamp=start)
    for number in range(2, 6):
        deliver(runtime, webhook_url, demo, wa_id, f"message {number}", timestamp=start + number)
    path = f"/conversations/{conversation['id']}/messages"
    oldest_first = [m["text"] for m in every_page(api, path, agent1)]
    assert oldest_first == [f"message {n}" for n in range(1, 6)]
    # When the app opens it newest first, two at a time
    first = ok(get(api, path, agent1, order="desc", limit=2))
    # Then the first page is the end of the thread, and the cursor goes back in time
    assert [m["text"] for m in first["items"]] == ["message 5", "message 4"]
    assert [m["text"] for m in every_page(api, path, agent1, order="desc")] == oldest_first[::-1]
    # And an unknown order is refused naming the parameter
    refused = get(api, path, agent1, order="sideways")
    assert refused.status_code == 400
    assert refused.json()["error"]["field"] == "order"



def test_imported_conversations_read_and_continue_like_routed_ones(runtime, api, webhook_url, demo, agent1):
    from chalicelib.domain.models import Channel, ContentKind, InboundMessage
    from chalicelib.storage.repository import ContactRepository

    # Given a thread of three messages imported in bulk (as the local runtime's seeding does)
    wa_id = new_wa_id()
    start = datetime.now(UTC) - timedelta(minutes=5)
    thread = [InboundMessage(channel=Channel.WHATSAPP, account_id=demo["whatsapp"]["account_id"],
                             provider_message_id=f"wamid.IMPORT{wa_id}{n}", customer_id="+" + wa_id,
                             customer_name="Imported Ida", sent_at=start + timedelta(seconds=n),
                             kind=ContentKind.TEXT, text=f"imported {n}") for n in range(3)]
    [conversation_id] = ContactRepository().import_conversations([thread], team_id="default")
    # When the agent finds it / Then it is New, named, with the last message as its preview
    found = by_customer(api, agent1, wa_id)
    assert found is not None
    assert found["id"] == conversation_id
    assert (found["customer_name"], found["preview"], found["state"]) == ("Imported Ida", "imported 2", "new")
    assert [m["text"] for m in every_page(api, f"/conversations/{conversation_id}/messages", agent1)] == [
        "imported 0", "imported 1", "imported 2"]
    # And the customer's next message joins it, as it would join a routed one
    deliver(runtime, webhook_url, demo, wa_id, "and one more")
    latest = ok(get(api, f"/conversations/{conversation_id}/messages", agent1, order="desc", limit=1))["items"]
    assert [m["text"] for m in latest] == ["and one more"]
