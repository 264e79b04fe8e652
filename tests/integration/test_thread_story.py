"""A thread that tells its story (issue 17.2), through the HTTP API: system lines for pick-up,
assignment, hand-back and archive (with tags), written with the change, and in the exports
(JSON with each line's event, CSV and PDF with the line's words)."""

import json
import time

from tests.integration.inbox_support import deliver, exported, get, new_conversation, online, post


def story(api, headers, conversation_id):
    thread = get(api, f"/conversations/{conversation_id}/messages", headers, limit=100).json()["items"]
    return [m for m in thread if m["direction"] == "system"]


def test_each_change_of_hands_is_a_line_of_the_thread_and_of_its_exports(runtime, api, agent1, agent2, user_ids,
                                                                         webhook_url, demo):
    agent2_id = user_ids["agent2@example.com"]
    _, conversation = new_conversation(runtime, api, webhook_url, demo, agent1)
    path = f"/conversations/{conversation['id']}"
    with online(api, {agent2_id: agent2}):
        # Given agent1 picks it up and assigns it to agent2, who hands it back, picks it up and archives it
        post(api, path + "/pickup", agent1).raise_for_status()
        post(api, path + "/assign", agent1, {"agent_id": agent2_id}).raise_for_status()
    post(api, path + "/handback", agent2).raise_for_status()
    post(api, path + "/pickup", agent2).raise_for_status()
    post(api, path + "/archive", agent2, {"tags": ["story-probe"]}).raise_for_status()
    # Then the thread tells every step, in order, with the names of who did it
    lines = story(api, agent1, conversation["id"])
    assert [m["event"]["kind"] for m in lines] == ["picked_up", "assigned", "handed_back", "picked_up", "archived"]
    assert lines[0]["text"] == "Picked up by Alex Agent"
    assert lines[1]["text"] == "Assigned to Sam Agent by Alex Agent"
    assert lines[4]["text"] == "Archived by Sam Agent with tags story-probe"
    assert lines[4]["event"]["tags"] == ["story-probe"]
    # And a refused change tells nothing (archived already: 409, no second line)
    assert post(api, path + "/archive", agent2, {}).status_code == 409
    assert len(story(api, agent1, conversation["id"])) == 5
    # And the JSON export carries the lines with their events, the CSV and the PDF their words
    as_json = exported(runtime, api, path + "/exports", agent1, {"format": "json"})
    assert as_json.status_code == 200, as_json.text
    assert as_json.headers["Content-Type"].startswith("application/json")
    body = json.loads(as_json.content)
    assert [m["event"]["kind"] for m in body["messages"] if m["direction"] == "system"] == [
        "picked_up", "assigned", "handed_back", "picked_up", "archived"]
    csv_text = exported(runtime, api, path + "/exports", agent1, {"format": "csv"}).content.decode("utf-8-sig")
    assert "Assigned to Sam Agent by Alex Agent" in csv_text
    assert exported(runtime, api, path + "/exports", agent1, {"format": "pdf"}).status_code == 200


def test_a_customer_who_opts_out_in_their_conversation_is_told_in_the_thread(runtime, api, agent1, webhook_url,
                                                                             demo):
    # Given a customer with an open conversation
    wa_id, conversation = new_conversation(runtime, api, webhook_url, demo, agent1, text="hello")
    # When they write STOP
    deliver(runtime, webhook_url, demo, wa_id, "STOP", timestamp=int(time.time()) + 1)
    # Then the thread says they opted out (once), beside their message
    lines = story(api, agent1, conversation["id"])
    assert [(m["event"]["kind"], m["text"]) for m in lines] == [
        ("opted_out", "The customer opted out (whatsapp, keyword)")]
