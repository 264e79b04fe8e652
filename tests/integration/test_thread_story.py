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


def customer_of(api, headers, conversation_id):
    response = get(api, f"/conversations/{conversation_id}/customer", headers)
    assert response.status_code == 200, response.text
    return response.json()["profile"]["id"]


def test_a_merge_of_two_customers_is_told_in_the_moved_conversations_and_their_exports(runtime, api, agent1,
                                                                                       webhook_url, demo):
    # Given one customer known by two numbers: two profiles, each with a conversation
    _, kept_conversation = new_conversation(runtime, api, webhook_url, demo, agent1, name="Kees Kept")
    _, moved = new_conversation(runtime, api, webhook_url, demo, agent1, name="Sanne Source")
    kept_id, source_id = customer_of(api, agent1, kept_conversation["id"]), customer_of(api, agent1, moved["id"])
    # When agent1 merges the second profile into the first
    merged = post(api, f"/customers/{kept_id}/merge", agent1, {"source_id": source_id})
    assert merged.status_code == 200, merged.text
    # Then the moved conversation's thread says which customer was merged into which, and by whom
    lines = story(api, agent1, moved["id"])
    assert [(m["event"]["kind"], m["text"]) for m in lines] == [
        ("merged", "Customer Sanne Source merged into Kees Kept by Alex Agent")]
    assert (lines[0]["event"]["merged_from"], lines[0]["event"]["merged_into"]) == ("Sanne Source", "Kees Kept")
    # And the kept customer's own conversation, which did not move, tells nothing
    assert story(api, agent1, kept_conversation["id"]) == []
    # And the same merge again writes no second line
    assert post(api, f"/customers/{kept_id}/merge", agent1, {"source_id": source_id}).status_code == 200
    assert len(story(api, agent1, moved["id"])) == 1
    # And the exports tell it too (the JSON with its event, the CSV in words)
    path = f"/conversations/{moved['id']}/exports"
    body = json.loads(exported(runtime, api, path, agent1, {"format": "json"}).content)
    assert [m["event"]["kind"] for m in body["messages"] if m["direction"] == "system"] == ["merged"]
    assert "Customer Sanne Source merged into Kees Kept by Alex Agent" in exported(
        runtime, api, path, agent1, {"format": "csv"}).content.decode("utf-8-sig")


def test_a_reopen_by_an_agent_or_by_the_customer_writing_again_is_told(runtime, api, agent1, agent2, webhook_url,
                                                                      demo):
    # Given a conversation agent1 archived
    wa_id, conversation = new_conversation(runtime, api, webhook_url, demo, agent1)
    path = f"/conversations/{conversation['id']}"
    post(api, path + "/pickup", agent1).raise_for_status()
    post(api, path + "/archive", agent1).raise_for_status()
    # When agent2 reopens it, archives it, and the customer then writes again
    post(api, path + "/reopen", agent2).raise_for_status()
    post(api, path + "/archive", agent2).raise_for_status()
    deliver(runtime, webhook_url, demo, wa_id, "one more thing", timestamp=int(time.time()) + 1)
    # Then the thread tells both reopens: who reopened it, and that the customer's message did
    lines = story(api, agent1, conversation["id"])
    assert [m["event"]["kind"] for m in lines] == ["picked_up", "archived", "reopened", "archived", "reopened"]
    assert lines[2]["text"] == "Reopened by Sam Agent"
    assert lines[4]["text"].startswith("Reopened: the customer wrote again; back ")
    # And the CSV export says so in words
    csv_text = exported(runtime, api, path + "/exports", agent1, {"format": "csv"}).content.decode("utf-8-sig")
    assert "Reopened by Sam Agent" in csv_text
