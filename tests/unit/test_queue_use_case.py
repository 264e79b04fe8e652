"""The queue a supervisor runs (domain/waiting.py, lifecycle ``seen``) on the in-memory stores:
the longest waiting first, the owner's look, and the team overview's figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.models import Direction, Role, SystemEvent, SystemEventKind
from chalicelib.domain.story import describe
from chalicelib.domain.waiting import OwnerLoad, TeamOverviewReader, TeamWorkload, load_of, waiting_order

from tests.contract.builders import START, inbound
from tests.fakes.world import ACCOUNT_ID, InboxWorld


def test_customers_who_wait_for_an_answer_come_first_by_how_long() -> None:
    world = InboxWorld(START)
    late = world.customer_writes(inbound("+31600000001", account_id=ACCOUNT_ID, minutes=9)).conversation
    early = world.customer_writes(inbound("+31600000002", account_id=ACCOUNT_ID, minutes=1)).conversation
    answered = world.customer_writes(inbound("+31600000003", account_id=ACCOUNT_ID, minutes=0)).conversation
    ann = world.agent("ann")
    world.lifecycle.pick_up(ann, answered.id)
    world.conversations.add_outbound_message(world.conversation(answered.id), author_id="ann", text="Hi",
                                             sent_at=START + timedelta(minutes=10))
    listed = sorted((world.conversation(c.id) for c in (late, early, answered)), key=waiting_order)
    # The answered one waits on nobody: after both waiting customers, however old it is
    assert [c.id for c in listed] == [early.id, late.id, answered.id]


def test_an_agent_s_load_counts_open_waiting_and_awaiting_conversations() -> None:
    at = START + timedelta(minutes=5)
    load = load_of([(at, None), (START, None), (None, at), (None, None)])
    assert load == OwnerLoad(open=4, waiting=2, awaiting_customer=1, longest_waiting_since=START)


def test_only_the_owner_s_look_reads_the_conversation() -> None:
    world = InboxWorld(START)
    ann, bob = world.agent("ann"), world.agent("bob")
    conversation = world.customer_writes(inbound("+31600000004", account_id=ACCOUNT_ID)).conversation
    world.lifecycle.pick_up(ann, conversation.id)
    world.clock.advance(minutes=1)
    assert world.lifecycle.seen(bob, conversation.id).unread
    assert world.conversation(conversation.id).seen_at is None
    assert not world.lifecycle.seen(ann, conversation.id).unread
    assert world.conversation(conversation.id).seen_at == world.clock.now


def test_the_overview_lists_every_agent_with_status_load_and_capacity() -> None:
    # Given ann online with two conversations (one waiting), bob away, carl offline, and a supervisor
    world = InboxWorld(START)
    world.auto_assigning_team("support", capacity=3)
    ann = world.agent("ann", team_id="support")
    world.agent("bob", team_id="support")
    world.presences.record_heartbeat("bob", ["support"], START, "away")
    world.agent("carl", team_id="support", online=False)
    boss = world.agent("boss", team_id="support", role=Role.SUPERVISOR)
    workload = TeamWorkload(new=4, new_longest_waiting_since=START, by_owner={
        "ann": load_of([(START, None), (None, START)])})
    reader = TeamOverviewReader(world.users, world.teams, world.presences, lambda team_id: workload, world.clock)
    # When the supervisor reads the overview
    overview = reader.of(boss)
    # Then agents (not the supervisor) come available first, with their load and the team's capacity
    assert [(a.user_id, a.status, a.open, a.waiting, a.capacity) for a in overview.agents] == [
        ("ann", "available", 2, 1, 3), ("bob", "away", 0, 0, 3), ("carl", "offline", 0, 0, 3)]
    assert (overview.new, overview.auto_assign) == (4, True)
    # And an agent may not read it
    with pytest.raises(Forbidden):
        reader.of(ann)


def test_the_thread_tells_who_picked_up_assigned_handed_back_archived_and_reopened() -> None:
    # Given a waiting conversation and two agents of the team
    world = InboxWorld(START)
    ann, bob = world.agent("ann"), world.agent("bob")
    customer = "+31600000005"
    conversation = world.customer_writes(inbound(customer, account_id=ACCOUNT_ID)).conversation
    # When it is picked up, passed on, handed back, picked up again, archived with a tag
    world.lifecycle.pick_up(ann, conversation.id)
    world.clock.advance(seconds=1)
    world.lifecycle.assign(ann, conversation.id, "bob")
    world.clock.advance(seconds=1)
    world.lifecycle.hand_back(bob, conversation.id)
    world.clock.advance(seconds=1)
    world.lifecycle.pick_up(bob, conversation.id)
    world.clock.advance(seconds=1)
    world.lifecycle.archive(bob, conversation.id, ["refund"])
    # and the customer writes again within the reopen period
    world.clock.advance(minutes=1)
    world.customer_writes(inbound(customer, account_id=ACCOUNT_ID, minutes=30, text="One more thing"))
    # Then the thread tells each step in order, with names as they were
    thread = world.conversations.list_messages(conversation.id, limit=50, cursor=None).items
    story = [m.text for m in thread if m.direction is Direction.SYSTEM]
    assert story == ["Picked up by Ann", "Assigned to Bob by Ann", "Handed back to New by Bob", "Picked up by Bob",
                     "Archived by Bob with tags refund", "Reopened: the customer wrote again; back to Bob"]
    assert [m.event.kind for m in thread if m.event] == [
        SystemEventKind.PICKED_UP, SystemEventKind.ASSIGNED, SystemEventKind.HANDED_BACK, SystemEventKind.PICKED_UP,
        SystemEventKind.ARCHIVED, SystemEventKind.REOPENED]


def test_every_kind_of_line_reads_as_a_sentence() -> None:
    lines = {kind: describe(SystemEvent(kind=kind, actor_name="Ann", agent_name="Bob", detail="x"))
             for kind in SystemEventKind}
    assert lines[SystemEventKind.ASSIGNED] == "Assigned to Bob by Ann"
    assert describe(SystemEvent(kind=SystemEventKind.ASSIGNED, agent_name="Bob")) == "Assigned to Bob automatically"
    assert lines[SystemEventKind.TEMPLATE_WINDOW_CLOSED] == "Template x sent because the 24-hour window was closed"
    assert all(text and "None" not in text for text in lines.values())
