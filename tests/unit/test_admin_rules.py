"""Pure rules of the administration: seats, round robin, routing, roles, retention dates."""

from datetime import UTC, datetime

import pytest
from chalicelib.domain.admin_models import RoutingRule
from chalicelib.domain.assignment import choose_agent
from chalicelib.domain.errors import Forbidden, Unauthenticated
from chalicelib.domain.identity import (
    principal_for,
    require_administrator,
    require_assigning_role,
    require_settings_reader,
    require_statistics_reader,
    require_team_member,
    require_working_role,
)
from chalicelib.domain.models import (
    Channel,
    ChannelAccount,
    ContentKind,
    Conversation,
    ConversationState,
    InboundMessage,
    Role,
    User,
)
from chalicelib.domain.routing import route_to_team
from chalicelib.domain.seats import default_role_for_new_user, seat_change, seats_free
from chalicelib.domain.service_settings import ServiceSettings
from pydantic import ValidationError

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


# --- seats ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "delta"), [
    (None, Role.AGENT, 1), (None, Role.ADMINISTRATOR, 1), (None, Role.WATCHER, 0),
    (Role.WATCHER, Role.AGENT, 1), (Role.AGENT, Role.ADMINISTRATOR, 0), (Role.ADMINISTRATOR, Role.WATCHER, -1),
    (Role.AGENT, Role.DISABLED, -1), (Role.DISABLED, Role.WATCHER, 0), (Role.DISABLED, Role.AGENT, 1),
    # A supervisor assigns work: a seat, like an agent (the seed: only read-only roles are free)
    (None, Role.SUPERVISOR, 1), (Role.AGENT, Role.SUPERVISOR, 0), (Role.SUPERVISOR, Role.WATCHER, -1),
])
def test_administrators_and_agents_take_a_seat_others_do_not(old, new, delta):
    assert seat_change(old, new) == delta


def test_new_users_are_agents_while_seats_are_free():
    assert default_role_for_new_user(seats=10, used=9) is Role.AGENT
    assert default_role_for_new_user(seats=10, used=10) is Role.WATCHER
    assert default_role_for_new_user(seats=3, used=5) is Role.WATCHER  # seats lowered below use
    assert seats_free(3, 5) == 0


# --- round robin ---------------------------------------------------------------------------


def test_round_robin_takes_the_next_agent_after_the_last_and_wraps():
    agents = ["bob", "ann", "cy"]
    loads = {"ann": 0, "bob": 0, "cy": 0}
    picks, last = [], None
    for _ in range(4):
        last = choose_agent(agents, loads, capacity=5, last_assigned=last, previous_owner=None)
        picks.append(last)
    assert picks == ["ann", "bob", "cy", "ann"]


def test_round_robin_skips_agents_at_capacity_and_gives_up_when_all_are():
    loads = {"ann": 2, "bob": 1, "cy": 2}
    assert choose_agent(["ann", "bob", "cy"], loads, capacity=2, last_assigned="bob", previous_owner=None) == "bob"
    assert choose_agent(["ann", "cy"], loads, capacity=2, last_assigned=None, previous_owner=None) is None
    assert choose_agent([], {}, capacity=2, last_assigned=None, previous_owner=None) is None


def test_the_previous_owner_comes_first_when_available():
    loads = {"ann": 0, "bob": 1}
    assert choose_agent(["ann", "bob"], loads, capacity=2, last_assigned=None, previous_owner="bob") == "bob"
    # At capacity or not signed in (not a candidate): round robin as usual
    assert choose_agent(["ann", "bob"], loads, capacity=1, last_assigned=None, previous_owner="bob") == "ann"
    assert choose_agent(["ann"], loads, capacity=2, last_assigned=None, previous_owner="bob") == "ann"


# --- routing -------------------------------------------------------------------------------


def message(text="hello", language=None):
    return InboundMessage(channel=Channel.WHATSAPP, account_id="wa", provider_message_id="m", customer_id="c",
                          sent_at=NOW, kind=ContentKind.TEXT, text=text, language=language)


def account(team_id="support"):
    return ChannelAccount(id="wa", channel=Channel.WHATSAPP, name="n", provider_account_id="1",
                          api_base_url="https://graph.facebook.com", team_id=team_id, enabled=True)


def rule(rule_id, team_id, priority=100, **conditions):
    return RoutingRule(id=rule_id, account_id="wa", team_id=team_id, priority=priority, **conditions)


def test_rules_match_by_priority_language_and_keyword():
    rules = [rule("r2", "dutch", 20, language="nl"), rule("r1", "billing", 10, keyword="invoice"),
             rule("r3", "catch-all", 30)]
    def exists(team):
        return True
    assert route_to_team(rules, message("My INVOICE", "nl-BE"), account(), exists) == "billing"
    assert route_to_team(rules, message("hallo", "nl-BE"), account(), exists) == "dutch"
    assert route_to_team(rules, message("hello", "en"), account(), exists) == "catch-all"
    assert route_to_team(rules[:2], message("hello", None), account(), exists) == "support"


def test_routing_falls_back_to_the_default_team_when_a_team_is_gone():
    def exists(team):
        return team == "billing"
    assert route_to_team([rule("r", "gone")], message(), account("also-gone"), exists) == "default"
    assert route_to_team([], message(), None, exists) == "default"
    assert route_to_team([rule("r", "billing")], message(), None, exists) == "billing"


# --- roles ---------------------------------------------------------------------------------


def user(role, teams=("default",)):
    return User(id=f"u-{role.value}", email="u@example.com", display_name="U", role=role, team_ids=teams)


def conversation(team_id):
    return Conversation(id="c", channel=Channel.WHATSAPP, account_id="wa", customer_id="x", customer_name=None,
                        team_id=team_id, state=ConversationState.NEW, owner_id=None, created_at=NOW,
                        last_message_at=NOW, last_customer_message_at=NOW, preview="", version=0)


@pytest.mark.parametrize(("role", "settings_write", "settings_read", "statistics", "work", "other_teams", "assign"), [
    (Role.ADMINISTRATOR, True, True, True, True, True, True),
    (Role.AGENT, False, False, False, True, False, True),
    (Role.WATCHER, False, True, True, False, True, False),
    (Role.SUPERVISOR, False, True, True, False, True, True),
])
def test_the_role_table(role, settings_write, settings_read, statistics, work, other_teams, assign):
    principal = principal_for(user(role), None, lambda team: True)
    checks = [(require_administrator, settings_write), (require_settings_reader, settings_read),
              (require_statistics_reader, statistics), (require_working_role, work),
              (lambda p: require_team_member(p, conversation("sales")), other_teams),
              (require_assigning_role, assign)]
    for check, allowed in checks:
        if allowed:
            check(principal)
        else:
            with pytest.raises(Forbidden):
                check(principal)


def test_disabled_and_unknown_users_cannot_act():
    with pytest.raises(Forbidden, match="disabled"):
        principal_for(user(Role.DISABLED), None)
    with pytest.raises(Unauthenticated):
        principal_for(None, None)


def test_team_choice_is_checked():
    agent = user(Role.AGENT, ("default", "sales"))
    assert principal_for(agent, "sales").team_id == "sales"
    with pytest.raises(Forbidden):
        principal_for(agent, "billing", lambda team: True)
    assert principal_for(user(Role.WATCHER), "billing", lambda team: True).team_id == "billing"
    with pytest.raises(Forbidden):
        principal_for(user(Role.ADMINISTRATOR), "ghost", lambda team: False)


# --- service settings ----------------------------------------------------------------------


def test_service_settings_defaults_and_deletion_date():
    settings = ServiceSettings()
    assert (settings.agents_may_create_tags, settings.reopen_days, settings.seats, settings.auto_delete_days) == \
        (True, 7, 10, None)
    assert settings.delete_at(NOW) is None
    assert ServiceSettings(auto_delete_days=30).delete_at(NOW) == datetime(2024, 5, 31, 12, 0, tzinfo=UTC)
    with pytest.raises(ValidationError):
        ServiceSettings(auto_delete_days=0)
