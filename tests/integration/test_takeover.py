"""Taking over a colleague's assigned conversation is for supervisors and administrators
(docs/security.md); an agent assigns New conversations and passes on their own."""

from __future__ import annotations

from tests.integration.inbox_support import get, online, picked_up, post


def test_an_agent_cannot_take_a_colleagues_conversation_but_an_administrator_can(
        runtime, api, webhook_url, demo, agent1, agent2, admin, user_ids):
    # Given agent1's conversation, with both agents online
    _, conversation = picked_up(runtime, api, webhook_url, demo, agent1)
    path = f"/conversations/{conversation['id']}"
    agent1_id, agent2_id = user_ids["agent1@example.com"], user_ids["agent2@example.com"]
    with online(api, {agent1_id: agent1, agent2_id: agent2}):
        _takes_over(api, path, agent1, agent2, admin, agent1_id, agent2_id)


def _takes_over(api, path, agent1, agent2, admin, agent1_id, agent2_id):
    # When agent2 assigns it to themselves
    taken = post(api, f"{path}/assign", agent2, {"agent_id": agent2_id})
    # Then it is refused, and agent1 still has it
    assert taken.status_code == 403, taken.text
    assert get(api, path, admin).json()["conversation"]["owner_id"] == agent1_id
    # And agent1 may pass it on, and the administrator may move it back
    assert post(api, f"{path}/assign", agent1, {"agent_id": agent2_id}).status_code == 200
    moved = post(api, f"{path}/assign", admin, {"agent_id": agent1_id})
    assert moved.status_code == 200, moved.text
    assert moved.json()["owner_id"] == agent1_id
