"""Media copied off the inbound path: the customer's message is stored at once with its media
pending, the media worker attaches them; a media object the provider will not hand over is
recorded with its reason, which the agent sees in place of the attachment."""

import json
import secrets
import time

import requests

from tests.integration.conftest import drain
from tests.integration.inbox_support import by_customer, get
from tests.support import HTTP_TIMEOUT, new_wa_id, post_whatsapp


def thread(api, agent, wa_id):
    conversation = by_customer(api, agent, wa_id)
    assert conversation is not None
    return get(api, f"/conversations/{conversation['id']}/messages", agent).json()["items"]


def test_the_message_is_stored_before_its_media_and_the_media_worker_attaches_them(runtime, api, agent1, demo):
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office", "media")
    wa_id = new_wa_id()
    # Given a customer who sends a photo with no caption
    answer = requests.post(f"{runtime.info.simulator_url}/control/whatsapp/wa-demo/messages",
                           json={"from": wa_id, "name": "Ana", "image": True}, timeout=HTTP_TIMEOUT)
    assert answer.json()["webhook_status"] == 200
    # When routing runs (and the media worker has not yet)
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")
    # Then the message is there at once, its photo marked as being fetched
    [message] = thread(api, agent1, wa_id)
    assert message["attachments"] == []
    assert [(i["state"], i["content_type"]) for i in message["media_issues"]] == [("pending", "image/png")]
    # (the inbox shows what it is, not a blank)
    assert by_customer(api, agent1, wa_id)["preview"] == "📷 Photo"
    # And once the media worker ran, the photo is attached
    drain(runtime, "media")
    [message] = thread(api, agent1, wa_id)
    assert [a["content_type"] for a in message["attachments"]] == ["image/png"]
    assert message["media_issues"] == []


def test_media_the_provider_will_not_hand_over_is_recorded_with_its_reason(runtime, api, agent1, demo, webhook_url):
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office", "media")
    wa_id = new_wa_id()
    body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001111", "phone_number_id": demo["whatsapp"]["phone_number_id"]},
            "contacts": [{"profile": {"name": "Ana"}, "wa_id": wa_id}],
            "messages": [{"from": wa_id, "id": f"wamid.{secrets.token_hex(8)}", "timestamp": str(int(time.time())),
                          "type": "image", "image": {"id": str(10**15 + secrets.randbelow(10**15)),
                                                     "mime_type": "image/jpeg", "sha256": "00"}}]}}]}]}).encode()
    assert post_whatsapp(webhook_url, body, demo["whatsapp"]["app_secret"]).status_code == 200
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office", "media")
    [message] = thread(api, agent1, wa_id)
    assert message["attachments"] == []
    [issue] = message["media_issues"]
    assert (issue["state"], issue["content_type"]) == ("failed", "image/jpeg")
    assert "does not exist" in issue["reason"]
