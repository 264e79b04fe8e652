"""The same webhook delivered many times stores one message: concurrent copies are folded by
the FIFO queue's deduplication, and copies that arrive after its five-minute window by the
conditional write on the provider's message id."""

import threading

from tests.integration.conftest import drain, queue_depth
from tests.integration.test_message_pipeline import conversation_of, messages_of
from tests.support import new_wa_id, post_whatsapp, whatsapp_text

COPIES = 5


def test_five_copies_of_one_webhook_store_one_message(runtime, api, agent1, webhook_url, demo, sqs):
    drain(runtime, "inbound", "assignment", "out-of-office")
    wa_id = new_wa_id()
    body = whatsapp_text(demo["whatsapp"]["phone_number_id"], wa_id=wa_id, text="did you get this?",
                         message_id=f"wamid.COPY{wa_id}")
    inbound_url = runtime.resources.queue_urls["inbound"]

    # When the provider delivers the same webhook five times at once
    barrier = threading.Barrier(COPIES)
    statuses: list[int] = []

    def post() -> None:
        barrier.wait()
        statuses.append(post_whatsapp(webhook_url, body, demo["whatsapp"]["app_secret"]).status_code)

    threads = [threading.Thread(target=post) for _ in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then every copy is acknowledged, and the queue holds one
    assert statuses == [200] * COPIES
    assert queue_depth(sqs, inbound_url) == 1
    queued = sqs.receive_message(QueueUrl=inbound_url, VisibilityTimeout=0,
                                 AttributeNames=["All"])["Messages"][0]
    drain(runtime, "inbound", "assignment", "out-of-office")

    # When another copy arrives after the queue's deduplication window (sent here with a new id)
    sqs.send_message(QueueUrl=inbound_url, MessageBody=queued["Body"],
                     MessageGroupId=queued["Attributes"]["MessageGroupId"],
                     MessageDeduplicationId="after-the-deduplication-window")
    drain(runtime, "inbound", "assignment", "out-of-office")

    # Then the conversation still holds the message once
    conversation = conversation_of(api, agent1, wa_id)
    assert [m["text"] for m in messages_of(api, agent1, conversation["id"])] == ["did you get this?"]
