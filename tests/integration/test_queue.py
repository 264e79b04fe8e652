"""The queue a supervisor runs, through the HTTP API: who waits longest (sort and Waiting filter),
what the owner has not seen (POST /seen), and the team at a glance (GET /team/overview)."""

import time

from tests.integration.inbox_support import deliver, get, new_conversation, online, post


def ids(response):
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["items"]]


def test_the_longest_waiting_customer_comes_first(runtime, api, agent1, webhook_url, demo):
    # Given two customers, one who wrote two hours ago and one an hour ago
    now = int(time.time())
    _, older = new_conversation(runtime, api, webhook_url, demo, agent1, timestamp=now - 7200)
    _, newer = new_conversation(runtime, api, webhook_url, demo, agent1, timestamp=now - 3600)
    # When the New tab is sorted by waiting time
    listed = ids(get(api, "/conversations", agent1, view="new", sort="waiting", limit=100))
    # Then the one who waits longest comes first, and order=desc turns it round
    assert listed.index(older["id"]) < listed.index(newer["id"])
    reversed_ = ids(get(api, "/conversations", agent1, view="new", sort="waiting", order="desc", limit=100))
    assert reversed_.index(newer["id"]) < reversed_.index(older["id"])
    # And pages of one follow the same order (the cursor is the position)
    first = get(api, "/conversations", agent1, view="new", sort="waiting", limit=1).json()
    second = get(api, "/conversations", agent1, view="new", sort="waiting", limit=1, cursor=first["next_cursor"])
    assert ids(second) == listed[1:2]
    # And sorting by waiting time is for open lists only, named in the refusal
    refused = get(api, "/conversations", agent1, view="all", sort="waiting")
    assert refused.status_code == 400
    assert refused.json()["error"]["field"] == "sort"


def test_waiting_for_the_customer_is_set_by_a_reply_and_cleared_by_the_customer(runtime, api, agent1, webhook_url,
                                                                               demo):
    # Given a conversation picked up by agent1
    wa_id, conversation = new_conversation(runtime, api, webhook_url, demo, agent1)
    picked = post(api, f"/conversations/{conversation['id']}/pickup", agent1).json()
    assert picked["waiting_since"] is not None
    assert picked["awaiting_customer_since"] is None
    # When agent1 replies
    assert post(api, f"/conversations/{conversation['id']}/messages", agent1, {"text": "On it"}).status_code == 202
    # Then it waits for the customer (Waiting filter), no longer for us
    assert conversation["id"] in ids(get(api, "/conversations", agent1, view="mine", waiting="customer", limit=100))
    assert conversation["id"] not in ids(get(api, "/conversations", agent1, view="mine", waiting="agent",
                                             limit=100))
    # When the customer writes back, it waits for us again
    # (WhatsApp's times are whole seconds: the answer is a second later than the reply)
    deliver(runtime, webhook_url, demo, wa_id, "Thanks, and?", timestamp=int(time.time()) + 1)
    assert conversation["id"] in ids(get(api, "/conversations", agent1, view="mine", waiting="agent", limit=100))
    assert conversation["id"] not in ids(get(api, "/conversations", agent1, view="mine", waiting="customer",
                                             limit=100))
    # And an unknown Waiting value is refused naming the parameter
    assert get(api, "/conversations", agent1, view="mine", waiting="nobody").status_code == 400


def test_the_owner_s_look_marks_it_read_and_a_colleague_s_does_not(runtime, api, agent1, agent2, webhook_url,
                                                                    demo):
    # Given a conversation agent1 picked up: unread until agent1 opens it
    wa_id, conversation = new_conversation(runtime, api, webhook_url, demo, agent1)
    assert post(api, f"/conversations/{conversation['id']}/pickup", agent1).json()["unread"] is True
    # When agent2 (a colleague) looks, nothing changes; when agent1 looks, it is read
    assert post(api, f"/conversations/{conversation['id']}/seen", agent2).json()["unread"] is True
    seen = post(api, f"/conversations/{conversation['id']}/seen", agent1).json()
    assert (seen["unread"], seen["seen_at"] is not None) == (False, True)
    listed = get(api, "/conversations", agent1, view="mine", customer="+" + wa_id).json()["items"]
    assert [c["unread"] for c in listed] == [False]
    # And a new customer message makes it unread again
    deliver(runtime, webhook_url, demo, wa_id, "one more thing", timestamp=int(time.time()) + 1)
    listed = get(api, "/conversations", agent1, view="mine", customer="+" + wa_id).json()["items"]
    assert [c["unread"] for c in listed] == [True]


def test_the_team_overview_shows_each_agent_s_status_load_and_capacity(runtime, api, agent1, agent2, admin,
                                                                       user_ids, watcher, webhook_url, demo):
    agent1_id = user_ids["agent1@example.com"]
    with online(api, {agent1_id: agent1}):
        # Given agent1 is online and holds a conversation whose customer waits
        _, conversation = new_conversation(runtime, api, webhook_url, demo, agent1)
        post(api, f"/conversations/{conversation['id']}/pickup", agent1).raise_for_status()
        # When an administrator reads the team overview
        overview = get(api, "/team/overview", admin)
        assert overview.status_code == 200, overview.text
        body = overview.json()
        agents = {agent["user_id"]: agent for agent in body["agents"]}
        # Then agent1 is there, available, with the open conversation counted and the team's capacity
        mine = agents[agent1_id]
        assert mine["status"] == "available"
        assert min(mine["open"], mine["waiting"], mine["capacity"]) >= 1
        assert mine["longest_waiting_since"] is not None
        assert (body["team_id"], body["new"] >= 0) == ("default", True)
    # And watchers read it too, while agents are refused
    assert get(api, "/team/overview", watcher).status_code == 200
    assert get(api, "/team/overview", agent2).status_code == 403
