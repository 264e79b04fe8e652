"""The conversation lists through the HTTP API: tabs, sorting, each filter (exact), the time span
with offsets, and paging with a cursor."""

import secrets
import time
from datetime import UTC, datetime, timedelta, timezone

import requests

from tests.integration.admin_helpers import call, new_team, new_whatsapp_account, ok, say
from tests.integration.inbox_support import by_customer, deliver, get, new_conversation, picked_up, post
from tests.support import HTTP_TIMEOUT, new_wa_id


def ids(response):
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["items"]]


def test_exact_customer_search_follows_the_seed(runtime, api, agent1, webhook_url, demo):
    # Given a customer whose WhatsApp id is 3161xxxxxxx (stored as +3161xxxxxxx)
    wa_id, conversation = new_conversation(runtime, api, webhook_url, demo, agent1, name="Jeremy Bakker")
    # Then the E.164 form, the 00 form and the exact name find it
    for term in ("+" + wa_id, "00" + wa_id, "jeremy bakker", "Jeremy Bakker"):
        assert conversation["id"] in ids(get(api, "/conversations", agent1, view="all", customer=term)), term
    # But a differently written number or a partial name does not (search is exact)
    formatted = f"+{wa_id[:2]}-{wa_id[2:]}"
    for term in (formatted, wa_id[2:], "Jeremy"):
        assert conversation["id"] not in ids(get(api, "/conversations", agent1, view="all", customer=term)), term


def test_one_number_written_two_ways_is_one_customer(runtime, api, agent1, webhook_url, demo):
    # Given a customer writes twice, the provider once writing the number with a leading +
    wa_id = new_wa_id()
    deliver(runtime, webhook_url, demo, wa_id, "first")
    deliver(runtime, webhook_url, demo, "+" + wa_id, "second")
    # Then both messages are in one conversation
    conversations = get(api, "/conversations", agent1, view="all", customer="+" + wa_id).json()["items"]
    assert len(conversations) == 1
    assert conversations[0]["preview"] == "second"


def test_filters_by_channel_state_agent_tag_and_id(runtime, api, agent1, agent2, user_ids, webhook_url, demo):
    # Given one conversation picked up by agent2 and tagged, and one still New
    _, mine = picked_up(runtime, api, webhook_url, demo, agent2)
    post(api, f"/conversations/{mine['id']}/tags", agent2, {"tags": ["filter-probe"]}).raise_for_status()
    _, waiting = new_conversation(runtime, api, webhook_url, demo, agent1)
    agent2_id = user_ids["agent2@example.com"]
    # Then each filter finds what it names
    assert mine["id"] in ids(get(api, "/conversations", agent1, view="all", channel="whatsapp", limit=100,
                                 sort="activity", order="desc"))
    assert mine["id"] in ids(get(api, "/conversations", agent1, view="all", agent=agent2_id, limit=100))
    assert mine["id"] in ids(get(api, "/conversations", agent1, view="assigned", agent=agent2_id, limit=100))
    assert ids(get(api, "/conversations", agent1, view="all", tag="Filter-Probe")) == [mine["id"]]
    assert ids(get(api, "/conversations", agent1, view="all", conversation_id=waiting["id"])) == [waiting["id"]]
    by_state = ids(get(api, "/conversations", agent1, view="all", state="new", limit=100, order="desc"))
    assert waiting["id"] in by_state
    assert mine["id"] not in by_state
    # And combined filters narrow down (tag and state disagree: nothing)
    assert ids(get(api, "/conversations", agent1, view="all", tag="filter-probe", state="new")) == []
    # And a filter that contradicts its tab is refused, naming it
    response = get(api, "/conversations", agent1, view="new", state="assigned")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "state"


def test_time_span_is_time_zone_aware(runtime, api, agent1, webhook_url, demo):
    # Given a conversation that started at a known moment (UTC)
    started = int(time.time()) - 3600
    wa_id, conversation = new_conversation(runtime, api, webhook_url, demo, agent1, timestamp=started)
    moment = datetime.fromtimestamp(started, tz=UTC)
    amsterdam_summer = moment.astimezone(timezone(timedelta(hours=2)))
    # Then a span written with a +02:00 offset around it finds it, and one just after it does not
    around = {"since": (amsterdam_summer - timedelta(minutes=1)).isoformat(),
              "until": (amsterdam_summer + timedelta(minutes=1)).isoformat()}
    after = {"since": (amsterdam_summer + timedelta(seconds=1)).isoformat(),
             "until": (amsterdam_summer + timedelta(minutes=5)).isoformat()}
    assert conversation["id"] in ids(get(api, "/conversations", agent1, view="all", customer="+" + wa_id, **around))
    assert conversation["id"] in ids(get(api, "/conversations", agent1, view="new", limit=100, **around))
    assert conversation["id"] not in ids(get(api, "/conversations", agent1, view="new", limit=100, **after))
    # And a span without an offset is refused
    response = get(api, "/conversations", agent1, view="all", since="2024-05-01T09:00:00")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "since"


def test_pages_follow_the_cursor_in_both_directions(runtime, api, agent1, webhook_url, demo):
    # Given five conversations sharing a tag, started a second apart
    base = int(time.time()) - 600
    created = []
    for offset in range(5):
        _, conversation = new_conversation(runtime, api, webhook_url, demo, agent1, timestamp=base + offset)
        post(api, f"/conversations/{conversation['id']}/tags", agent1, {"tags": ["paging-probe"]}).raise_for_status()
        created.append(conversation["id"])
    for order, expected in (("asc", created), ("desc", created[::-1])):
        # When the list is read two at a time
        seen, cursor, pages = [], None, 0
        while True:
            params = {"view": "all", "tag": "paging-probe", "limit": 2, "order": order}
            if cursor:
                params["cursor"] = cursor
            page = get(api, "/conversations", agent1, **params).json()
            seen.extend(c["id"] for c in page["items"])
            cursor, pages = page["next_cursor"], pages + 1
            if not cursor:
                break
        # Then every conversation comes once, in order, over three pages
        assert seen == expected
        assert pages == 3


def test_a_customer_s_conversations_sort_by_last_message_over_pages(runtime, api, agent1, webhook_url, demo):
    # Given three customers who share a name, writing in turn a minute apart, and the first one
    # writing again last
    name = f"Orla {secrets.token_hex(3)}"
    base = int(time.time()) - 3600
    customers, conversations = [], []
    for offset in range(3):
        wa_id, conversation = new_conversation(runtime, api, webhook_url, demo, agent1, name=name,
                                               timestamp=base + 60 * offset)
        customers.append(wa_id)
        conversations.append(conversation["id"])
    deliver(runtime, webhook_url, demo, customers[0], "me again", name=name, timestamp=base + 300)
    first, second, third = conversations
    # Then by last message the first comes first, over pages of two, and the other way round
    assert every_page(api, agent1, view="all", customer=name, sort="activity", order="desc",
                      limit=2) == ([first, third, second], 2)
    assert every_page(api, agent1, view="all", customer=name, sort="activity", order="asc",
                      limit=2) == ([second, third, first], 2)
    # And by creation it stays last
    assert every_page(api, agent1, view="all", customer=name, sort="created", order="desc",
                      limit=2) == ([third, second, first], 2)
    # And a time span on the last message keeps those whose last message is in it
    since = datetime.fromtimestamp(base + 90, UTC).isoformat()
    assert ids(get(api, "/conversations", agent1, view="all", customer=name, sort="activity",
                   order="desc", since=since)) == [first, third]
    # And a customer's id alone finds their one conversation by last message too
    assert ids(get(api, "/conversations", agent1, view="all", customer="+" + customers[0],
                   sort="activity")) == [first]


def test_new_tab_shows_the_oldest_first_and_mine_only_mine(runtime, api, agent1, agent2, webhook_url, demo):
    # Given two New conversations, the older one first
    _, older = new_conversation(runtime, api, webhook_url, demo, agent1, timestamp=int(time.time()) - 7200)
    _, newer = new_conversation(runtime, api, webhook_url, demo, agent1)
    listed = ids(get(api, "/conversations", agent1, view="new", limit=100))
    assert listed.index(older["id"]) < listed.index(newer["id"])
    # When agent2 picks up the newer one
    post(api, f"/conversations/{newer['id']}/pickup", agent2).raise_for_status()
    # Then it is in agent2's Assigned to me and not in agent1's
    assert newer["id"] in ids(get(api, "/conversations", agent2, view="mine", limit=100))
    assert newer["id"] not in ids(get(api, "/conversations", agent1, view="mine", limit=100))
    assert by_customer(api, agent1, newer["customer_id"].lstrip("+"), state="assigned") is not None


def every_page(api, headers, **params):
    """Follow the cursor to the end; returns the ids in order and how many pages it took."""
    found, pages, cursor = [], 0, None
    while True:
        response = requests.get(f"{api}/conversations", headers=headers, timeout=HTTP_TIMEOUT,
                                params={**params, **({"cursor": cursor} if cursor else {})})
        found += ids(response)
        pages += 1
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return found, pages


def test_filters_take_several_values_and_page_over_them(runtime, api, admin):
    # Given a team with six conversations: tagged alpha, beta, gamma in turn, the first four
    # picked up by the administrator
    team = new_team(api, admin)
    account = new_whatsapp_account(runtime, api, admin, team_id=team["id"])
    for _ in range(6):
        say(runtime, account, new_wa_id(), "hello")
    in_team = {"team": team["id"], "view": "all", "order": "asc"}
    conversation_ids, _ = every_page(api, admin, **in_team)
    assert len(conversation_ids) == 6
    for index, conversation_id in enumerate(conversation_ids):
        path = f"{api}/conversations/{conversation_id}"
        ok(call("POST", f"{path}/tags?team={team['id']}", admin, {"tags": [("alpha", "beta", "gamma")[index % 3]]}))
        if index < 4:
            ok(call("POST", f"{path}/pickup?team={team['id']}", admin))
    # When the list asks for two tags (repeated), two states (comma-separated) or two channels,
    # two per page
    by_tags, tag_pages = every_page(api, admin, **in_team, tag=["alpha", "Beta"], limit=2)
    by_states, _ = every_page(api, admin, **in_team, state="new,archived", limit=2)
    by_channels, _ = every_page(api, admin, **in_team, channel="sms,whatsapp", limit=2)
    assigned, _ = every_page(api, admin, team=team["id"], view="assigned", agent=[admin_id(api, admin), "nobody"],
                             limit=3)
    # Then each finds exactly the conversations matching any of its values, over more than one page
    assert by_tags == [cid for index, cid in enumerate(conversation_ids) if index % 3 != 2]
    assert tag_pages > 1
    assert by_states == conversation_ids[4:]
    assert by_channels == conversation_ids
    assert sorted(assigned) == sorted(conversation_ids[:4])
    # And an unknown value is refused, naming the filter
    refused = get(api, "/conversations", admin, team=team["id"], view="all", channel="whatsapp,pigeon")
    assert (refused.status_code, refused.json()["error"]["field"]) == (400, "channel.1")


def admin_id(api, admin):
    return ok(call("GET", f"{api}/me", admin))["user"]["id"]


def test_the_all_tab_by_last_message_merges_the_states_over_pages(runtime, api, admin):
    # Given a team with seven conversations written to a minute apart: the first two picked up,
    # the third picked up and archived, and the fourth and first written to again, in that order
    team = new_team(api, admin)
    account = new_whatsapp_account(runtime, api, admin, team_id=team["id"])
    base = int(time.time()) - 3600
    customers = [new_wa_id() for _ in range(7)]
    for offset, wa_id in enumerate(customers):
        say(runtime, account, wa_id, "hello", timestamp=base + 60 * offset)
    in_team = {"team": team["id"], "view": "all"}
    by_creation, _ = every_page(api, admin, **in_team, order="asc")
    assert len(by_creation) == 7
    first, second, third, fourth, *_ = by_creation
    for conversation_id in (first, second, third):
        ok(call("POST", f"{api}/conversations/{conversation_id}/pickup?team={team['id']}", admin))
    ok(call("POST", f"{api}/conversations/{third}/archive?team={team['id']}", admin, {}))
    say(runtime, account, customers[3], "still there?", timestamp=base + 600)
    say(runtime, account, customers[0], "one more thing", timestamp=base + 660)
    latest_first = [first, fourth, *by_creation[6:3:-1], third, second]
    # When the All tab is read by last message, two or three at a time, both ways
    for limit in (2, 3):
        newest, pages = every_page(api, admin, **in_team, sort="activity", order="desc", limit=limit)
        oldest, _ = every_page(api, admin, **in_team, sort="activity", order="asc", limit=limit)
        # Then every conversation comes once, in the order of its last message, whatever its state
        assert newest == latest_first
        assert oldest == latest_first[::-1]
        assert pages == -(-7 // limit)
    # And two states merge the same way, and a span on the last message keeps its conversations
    assert every_page(api, admin, **in_team, sort="activity", order="desc", state="new,archived",
                      limit=2)[0] == [fourth, *by_creation[6:3:-1], third]
    since = datetime.fromtimestamp(base + 270, UTC).isoformat()
    assert ids(get(api, "/conversations", admin, **in_team, sort="activity", order="desc",
                   since=since)) == [first, fourth, *by_creation[6:4:-1]]


def test_a_merged_list_takes_only_its_own_cursor(runtime, api, admin):
    # Given a page of a team's All tab by last message, with a cursor
    team, other_team = new_team(api, admin), new_team(api, admin)
    account = new_whatsapp_account(runtime, api, admin, team_id=team["id"])
    for _ in range(2):
        say(runtime, account, new_wa_id(), "hello")
    page = get(api, "/conversations", admin, team=team["id"], view="all", sort="activity", limit=1).json()
    assert page["next_cursor"]
    # When the cursor is used in another team, or for another list, or is made up
    foreign = get(api, "/conversations", admin, team=other_team["id"], view="all", sort="activity",
                  cursor=page["next_cursor"])
    other_list = get(api, "/conversations", admin, team=team["id"], view="all", sort="created",
                     cursor=page["next_cursor"])
    made_up = get(api, "/conversations", admin, team=team["id"], view="all", sort="activity",
                  cursor="eyJtZXJnZWQiOiB7Im5ldyI6IDF9fQ==")  # {"merged": {"new": 1}}
    # Then each is refused as a cursor of another list
    for refused in (foreign, other_list, made_up):
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["field"] == "cursor"
