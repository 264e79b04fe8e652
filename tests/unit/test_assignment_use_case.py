"""Automatic assignment (domain/assignment.py) on the in-memory stores: round robin among the
agents signed in, capacity, sticky reopened conversations, re-offering waiting ones, and a team
that changed between reading and writing. The stores' answers are held to DynamoDB's by
tests/contract."""

from __future__ import annotations

import pytest
from chalicelib.domain.models import ConversationState, Message
from chalicelib.domain.ports.conversations import AutoAssignOutcome, Tally

from tests.contract.builders import START, inbound, unique
from tests.fakes.world import ACCOUNT_ID, InboxWorld

TEAM = "care"


def team_world(*, capacity: int = 5, sticky: bool = True) -> InboxWorld:
    world = InboxWorld(START)
    world.auto_assigning_team(TEAM, capacity=capacity, sticky=sticky)
    world.accounts.update(ACCOUNT_ID, team_id=TEAM)
    return world


def new_conversation(world: InboxWorld, minutes: float = 0) -> str:
    return world.customer_writes(inbound(unique("+3161"), account_id=ACCOUNT_ID, minutes=minutes)).conversation.id


def test_new_conversations_go_round_robin_to_the_agents_signed_in() -> None:
    world = team_world()
    world.agent("ann", team_id=TEAM)
    world.agent("bob", team_id=TEAM)
    world.agent("carol", team_id=TEAM, online=False)
    owners = [world.assigner.assign(new_conversation(world, minutes)) for minutes in range(3)]
    assert [conversation.owner_id if conversation else None for conversation in owners] == ["ann", "bob", "ann"]


def test_an_agent_at_capacity_is_skipped_and_nobody_free_leaves_it_waiting() -> None:
    world = team_world(capacity=1)
    world.agent("ann", team_id=TEAM)
    world.agent("bob", team_id=TEAM)
    first, second, third = (new_conversation(world, minutes) for minutes in range(3))
    assert [world.assigner.assign(c).owner_id for c in (first, second)] == ["ann", "bob"]  # type: ignore[union-attr]
    assert world.assigner.assign(third) is None
    assert world.conversation(third).state is ConversationState.NEW


def test_a_reopened_conversation_goes_back_to_its_agent_in_a_sticky_team() -> None:
    world = team_world()
    world.agent("ann", team_id=TEAM)
    world.agent("bob", team_id=TEAM)
    world.assigner.assign(new_conversation(world))  # ann's turn was taken: bob is next
    conversation = new_conversation(world, minutes=1)
    assigned = world.assigner.assign(conversation, previous_owner_id="ann")
    assert assigned is not None
    assert assigned.owner_id == "ann"


def test_waiting_conversations_are_offered_oldest_first_while_an_agent_can_take_one() -> None:
    world = team_world(capacity=2)
    waiting = [new_conversation(world, minutes) for minutes in range(3)]
    world.agent("ann", team_id=TEAM)  # comes online after the conversations arrived
    assert world.assigner.offer_waiting(TEAM) == 2
    assert [world.conversation(c).owner_id for c in waiting] == ["ann", "ann", None]


def test_a_team_that_changed_between_reading_and_writing_is_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given ann and bob online, and another worker assigning to ann while this one decides
    world = team_world()
    world.agent("ann", team_id=TEAM)
    world.agent("bob", team_id=TEAM)
    conversation = new_conversation(world)
    assign = world.conversations.auto_assign

    def another_worker_came_first(conversation_id: str, agent_id: str, team_id: str, last_assigned: str | None, *,
                                  tally: Tally | None = None, story: Message | None = None) -> AutoAssignOutcome:
        monkeypatch.setattr(world.conversations, "auto_assign", assign)
        world.records.round_robin[TEAM] = "ann"  # the other worker's assignment moved the marker
        return assign(conversation_id, agent_id, team_id, last_assigned, tally=tally, story=story)

    monkeypatch.setattr(world.conversations, "auto_assign", another_worker_came_first)
    # When this worker's first decision (ann) is refused
    assigned = world.assigner.assign(conversation)
    # Then it decided again from the new picture: bob, after ann
    assert assigned is not None
    assert assigned.owner_id == "bob"
