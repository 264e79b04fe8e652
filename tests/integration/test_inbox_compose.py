"""Replies with attachments (presigned uploads checked against the channel), templates when the
window is closed, unfilled placeholders, and conversations the agent starts."""

import time

import requests
from chalicelib import wiring
from chalicelib.adapters.media import PROVIDER_URL_SECONDS
from chalicelib.domain import ids
from chalicelib.domain.models import Attachment

from tests.integration.conftest import drain
from tests.integration.inbox_support import get, picked_up, post
from tests.support import HTTP_TIMEOUT, new_wa_id, post_upload

TEMPLATE = {"name": "order_update", "language": "en",
            "body": "Hi {{FirstName}}, your order {{Order}} ships today 🚚"}


def ensure_template(api, admin, demo):
    response = post(api, f"/admin/channel-accounts/{demo['whatsapp']['account_id']}/templates", admin, TEMPLATE)
    assert response.status_code == 201, response.text
    assert response.json()["parameters"] == ["FirstName", "Order"]


def upload(api, headers, conversation_id, filename, content_type, data):
    ticket = post(api, f"/conversations/{conversation_id}/uploads", headers,
                  {"filename": filename, "content_type": content_type, "size": len(data)})
    assert ticket.status_code == 201, ticket.text
    body = ticket.json()
    sent = post_upload(body, data, filename)
    assert sent.status_code == 204, sent.text
    return body["key"]


def test_a_reply_carries_uploaded_attachments(runtime, api, agent1, webhook_url, demo):
    # Given agent1's conversation and a picture uploaded through the presigned URL
    _, conversation = picked_up(runtime, api, webhook_url, demo, agent1)
    picture = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    key = upload(api, agent1, conversation["id"], "photo of parcel.png", "image/png", picture)
    # When agent1 replies with text, emoji and the picture
    reply = post(api, f"/conversations/{conversation['id']}/messages", agent1,
                 {"text": "Here it is 📦", "attachments": [{"key": key, "filename": "parcel.png"}]})
    # Then the message keeps the attachment as S3 stored it
    assert reply.status_code == 202, reply.text
    attachment = reply.json()["attachments"][0]
    assert attachment == {"key": key, "content_type": "image/png", "filename": "parcel.png", "size": len(picture)}
    assert reply.json()["text"] == "Here it is 📦"
    # And the upload lives under the conversation's media prefix (the purge deletes it with the conversation)
    assert key.startswith(ids.media_prefix(conversation["id"]))
    # And the provider gets a signed URL that serves those bytes
    url = wiring.media_store().signed_url(Attachment.model_validate(attachment), PROVIDER_URL_SECONDS)
    assert requests.get(url, timeout=HTTP_TIMEOUT).content == picture


def test_attachments_the_channel_cannot_carry_are_refused(runtime, api, agent1, agent2, webhook_url, demo):
    # Given agent1's conversation
    _, conversation = picked_up(runtime, api, webhook_url, demo, agent1)
    path = f"/conversations/{conversation['id']}"
    # Then a type WhatsApp does not take, or a picture over 5 MB, gets no upload URL
    zip_file = post(api, path + "/uploads", agent1, {"filename": "a.zip", "content_type": "application/zip",
                                                     "size": 10})
    assert zip_file.status_code == 400
    assert "application/zip" in zip_file.json()["error"]["message"]
    too_big = post(api, path + "/uploads", agent1, {"filename": "a.png", "content_type": "image/png",
                                                    "size": 6 * 1024 * 1024})
    assert too_big.status_code == 400
    assert too_big.json()["error"]["field"] == "size"
    # And a key never uploaded, one of another conversation, or more than ten files are refused
    missing = post(api, path + "/messages", agent1,
                   {"attachments": [{"key": ids.upload_key(conversation["id"], "nothing", "here.png")}]})
    assert missing.status_code == 400
    assert missing.json()["error"]["field"] == "attachments.0.key"
    foreign = post(api, path + "/messages", agent1, {"attachments": [{"key": ids.upload_key("other", "x", "y.png")}]})
    assert foreign.status_code == 400
    key = upload(api, agent1, conversation["id"], "a.png", "image/png", b"png")
    eleven = post(api, path + "/messages", agent1, {"attachments": [{"key": key}] * 11})
    assert eleven.status_code == 400
    assert eleven.json()["error"]["field"] == "attachments"
    # And only the owner gets upload URLs
    assert post(api, path + "/uploads", agent2, {"filename": "a.png", "content_type": "image/png",
                                                 "size": 3}).status_code == 403
    # And the bucket takes exactly the declared size and type: a bigger file, or another type, is refused
    ticket = post(api, path + "/uploads", agent1, {"filename": "b.png", "content_type": "image/png", "size": 3}).json()
    assert (ticket["method"], ticket["size"]) == ("POST", 3)
    assert post_upload(ticket, b"png and then some").status_code == 403
    as_html = {**ticket, "fields": {**ticket["fields"], "Content-Type": "text/html"}}
    assert post_upload(as_html, b"png").status_code == 403
    unsent = post(api, path + "/messages", agent1, {"attachments": [{"key": ticket["key"]}]})
    assert unsent.status_code == 400
    assert unsent.json()["error"]["field"] == "attachments.0.key"


def test_a_reply_with_an_unfilled_placeholder_is_refused(runtime, api, agent1, webhook_url, demo):
    _, conversation = picked_up(runtime, api, webhook_url, demo, agent1)
    response = post(api, f"/conversations/{conversation['id']}/messages", agent1,
                    {"text": "Hello {{customer}}, I am {{ agent_first }}"})
    assert response.status_code == 400
    assert "{{customer}}" in response.json()["error"]["message"]
    assert "{{agent_first}}" in response.json()["error"]["message"]


def test_outside_the_window_only_a_filled_template_goes(runtime, api, agent1, admin, webhook_url, demo):
    # Given an approved template and a conversation whose window closed an hour ago
    ensure_template(api, admin, demo)
    _, conversation = picked_up(runtime, api, webhook_url, demo, agent1, timestamp=int(time.time()) - 25 * 3600)
    path = f"/conversations/{conversation['id']}"
    # Then text is refused, and the templates of its account are listed per language
    assert post(api, path + "/messages", agent1, {"text": "hi"}).status_code == 422
    listed = get(api, path + "/templates", agent1, language="en").json()["items"]
    assert [t["name"] for t in listed if t["name"] == "order_update"] == ["order_update"]
    assert get(api, path + "/templates", agent1, language="nl").json()["items"] == []
    # When a variable is missing, the error names it
    template = {"name": "order_update", "language": "en", "variables": {"FirstName": "Jeremy"}}
    missing = post(api, path + "/messages", agent1, {"template": template})
    assert missing.status_code == 400
    assert missing.json()["error"]["field"] == "template.variables.Order"
    # When every variable is filled, it is queued with the filled body shown in the thread
    template["variables"]["Order"] = "A-1001"
    sent = post(api, path + "/messages", agent1, {"template": template})
    assert sent.status_code == 202, sent.text
    assert sent.json()["text"] == "Hi Jeremy, your order A-1001 ships today 🚚"
    assert sent.json()["template"] == {"name": "order_update", "language": "en", "variables": ["Jeremy", "A-1001"],
                                       "parameter_names": ["FirstName", "Order"]}
    # And the window check lets a template through
    drain(runtime, "outbound", "send")
    message = next(m for m in get(api, path + "/messages", agent1).json()["items"] if m["id"] == sent.json()["id"])
    assert (message["error"] or {}).get("code") != "window_closed"
    # And the thread tells why a template went, just before it
    thread = get(api, path + "/messages", agent1).json()["items"]
    told = [m for m in thread if m["direction"] == "system" and m["event"]["kind"] == "template_window_closed"]
    assert [m["text"] for m in told] == ["Template order_update (en) sent because the 24-hour window was closed"]
    assert told[0]["id"] < sent.json()["id"]
    # And an unknown template is not found
    assert post(api, path + "/messages", agent1, {"template": {"name": "nope", "language": "en"}}).status_code == 404


def test_an_agent_starts_a_conversation_with_a_template(runtime, api, agent1, admin, watcher, user_ids, demo):
    ensure_template(api, admin, demo)
    wa_id = new_wa_id()
    start = {"account_id": demo["whatsapp"]["account_id"], "phone": "00" + wa_id, "customer_name": "Jeremy",
             "template": {"name": "order_update", "language": "en",
                          "variables": {"FirstName": "Jeremy", "Order": "B-7"}}}
    # When text alone is sent on WhatsApp, it is refused: the window is closed until the customer answers
    text_only = post(api, "/conversations", agent1, {**{k: v for k, v in start.items() if k != "template"},
                                                      "text": "hi"})
    assert text_only.status_code == 422
    # When agent1 starts it with the template
    started = post(api, "/conversations", agent1, start)
    # Then the conversation is agent1's, the customer stored in E.164, the message queued
    assert started.status_code == 201, started.text
    conversation = started.json()["conversation"]
    assert conversation["customer_id"] == "+" + wa_id
    assert conversation["state"] == "assigned"
    assert conversation["owner_id"] == user_ids["agent1@example.com"]
    assert started.json()["message"]["status"] == "queued"
    mine = get(api, "/conversations", agent1, view="mine", limit=100).json()["items"]
    assert conversation["id"] in [c["id"] for c in mine]
    # And starting again while it is open is a conflict; a bad number and a watcher are refused
    assert post(api, "/conversations", agent1, start).status_code == 409
    bad = post(api, "/conversations", agent1, {**start, "phone": "+31-12"})
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "phone"
    assert post(api, "/conversations", watcher, {**start, "phone": "+" + new_wa_id()}).status_code == 403



def test_a_messenger_conversation_cannot_be_started_by_the_business(api, agent1, demo):
    start = {"account_id": demo["accounts"]["messenger"]["account_id"], "customer_id": "2400000000000001",
             "text": "We have news"}
    refused = post(api, "/conversations", agent1, start)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["field"] == "account_id"
    assert "started by the customer" in refused.json()["error"]["message"]
