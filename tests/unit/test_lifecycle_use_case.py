"""The conversation's life (domain/lifecycle.py) on the in-memory stores: the pick-up race, hand
back, assigning to a colleague, and archiving. The stores' answers are held to DynamoDB's by
tests/contract."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from chalicelib.core.resources import ASSIGNMENT_QUEUE, NOTICES_QUEUE
from chalicelib.domain.admin_models import DEFAULT_TEAM_ID
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.models import Conversation, ConversationState

from tests.contract.builders import START, inbound
from tests.fakes.world import ACCOUNT_ID, InboxWorld

CUSTOMER = "+31612345678"


def waiting_conversation(world: InboxWorld) -> Conversation:
    return world.customer_writes(inbound(CUSTOMER, account_id=ACCOUNT_ID)).conversation


def test_of_two_agents_picking_up_at_once_exactly_one_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a waiting conversation that ann and bob both read as New
    world = InboxWorld(START)
    ann, bob = world.agent("ann"), world.agent("bob")
    conversation = waiting_conversation(world)
    read = world.conversations.get_conversation

    def ann_picks_up_after_bobs_read(conversation_id: str) -> Conversation:
        as_read = read(conversation_id)
        monkeypatch.setattr(world.conversations, "get_conversation", read)
        world.lifecycle.pick_up(ann, conversation_id)
        return as_read

    monkeypatch.setattr(world.conversations, "get_conversation", ann_picks_up_after_bobs_read)
    # When bob's pick-up writes after ann's
    with pytest.raises(Conflict):
        world.lifecycle.pick_up(bob, conversation.id)
    # Then the conversation is ann's, and only her assignment was counted
    stored = world.conversation(conversation.id)
    assert (stored.state, stored.owner_id, stored.version) == (ConversationState.ASSIGNED, "ann", 1)
    assert [t.counts for t in world.records.tallies][1:] == [{"entered.assigned": 1, "agent.ann.assigned": 1}]


def test_a_conversation_picked_up_already_is_a_conflict_for_the_next_agent() -> None:
    world = InboxWorld(START)
    ann, bob = world.agent("ann"), world.agent("bob")
    conversation = waiting_conversation(world)
    world.lifecycle.pick_up(ann, conversation.id)
    with pytest.raises(Conflict, match="already picked up"):
        world.lifecycle.pick_up(bob, conversation.id)


def test_handing_back_returns_it_to_new_and_offers_the_teams_waiting_conversations() -> None:
    world = InboxWorld(START)
    ann = world.agent("ann")
    conversation = waiting_conversation(world)
    world.lifecycle.pick_up(ann, conversation.id)
    back = world.lifecycle.hand_back(ann, conversation.id)
    assert (back.state, back.owner_id, back.last_owner_id) == (ConversationState.NEW, None, "ann")
    assert json.loads(world.publisher.bodies(ASSIGNMENT_QUEUE)[-1]) == {
        "offer_team_id": DEFAULT_TEAM_ID, "returned_conversation_id": conversation.id, "returned_by": "ann"}
    # And the team's browsers are told it moved to New, with its row (no integrator event tells a hand-back)
    [notice] = json.loads(world.publisher.bodies(NOTICES_QUEUE)[-1])["notices"]
    assert (notice["type"], notice["conversation_id"], notice["state"]) == ("conversation", conversation.id, "new")
    assert notice["conversation"] == back.model_dump(mode="json")


def test_a_conversation_is_assigned_only_to_a_colleague_who_is_signed_in() -> None:
    world = InboxWorld(START)
    ann, _ = world.agent("ann"), world.agent("bob")
    world.agent("carol", online=False)
    conversation = waiting_conversation(world)
    with pytest.raises(InvalidInput, match="not available"):
        world.lifecycle.assign(ann, conversation.id, "carol")
    with pytest.raises(InvalidInput, match="not an agent"):
        world.lifecycle.assign(ann, conversation.id, "nobody")
    assigned = world.lifecycle.assign(ann, conversation.id, "bob")
    assert (assigned.state, assigned.owner_id) == (ConversationState.ASSIGNED, "bob")


def test_archiving_writes_the_deletion_date_with_the_archive_and_frees_the_agent() -> None:
    world = InboxWorld(START)
    world.settings.settings = world.settings.settings.model_copy(update={"auto_delete_days": 30})
    ann = world.agent("ann")
    conversation = waiting_conversation(world)
    world.lifecycle.pick_up(ann, conversation.id)
    world.clock.advance(minutes=30)
    archived = world.lifecycle.archive(ann, conversation.id)
    assert (archived.state, archived.archived_at) == (ConversationState.ARCHIVED, world.clock())
    # in the archive's own write, 30 days on (the due index's text: UTC, to the second)
    assert world.conversations.deletion_dates == {
        conversation.id: (world.clock() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    assert json.loads(world.publisher.bodies(ASSIGNMENT_QUEUE)[-1]) == {"offer_team_id": DEFAULT_TEAM_ID}
    with pytest.raises(Conflict, match="archived already"):
        world.lifecycle.archive(ann, conversation.id)


def test_an_archive_has_no_deletion_date_without_auto_deletion_and_a_reopen_drops_it() -> None:
    world = InboxWorld(START)
    ann = world.agent("ann")
    kept = waiting_conversation(world)
    world.lifecycle.archive(ann, kept.id)
    assert world.conversations.deletion_dates == {}
    world.settings.settings = world.settings.settings.model_copy(update={"auto_delete_days": 1})
    world.lifecycle.reopen_by(ann, kept.id)
    world.lifecycle.archive(ann, kept.id)
    assert list(world.conversations.deletion_dates) == [kept.id]
    world.lifecycle.reopen_by(ann, kept.id)
    assert world.conversations.deletion_dates == {}
