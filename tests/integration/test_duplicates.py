"""The same webhook delivered many times stores one message and sends one out-of-office reply:
concurrent copies are folded by the FIFO queue's deduplication, and copies that arrive after its
five-minute window by the conditional write on the provider's message id (which also keeps the
routing follow-ups, out-of-office included, from running twice)."""

import threading

import requests
from chalicelib.storage import keys
from chalicelib.storage.items import MessageItem, ProviderMessageItem

from tests.integration.admin_helpers import call, new_team, new_whatsapp_account, ok
from tests.integration.conftest import drain
from tests.integration.inbox_support import by_customer, deliver
from tests.integration.test_message_pipeline import messages_of
from tests.support import HTTP_TIMEOUT, new_wa_id, post_whatsapp, whatsapp_text

COPIES = 5
CLOSED = "We are closed; we answer tomorrow."


def test_five_copies_of_one_webhook_store_one_message_and_send_one_out_of_office_reply(runtime, api, admin, sqs):
    # Given an account routed to a team that is never open, with an out-of-office reply
    team = new_team(api, admin, office_hours={"time_zone": "UTC"})
    account = new_whatsapp_account(runtime, api, admin, team_id=team["id"])
    ok(call("PUT", f"{api}/channel-accounts/{account.id}/out-of-office", admin, {"messages": [{"text": CLOSED}]}))
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")
    wa_id = new_wa_id()
    body = whatsapp_text(account.phone_number_id, wa_id=wa_id, text="did you get this?",
                         message_id=f"wamid.COPY{wa_id}")
    inbound_url = runtime.resources.queue_urls["inbound"]

    # When the provider delivers the same webhook five times at once
    barrier = threading.Barrier(COPIES)
    statuses: list[int] = []

    def post() -> None:
        barrier.wait()
        statuses.append(post_whatsapp(account.webhook_url, body, account.app_secret).status_code)

    threads = [threading.Thread(target=post) for _ in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then every copy is acknowledged, and the queue holds one
    assert statuses == [200] * COPIES
    # (besides, maybe, the simulator's status callbacks for other tests' replies)
    received = sqs.receive_message(QueueUrl=inbound_url, VisibilityTimeout=0, MaxNumberOfMessages=10,
                                   AttributeNames=["All"])["Messages"]
    copies = [m for m in received if f"wamid.COPY{wa_id}" in m["Body"]]
    assert len(copies) == 1
    queued = copies[0]
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office", "outbound", "send")

    # When another copy arrives after the queue's deduplication window (sent here with a new id)
    sqs.send_message(QueueUrl=inbound_url, MessageBody=queued["Body"],
                     MessageGroupId=queued["Attributes"]["MessageGroupId"],
                     MessageDeduplicationId="after-the-deduplication-window")
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office", "outbound", "send")

    # Then the conversation holds the message once, and one out-of-office reply
    conversation = by_customer(api, admin, wa_id, team=team["id"])
    assert conversation is not None
    thread = messages_of(api, admin, conversation["id"])
    assert [(m["direction"], m["text"]) for m in thread if m["direction"] != "system"] == [
        ("inbound", "did you get this?"), ("outbound", CLOSED)]
    # And the thread tells of that one reply once
    assert [m["text"] for m in thread if m["direction"] == "system"] == ["Out-of-office reply sent"]
    # And the provider was asked to send that reply once
    assert runtime.info is not None
    outbox = requests.get(f"{runtime.info.simulator_url}/control/outbox", timeout=HTTP_TIMEOUT).json()["items"]
    assert [m["payload"]["text"]["body"] for m in outbox if m["to"] == wa_id] == [CLOSED]


def test_a_follow_up_whose_delivery_crashed_after_its_claim_is_stored_once_by_the_retry(runtime, api, agent1,
                                                                                        webhook_url, demo, sqs):
    # Given a customer's open conversation
    wa_id = new_wa_id()
    deliver(runtime, webhook_url, demo, wa_id, "first")
    conversation = by_customer(api, agent1, wa_id)
    assert conversation is not None
    # And a follow-up whose processing claimed the provider's id but crashed before the message
    # was written (the two are plain writes, not one transaction): stored, then the message removed
    message_id = f"wamid.CRASH{wa_id}"
    body = whatsapp_text(demo["whatsapp"]["phone_number_id"], wa_id=wa_id, text="second", message_id=message_id)
    inbound_url = runtime.resources.queue_urls["inbound"]
    assert post_whatsapp(webhook_url, body, demo["whatsapp"]["app_secret"]).status_code == 200
    # (the queue may also hold the simulator's status callbacks for other tests' replies)
    received = sqs.receive_message(QueueUrl=inbound_url, VisibilityTimeout=0, MaxNumberOfMessages=10,
                                   AttributeNames=["All"])["Messages"]
    queued = next(m for m in received if message_id in m["Body"])
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")
    claim = ProviderMessageItem.get(keys.provider_message_pk("whatsapp", demo["accounts"]["whatsapp"]["account_id"],
                                                             message_id), "PMSG")
    MessageItem(keys.conversation_pk(conversation["id"]), claim.message_sk).delete()
    assert [m["text"] for m in messages_of(api, agent1, conversation["id"])] == ["first"]

    # When the queue delivers it again (after the deduplication window), twice
    for attempt in range(2):
        sqs.send_message(QueueUrl=inbound_url, MessageBody=queued["Body"],
                         MessageGroupId=queued["Attributes"]["MessageGroupId"],
                         MessageDeduplicationId=f"retry-{attempt}-{wa_id}")
        drain(runtime, "inbound", "statuses", "assignment", "out-of-office")

    # Then the conversation holds the follow-up once, under the key its claim names
    thread = messages_of(api, agent1, conversation["id"])
    assert sorted(m["text"] for m in thread if m["direction"] == "inbound") == ["first", "second"]
    assert MessageItem.count(keys.conversation_pk(conversation["id"]), MessageItem.sk == claim.message_sk) == 1


def test_a_message_resent_with_another_timestamp_is_stored_once_at_its_first_time(runtime, api, agent1, webhook_url,
                                                                                 demo):
    # Given a customer's message that opened their conversation
    wa_id = new_wa_id()
    message_id = f"wamid.RESENT{wa_id}"
    first_sent = 1_790_000_000
    deliver(runtime, webhook_url, demo, wa_id, "once", message_id=message_id, timestamp=first_sent)
    # When the provider delivers it again with later timestamps (the message's key starts with its time)
    for later in (1, 60):
        deliver(runtime, webhook_url, demo, wa_id, "once", message_id=message_id, timestamp=first_sent + later)
    # Then the conversation holds it once, at the time of the first delivery
    conversation = by_customer(api, agent1, wa_id)
    assert conversation is not None
    thread = messages_of(api, agent1, conversation["id"])
    assert [(m["text"], m["sent_at"]) for m in thread] == [("once", "2026-09-21T14:13:20Z")]
