"""An agent takes an archived conversation back: assigned to them, off the deletion clock;
refused while it is open, for watchers, and when the customer has a newer conversation."""

import time

from chalicelib.domain.service_settings import ServiceSettings

from tests.integration.inbox_support import deliver, get, patch, picked_up, post


def test_an_agent_reopens_an_archived_conversation(runtime, api, agent1, agent2, user_ids, watcher, webhook_url,
                                                   demo):
    # Given a conversation agent1 archived
    _, conversation = picked_up(runtime, api, webhook_url, demo, agent1)
    path = f"/conversations/{conversation['id']}"
    assert post(api, path + "/reopen", agent1).status_code == 409  # not archived yet
    post(api, path + "/archive", agent1).raise_for_status()
    # Then a watcher may not reopen it
    assert post(api, path + "/reopen", watcher).status_code == 403
    # When agent2 reopens it
    reopened = post(api, path + "/reopen", agent2)
    # Then it is assigned to agent2, in their Assigned list, and no longer archived
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["state"] == "assigned"
    assert reopened.json()["owner_id"] == user_ids["agent2@example.com"]
    assert reopened.json().get("archived_at") is None
    mine = get(api, "/conversations", agent2, view="assigned").json()["items"]
    assert conversation["id"] in [c["id"] for c in mine]
    # And reopening it again is a conflict naming its state
    again = post(api, path + "/reopen", agent2)
    assert again.status_code == 409
    assert "assigned" in again.json()["error"]["message"]


def test_no_reopen_once_a_newer_conversation_took_its_place(runtime, api, agent1, admin, webhook_url, demo):
    # Given an archived conversation whose customer wrote after the reopen period (a new conversation)
    patch(api, "/settings/service", admin, {"reopen_days": 0}).raise_for_status()
    try:
        wa_id, conversation = picked_up(runtime, api, webhook_url, demo, agent1)
        post(api, f"/conversations/{conversation['id']}/archive", agent1).raise_for_status()
        deliver(runtime, webhook_url, demo, wa_id, "new topic", timestamp=int(time.time()) + 3)
    finally:
        patch(api, "/settings/service", admin, {"reopen_days": ServiceSettings().reopen_days}).raise_for_status()
    # When the agent tries to reopen the old one, they are sent to the newer one
    refused = post(api, f"/conversations/{conversation['id']}/reopen", agent1)
    assert refused.status_code == 409
    assert "newer conversation" in refused.json()["error"]["message"]
