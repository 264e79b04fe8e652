"""Automatic assignment: round robin among signed-in agents of the team under a capacity, sticky
return to the previous owner, and presence read by Query."""

import json
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from chalicelib import wiring
from chalicelib.domain.models import ConversationState, Role, User
from chalicelib.storage import presence
from chalicelib.storage.lifecycle import ConversationStateStore
from chalicelib.storage.repository import ContactRepository
from chalicelib.storage.users import UserStore

from tests.integration.admin_helpers import call, new_team, new_user, new_whatsapp_account, ok, say
from tests.integration.conftest import drain, queue_depth
from tests.support import find, login, new_wa_id


@pytest.fixture(scope="module")
def admin(api, demo):
    return login(api, "admin@example.com", demo["password"])


def agent(team_id: str, name: str, role: Role = Role.AGENT) -> str:
    """A user record only (no sign-in needed): the assigner reads roles and teams from it."""
    user_id = f"{name}-{secrets.token_hex(4)}"
    UserStore().put(User(id=user_id, email=f"{user_id}@example.com", display_name=name, role=role,
                                      team_ids=(team_id,)))
    return user_id


def conversation(api, admin, team_id, wa_id):
    return find(ok(call("GET", f"{api}/conversations?view=all&limit=100&team={team_id}", admin))["items"],
                customer_id="+" + wa_id)  # stored in E.164


def test_presence_lists_the_users_seen_since_a_moment(runtime):
    team = f"presence-{secrets.token_hex(4)}"
    now = datetime.now(UTC)
    presence.record_heartbeat("early", [team], now - timedelta(minutes=10))
    presence.record_heartbeat("recent", [team, "elsewhere"], now - timedelta(seconds=30))
    presence.record_heartbeat("early-then-back", [team], now - timedelta(minutes=20))
    presence.record_heartbeat("early-then-back", [team], now)
    assert presence.available_user_ids(team, now - presence.ONLINE_WINDOW) == ["early-then-back", "recent"]
    assert presence.available_user_ids(team, now - timedelta(hours=1)) == ["early", "early-then-back", "recent"]


def test_round_robin_among_online_agents_under_the_capacity(runtime, api, admin):
    # Given a team assigning automatically with capacity 1: two online agents, an offline agent
    # and an online watcher
    team = new_team(api, admin, assignment={"auto_assign": True, "capacity": 1})
    first, second = sorted([agent(team["id"], "ann"), agent(team["id"], "bob")])
    offline = agent(team["id"], "cy")
    watcher = agent(team["id"], "wes", Role.WATCHER)
    now = datetime.now(UTC)
    for user_id in (first, second, watcher):
        presence.record_heartbeat(user_id, [team["id"]], now)
    presence.record_heartbeat(offline, [team["id"]], now - timedelta(minutes=30))
    account = new_whatsapp_account(runtime, api, admin, team_id=team["id"])
    # When three customers write
    customers = [new_wa_id() for _ in range(3)]
    for wa_id in customers:
        say(runtime, account, wa_id, "hello")
    # Then the first two went to the online agents in turn, and the third waits in New
    owners = [conversation(api, admin, team["id"], wa_id)["owner_id"] for wa_id in customers]
    assert owners[:2] == [first, second]
    assert owners[2] is None
    assert conversation(api, admin, team["id"], customers[2])["state"] == "new"


def test_a_returning_conversation_goes_back_to_its_previous_owner(runtime, api, admin, sqs):
    # Given a team without auto-assignment yet, and a conversation waiting in New
    team = new_team(api, admin)
    owners = sorted([agent(team["id"], "dee"), agent(team["id"], "eve")])
    for user_id in owners:
        presence.record_heartbeat(user_id, [team["id"]], datetime.now(UTC))
    account = new_whatsapp_account(runtime, api, admin, team_id=team["id"])
    wa_id = new_wa_id()
    say(runtime, account, wa_id, "I am back")
    waiting = conversation(api, admin, team["id"], wa_id)
    assert waiting["state"] == "new"
    # When the team turns auto-assignment on and the conversation comes back naming its previous
    # owner (the second in round-robin order)
    ok(call("PATCH", f"{api}/teams/{team['id']}", admin, {"assignment": {"auto_assign": True, "sticky": True}}))
    sqs.send_message(QueueUrl=runtime.resources.queue_urls["assignment"],
                     MessageBody=json.dumps({"conversation_id": waiting["id"], "previous_owner_id": owners[1]}))
    drain(runtime, "assignment")
    # Then it went to that owner rather than the next in turn
    assert conversation(api, admin, team["id"], wa_id)["owner_id"] == owners[1]


def waiting_conversations(runtime, api, admin, team_id, count):
    """``count`` customers write to the team one minute apart (oldest first); nobody is online."""
    account = new_whatsapp_account(runtime, api, admin, team_id=team_id)
    customers = [new_wa_id() for _ in range(count)]
    start = int((datetime.now(UTC) - timedelta(minutes=count + 1)).timestamp())
    for index, wa_id in enumerate(customers):
        say(runtime, account, wa_id, "anyone?", timestamp=start + 60 * index)
    return [conversation(api, admin, team_id, wa_id)["id"] for wa_id in customers]


def states(api, admin, team_id, conversation_ids):
    listed = {c["id"]: c for c in ok(call("GET", f"{api}/conversations?view=all&limit=100&team={team_id}",
                                          admin))["items"]}
    return [(listed[cid]["state"], listed[cid]["owner_id"]) for cid in conversation_ids]


def test_waiting_conversations_go_to_an_agent_who_comes_online_then_as_capacity_frees(runtime, api, admin, sqs):
    # Given a team assigning automatically with capacity 1, and three conversations that found nobody online
    team = new_team(api, admin, assignment={"auto_assign": True, "capacity": 1})
    oldest, middle, newest = waiting_conversations(runtime, api, admin, team["id"], 3)
    assert states(api, admin, team["id"], [oldest, middle, newest]) == [("new", None)] * 3
    user, headers = new_user(runtime, api, admin, role="agent", team_ids=[team["id"]])
    in_team = f"?team={team['id']}"
    # When an agent of the team signs in (their first heartbeat)
    ok(call("POST", f"{api}/me/heartbeat{in_team}", headers))
    drain(runtime, "assignment")
    # Then the longest waiting conversation is theirs, the others wait (capacity 1)
    assert states(api, admin, team["id"], [oldest, middle, newest]) == [
        ("assigned", user["id"]), ("new", None), ("new", None)]
    # And a heartbeat while online asks for nothing more
    ok(call("POST", f"{api}/me/heartbeat{in_team}", headers))
    assert queue_depth(sqs, runtime.resources.queue_urls["assignment"]) == 0
    # When they archive it, the next in line is theirs
    ok(call("POST", f"{api}/conversations/{oldest}/archive{in_team}", headers, {}))
    drain(runtime, "assignment")
    assert states(api, admin, team["id"], [middle, newest]) == [("assigned", user["id"]), ("new", None)]
    # When they hand it back, the freed place goes to the newest, and the returned one is not given
    # straight back to them
    ok(call("POST", f"{api}/conversations/{middle}/handback{in_team}", headers))
    drain(runtime, "assignment")
    assert states(api, admin, team["id"], [middle, newest]) == [("new", None), ("assigned", user["id"])]


def test_two_agents_coming_online_at_once_never_get_the_same_conversation(runtime, api, admin):
    # Given a team with capacity 1 and five conversations waiting, and four agents who come
    # online at the same moment
    team = new_team(api, admin, assignment={"auto_assign": True, "capacity": 1})
    waiting = waiting_conversations(runtime, api, admin, team["id"], 5)
    agents = [agent(team["id"], name) for name in ("fay", "gus", "hal", "ida")]
    now = datetime.now(UTC)
    for user_id in agents:
        presence.record_heartbeat(user_id, [team["id"]], now)
    # When four assignment workers offer the team's waiting conversations at the same time
    start = threading.Barrier(len(agents))
    assigner = wiring.assigner()

    def offer() -> int:
        start.wait()
        return int(assigner.offer_waiting(team["id"]))

    with ThreadPoolExecutor(max_workers=len(agents)) as pool:
        assigned = sum(pool.map(lambda _: offer(), agents))
    # Then the four oldest went to four different agents, one each, and the newest waits
    found = states(api, admin, team["id"], waiting)
    assert assigned == 4
    assert sorted(owner for _, owner in found[:4]) == sorted(agents)
    assert found[4] == ("new", None)


def test_a_reopened_conversation_whose_agent_is_offline_is_assigned_by_the_team_policy(runtime, api, admin):
    # Given a sticky team assigning automatically, with two agents online, and a conversation the
    # first of them had and that was archived
    team = new_team(api, admin, assignment={"auto_assign": True, "sticky": True})
    first, second = sorted([agent(team["id"], "jo"), agent(team["id"], "kim")])
    now = datetime.now(UTC)
    for user_id in (first, second):
        presence.record_heartbeat(user_id, [team["id"]], now)
    account = new_whatsapp_account(runtime, api, admin, team_id=team["id"])
    wa_id = new_wa_id()
    say(runtime, account, wa_id, "first question")
    handled = conversation(api, admin, team["id"], wa_id)
    assert (handled["state"], handled["owner_id"]) == ("assigned", first)
    ok(call("POST", f"{api}/conversations/{handled['id']}/archive?team={team['id']}", admin, {}))
    drain(runtime, "assignment")
    # When that agent has gone offline and the customer writes again within the reopen period
    presence.record_heartbeat(first, [team["id"]], now - timedelta(hours=1))
    say(runtime, account, wa_id, "one more thing")
    # Then the same conversation is reopened and assigned like a new one: to the agent online
    reopened = conversation(api, admin, team["id"], wa_id)
    assert reopened["id"] == handled["id"]
    assert (reopened["state"], reopened["owner_id"]) == ("assigned", second)


@pytest.mark.parametrize("policy", [{"sticky": False, "capacity": 5}, {"sticky": True, "capacity": 1}],
                         ids=["not sticky", "agent at capacity"])
def test_a_reopened_conversation_follows_the_team_policy_even_with_its_agent_online(runtime, api, admin, policy):
    # Given a team assigning automatically, two agents online, and a conversation the first had
    # and archived
    team = new_team(api, admin, assignment={"auto_assign": True, **policy})
    first, second = sorted([agent(team["id"], "lu"), agent(team["id"], "max")])
    for user_id in (first, second):
        presence.record_heartbeat(user_id, [team["id"]], datetime.now(UTC))
    account = new_whatsapp_account(runtime, api, admin, team_id=team["id"])
    wa_id = new_wa_id()
    say(runtime, account, wa_id, "first question")
    handled = conversation(api, admin, team["id"], wa_id)
    assert handled["owner_id"] == first
    ok(call("POST", f"{api}/conversations/{handled['id']}/archive?team={team['id']}", admin, {}))
    drain(runtime, "assignment")
    if policy["capacity"] == 1:
        # (and the first agent has picked up another conversation meanwhile: they are at capacity)
        other = new_wa_id()
        ok(call("PATCH", f"{api}/teams/{team['id']}", admin, {"assignment": {**policy, "auto_assign": False}}))
        say(runtime, account, other, "someone else")
        waiting = ContactRepository().get_conversation(conversation(api, admin, team["id"], other)["id"])
        ConversationStateStore().transition(waiting, ConversationState.ASSIGNED, owner_id=first,
                                                              now=datetime.now(UTC))
        ok(call("PATCH", f"{api}/teams/{team['id']}", admin, {"assignment": {**policy, "auto_assign": True}}))
    # When the customer writes again within the reopen period, their agent still online
    say(runtime, account, wa_id, "one more thing")
    # Then the team's policy decides, not the return to the agent alone
    assert conversation(api, admin, team["id"], wa_id)["owner_id"] == second
