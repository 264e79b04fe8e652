"""The directory's contract: teams, users and their seats, channel accounts with their rules and
out-of-office messages, presence; the same in memory and on DynamoDB."""

from __future__ import annotations

from datetime import timedelta

import pytest
from chalicelib.domain.admin_models import AssignmentPolicy, OutOfOfficeMessage, Profile, RoutingRule, TeamSettings
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.models import Channel, ChannelAccount, Role, User
from chalicelib.domain.seats import NoFreeSeat
from chalicelib.domain.work_models import ONLINE_WINDOW

from tests.contract.builders import START, unique
from tests.contract.conftest import Stores


def test_teams_are_created_once_changed_listed_and_deleted(stores: Stores) -> None:
    support, sales = unique("support"), unique("sales")
    stores.teams.create(TeamSettings(id=support, name="Support"))
    stores.teams.create(TeamSettings(id=sales, name="Sales"))
    with pytest.raises(Conflict):
        stores.teams.create(TeamSettings(id=support, name="Support again"))
    policy = AssignmentPolicy(auto_assign=True, capacity=3)
    changed = stores.teams.update(support, name="Customer care", assignment=policy)
    assert (changed.name, changed.assignment) == ("Customer care", policy)
    assert stores.teams.names([support, sales, "nobody"]) == {support: "Customer care", sales: "Sales"}
    assert [team.id for team in stores.teams.list_teams(limit=10, cursor=None).items] == [support, sales]
    stores.teams.delete(sales)
    assert not stores.teams.exists(sales)
    with pytest.raises(NotFound):
        stores.teams.delete(sales)
    with pytest.raises(NotFound):
        stores.teams.update(sales, name="Gone")


def test_users_take_seats_and_changes_from_a_stale_read_are_refused(stores: Stores) -> None:
    stores.settings.update({"seats": 1})
    ann = User(id=unique("ann"), email="ann@example.com", display_name="Ann", role=Role.AGENT, team_ids=("t1",))
    bob = User(id=unique("bob"), email="bob@example.com", display_name="Bob", role=Role.WATCHER, team_ids=("t1",))
    stores.users.create(ann)
    stores.users.create(bob)  # a watcher takes no seat
    assert stores.users.seats_used() == 1
    with pytest.raises(Conflict):
        stores.users.create(ann)
    with pytest.raises(NoFreeSeat):
        stores.users.change_role(bob, Role.AGENT)
    watcher = stores.users.change_role(ann, Role.WATCHER)
    assert stores.users.seats_used() == 0
    with pytest.raises(Conflict):
        stores.users.change_role(ann, Role.ADMINISTRATOR)  # ann as read before: an agent
    moved = stores.users.set_teams(watcher, ["t1", "t2"])
    assert stores.users.require(ann.id).team_ids == moved.team_ids == ("t1", "t2")
    with pytest.raises(Conflict):
        stores.users.set_teams(watcher, ["t3"])
    assert set(stores.users.member_ids("t1", limit=10, cursor=None).items) == {ann.id, bob.id}
    assert stores.users.has_members("t2")
    assert not stores.users.has_members("t3")
    assert stores.users.get_profile(watcher) == Profile(display_name="Ann")
    with pytest.raises(NotFound):
        stores.users.require("nobody")


def test_channel_accounts_with_their_rules_and_out_of_office_messages(stores: Stores) -> None:
    account = ChannelAccount(id=unique("wa"), channel=Channel.WHATSAPP, name="Shop", provider_account_id="1555",
                             api_base_url="https://graph.example.com", team_id="default", enabled=True)
    stores.accounts.create(account)
    with pytest.raises(Conflict):
        stores.accounts.create(account)
    with pytest.raises(Conflict):
        stores.accounts.require_absent(account.id)
    assert stores.accounts.update(account.id, enabled=False).enabled is False
    assert stores.accounts.cached(account.id) == account.model_copy(update={"enabled": False})
    with pytest.raises(NotFound):
        stores.accounts.update(unique("missing"), name="x")
    late = RoutingRule(id="r2", account_id=account.id, team_id="sales", priority=20)
    early = RoutingRule(id="r1", account_id=account.id, team_id="support", priority=10, language="nl")
    stores.accounts.add_rule(late)
    stores.accounts.add_rule(early)
    assert stores.accounts.rules_for(account.id) == [early, late]
    assert account.id in stores.accounts.routed_account_ids({"support"})
    stores.accounts.delete_rule(account.id, "r2")
    assert stores.accounts.routing_rules(account.id) == [early]
    with pytest.raises(NotFound):
        stores.accounts.delete_rule(account.id, "r2")
    replies = [OutOfOfficeMessage(text="We are closed")]
    stores.accounts.set_out_of_office(account.id, replies)
    assert stores.accounts.out_of_office(account.id) == stores.accounts.auto_replies(account.id) == replies


def test_presence_knows_who_came_online_and_who_is_online(stores: Stores) -> None:
    team, other = unique("team"), unique("team")
    assert stores.presences.record_heartbeat("ann", [team, other], START) == [team, other]
    assert stores.presences.record_heartbeat("ann", [team], START + timedelta(seconds=30)) == []
    assert stores.presences.record_heartbeat("bob", [team], START - ONLINE_WINDOW * 2) == [team]
    later = START + ONLINE_WINDOW * 3
    assert stores.presences.record_heartbeat("bob", [team], later) == [team]  # back after a gap
    assert stores.presences.available_user_ids(team, START) == ["ann", "bob"]
    assert stores.presences.record_heartbeat("bob", [team], later + timedelta(seconds=5), "away") == []
    assert stores.presences.available_user_ids(team, START) == ["ann"]
    assert stores.presences.record_heartbeat("bob", [team], later + timedelta(seconds=10)) == [team]  # back
    assert [entry.user_id for entry in stores.presences.seen_since(team, later)] == ["bob"]
    assert stores.presences.last_seen(team, "ann") == START + timedelta(seconds=30)
    assert stores.presences.last_seen(team, "carol") is None
    assert stores.presences.current(team, "carol") is None
