"""Quick replies: administrators keep groups and replies; agents search them (!group) and
render one for a conversation, placeholders filled or listed as missing."""

import secrets

from tests.integration.inbox_support import delete, get, picked_up, post, put


def test_quick_replies_from_admin_to_agent(runtime, api, agent1, admin, webhook_url, demo):
    group_name = "Welkom" + secrets.token_hex(3)
    # Given an administrator's group with three replies
    group = post(api, "/admin/quick-reply-groups", admin, {"name": group_name})
    assert group.status_code == 201
    group_id = group.json()["id"]
    texts = ["Hoi {{customer}} 🤖, je chat nu met {{agent_first}}.", "Thanks for the chat!",
             "Your ticket is {{ticket}}."]
    reply_ids = [post(api, "/admin/quick-replies", admin, {"group_id": group_id, "text": t}).json()["id"]
                 for t in texts]
    # Then agents find the group's replies by its shortcut, in order, and one by its number
    found = get(api, "/quick-replies", agent1, q="!" + group_name.lower()).json()["items"]
    assert [r["shortcut"] for r in found] == [f"!{group_name}1", f"!{group_name}2", f"!{group_name}3"]
    assert [r["text"] for r in get(api, "/quick-replies", agent1, q=f"!{group_name}2").json()["items"]] == [texts[1]]
    assert [r["id"] for r in get(api, "/quick-replies", agent1, q="ticket is").json()["items"]
            if r["group_id"] == group_id] == [reply_ids[2]]
    # When an agent renders the first one in a conversation with a named customer
    _, conversation = picked_up(runtime, api, webhook_url, demo, agent1, name="Jeremy Bakker")
    rendered = get(api, f"/conversations/{conversation['id']}/quick-replies/{reply_ids[0]}", agent1).json()
    # Then the placeholders are filled from the conversation and the agent
    assert rendered == {"text": "Hoi Jeremy Bakker 🤖, je chat nu met Alex.", "missing": []}
    # And what cannot be filled is listed, and sending it is refused naming it
    unfilled = get(api, f"/conversations/{conversation['id']}/quick-replies/{reply_ids[2]}", agent1).json()
    assert unfilled["missing"] == ["ticket"]
    refused = post(api, f"/conversations/{conversation['id']}/messages", agent1, {"text": unfilled["text"]})
    assert refused.status_code == 400
    assert "{{ticket}}" in refused.json()["error"]["message"]
    # When the group is renamed, the shortcuts follow; deleting a reply renumbers
    put(api, f"/admin/quick-reply-groups/{group_id}", admin, {"name": group_name + "X"}).raise_for_status()
    assert delete(api, f"/admin/quick-replies/{reply_ids[0]}", admin).status_code == 204
    found = get(api, "/quick-replies", agent1, q=f"!{group_name}X").json()["items"]
    assert [(r["shortcut"], r["text"]) for r in found] == [(f"!{group_name}X1", texts[1]),
                                                           (f"!{group_name}X2", texts[2])]
    # And deleting the group removes its replies
    assert delete(api, f"/admin/quick-reply-groups/{group_id}", admin).status_code == 204
    assert get(api, "/quick-replies", agent1, q=f"!{group_name}").json()["items"] == []


def test_only_administrators_change_quick_replies(api, agent1, watcher, admin):
    for headers in (agent1, watcher):
        assert post(api, "/admin/quick-reply-groups", headers, {"name": "Nope"}).status_code == 403
    group_id = post(api, "/admin/quick-reply-groups", admin, {"name": "G" + secrets.token_hex(3)}).json()["id"]
    assert post(api, "/admin/quick-replies", agent1, {"group_id": group_id, "text": "x"}).status_code == 403
    # And a reply is at most 2000 characters
    too_long = post(api, "/admin/quick-replies", admin, {"group_id": group_id, "text": "x" * 2001})
    assert too_long.status_code == 400
    assert too_long.json()["error"]["field"] == "text"
    assert post(api, "/admin/quick-replies", admin, {"group_id": group_id, "text": "é" * 2000}).status_code == 201
