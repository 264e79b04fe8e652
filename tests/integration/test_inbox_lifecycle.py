"""New -> Assigned -> Archived through the HTTP API: assign only to colleagues online now,
handback, archive with tags, reopen within the reopen period (to the previous owner when
online, else to New), a new conversation after it; role and team rules."""

import time
from datetime import UTC, datetime

from chalicelib.domain.service_settings import ServiceSettings
from chalicelib.storage import presence
from chalicelib.storage.customers import CustomerStore

from tests.integration.inbox_support import by_customer, deliver, get, new_conversation, patch, picked_up, post


def test_assign_goes_only_to_a_colleague_who_is_online(runtime, api, agent1, agent2, user_ids, webhook_url, demo):
    # Given a conversation agent1 picked up, and agent2 Offline (whatever earlier tests left:
    # the runtime is shared, and other tests sign agent2 in)
    _, conversation = picked_up(runtime, api, webhook_url, demo, agent1)
    agent2_id = user_ids["agent2@example.com"]
    path = f"/conversations/{conversation['id']}/assign"
    assert post(api, "/me/heartbeat", agent2, {"status": "offline"}).status_code == 200
    # When agent1 assigns it to agent2 while agent2 is Offline
    refused = post(api, path, agent1, {"agent_id": agent2_id})
    # Then it is refused, naming the agent field
    assert refused.status_code == 400
    assert refused.json()["error"]["field"] == "agent_id"
    # When agent2's app sends its heartbeat, and agent1 assigns again
    assert post(api, "/me/heartbeat", agent2).status_code == 200
    assert agent2_id in [p["user_id"] for p in get(api, "/team/online", agent1).json()["items"]]
    assigned = post(api, path, agent1, {"agent_id": agent2_id})
    # Then agent2 owns it: on their Assigned to me, off agent1's
    assert assigned.status_code == 200
    assert assigned.json()["owner_id"] == agent2_id
    mine = [c["id"] for c in get(api, "/conversations", agent2, view="mine", limit=100).json()["items"]]
    assert conversation["id"] in mine
    theirs = get(api, "/conversations", agent1, view="assigned", agent=agent2_id, limit=100).json()["items"]
    assert conversation["id"] in [c["id"] for c in theirs]


def test_handback_returns_the_conversation_to_new(runtime, api, agent1, webhook_url, demo):
    # Given a conversation agent1 picked up
    wa_id, conversation = picked_up(runtime, api, webhook_url, demo, agent1)
    # When agent1 hands it back
    response = post(api, f"/conversations/{conversation['id']}/handback", agent1)
    # Then it is New again, without owner, and can be picked up again
    assert response.status_code == 200
    assert response.json()["state"] == "new"
    assert response.json()["owner_id"] is None
    assert by_customer(api, agent1, wa_id, state="new") is not None
    assert post(api, f"/conversations/{conversation['id']}/pickup", agent1).status_code == 200


def test_archive_with_tags_then_the_customer_writes_again_within_the_period(runtime, api, agent1, user_ids,
                                                                         webhook_url, demo):
    # Given agent1 (online) archived a conversation with a tag
    wa_id, conversation = picked_up(runtime, api, webhook_url, demo, agent1)
    post(api, "/me/heartbeat", agent1).raise_for_status()
    archived = post(api, f"/conversations/{conversation['id']}/archive", agent1, {"tags": ["Billing"]})
    assert archived.status_code == 200
    assert archived.json()["state"] == "archived"
    assert archived.json()["tags"] == ["billing"]
    assert conversation["id"] not in [c["id"] for c in get(api, "/conversations", agent1, view="mine",
                                                              limit=100).json()["items"]]
    # (and no longer among the customer's open conversations)
    customer_id = get(api, f"/conversations/{conversation['id']}/customer", agent1).json()["profile"]["id"]
    assert CustomerStore().open_conversation_ids(customer_id) == []
    # When the customer writes again (within the default 7 days)
    deliver(runtime, webhook_url, demo, wa_id, "one more question")
    # Then the same conversation is open again, back with agent1, and among the customer's open ones
    again = get(api, f"/conversations/{conversation['id']}", agent1).json()["conversation"]
    assert again["state"] == "assigned"
    assert again["owner_id"] == user_ids["agent1@example.com"]
    assert again["preview"] == "one more question"
    assert CustomerStore().open_conversation_ids(customer_id) == [conversation["id"]]


def test_reopen_goes_to_new_when_the_previous_owner_is_offline(runtime, api, agent2, webhook_url, demo):
    # Given agent2 archived a conversation, and agent2's last heartbeat is long past
    wa_id, conversation = picked_up(runtime, api, webhook_url, demo, agent2)
    post(api, f"/conversations/{conversation['id']}/archive", agent2).raise_for_status()
    owner = conversation["owner_id"]
    presence.record_heartbeat(owner, ["default"], datetime(2020, 1, 1, tzinfo=UTC))
    # When the customer writes again
    deliver(runtime, webhook_url, demo, wa_id, "hello again")
    # Then it waits in New for anyone
    again = get(api, f"/conversations/{conversation['id']}", agent2).json()["conversation"]
    assert again["state"] == "new"
    assert again["owner_id"] is None


def test_after_the_reopen_period_a_new_conversation_starts(runtime, api, agent1, admin, webhook_url, demo):
    # Given the administrator set the reopen period to zero days, and an archived conversation
    patch(api, "/settings/service", admin, {"reopen_days": 0}).raise_for_status()
    try:
        wa_id, conversation = picked_up(runtime, api, webhook_url, demo, agent1)
        post(api, f"/conversations/{conversation['id']}/archive", agent1).raise_for_status()
        # When the customer writes three seconds after the archive
        deliver(runtime, webhook_url, demo, wa_id, "new topic", timestamp=int(time.time()) + 3)
    finally:
        patch(api, "/settings/service", admin, {"reopen_days": ServiceSettings().reopen_days}).raise_for_status()
    # Then a second conversation is New and the first stays archived
    conversations = get(api, "/conversations", agent1, view="all", customer="+" + wa_id).json()["items"]
    assert sorted(c["state"] for c in conversations) == ["archived", "new"]
    assert next(c for c in conversations if c["state"] == "new")["id"] != conversation["id"]


def test_watchers_read_but_do_not_manage(runtime, api, agent1, watcher, webhook_url, demo):
    # Given a New conversation
    wa_id, conversation = new_conversation(runtime, api, webhook_url, demo, agent1)
    path = f"/conversations/{conversation['id']}"
    # Then a watcher reads it and the lists
    assert get(api, path, watcher).status_code == 200
    assert by_customer(api, watcher, wa_id) is not None
    # But may not pick up, assign, archive, reply, tag or note it
    for action, body in (("/pickup", None), ("/assign", {"agent_id": "x"}), ("/archive", None),
                         ("/messages", {"text": "hi"}), ("/tags", {"tags": ["x"]}), ("/notes", {"text": "n"}),
                         ("/handback", None)):
        response = post(api, path + action, watcher, body)
        assert response.status_code == 403, (action, response.text)


def test_another_teams_conversation_is_out_of_reach(runtime, api, agent1, outsider, webhook_url, demo):
    # Given a conversation of the default team
    wa_id, conversation = new_conversation(runtime, api, webhook_url, demo, agent1)
    path = f"/conversations/{conversation['id']}"
    # Then an agent of the sales team neither sees it in their lists nor reaches it
    assert by_customer(api, outsider, wa_id) is None
    assert get(api, "/conversations", outsider, view="all", conversation_id=conversation["id"]).json()["items"] == []
    assert get(api, path, outsider).status_code == 403
    assert post(api, path + "/pickup", outsider).status_code == 403
    assert post(api, path + "/exports", outsider, {"format": "csv"}).status_code == 403
    # And cannot act in a team they are not in
    assert get(api, "/conversations", outsider, team="default").status_code == 403


def test_only_the_owner_or_an_administrator_hands_back_or_archives(runtime, api, agent1, agent2, admin, webhook_url,
                                                                   demo):
    # Given agent1's conversation
    _, conversation = picked_up(runtime, api, webhook_url, demo, agent1)
    path = f"/conversations/{conversation['id']}"
    # Then agent2 may neither hand it back nor archive it
    assert post(api, path + "/handback", agent2).status_code == 403
    assert post(api, path + "/archive", agent2).status_code == 403
    # But an administrator may
    assert post(api, path + "/archive", admin).status_code == 200
    # And archiving twice is a conflict
    assert post(api, path + "/archive", admin).status_code == 409


def test_a_disabled_user_can_do_nothing(api, disabled):
    # A disabled user's still-valid token is refused on every request (domain/identity.py)
    assert get(api, "/conversations", disabled).status_code == 403
    assert post(api, "/me/heartbeat", disabled).status_code == 403


def test_reopen_goes_to_new_when_the_previous_owner_is_away(runtime, api, agent2, webhook_url, demo):
    # Given agent2 archived a conversation, and is signed in but Away
    wa_id, conversation = picked_up(runtime, api, webhook_url, demo, agent2)
    post(api, f"/conversations/{conversation['id']}/archive", agent2).raise_for_status()
    post(api, "/me/heartbeat", agent2, {"status": "away"}).raise_for_status()
    try:
        # When the customer writes again
        deliver(runtime, webhook_url, demo, wa_id, "hello while you are away")
        # Then it waits in New for anyone who is Available
        again = get(api, f"/conversations/{conversation['id']}", agent2).json()["conversation"]
        assert again["state"] == "new"
        assert again["owner_id"] is None
    finally:
        post(api, "/me/heartbeat", agent2, {"status": "available"}).raise_for_status()
