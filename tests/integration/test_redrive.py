"""A poison inbound message: it fails alone (its batch goes on), reaches the dead-letter queue
after the configured receives, and the documented redrive command brings it back once the cause
is fixed, with nothing lost and nothing stored twice."""

import time

import pytest
from chalicelib.core import resources
from chalicelib.domain.routing import Router

from ops.redrive import main as redrive_main
from tests.integration.conftest import drain, queue_depth
from tests.integration.test_message_pipeline import conversation_of, messages_of
from tests.support import new_wa_id, post_whatsapp, whatsapp_text


def test_poison_message_waits_in_the_dlq_and_is_redriven_after_the_fix(runtime, api, agent1, webhook_url, demo,
                                                                       sqs, monkeypatch: pytest.MonkeyPatch):
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")
    poisoned, healthy = new_wa_id(), new_wa_id()
    # Given a defect that makes routing fail for one customer's message, every time
    original = Router.handle

    def defective(self, envelope):
        if getattr(envelope.event, "customer_id", None) == poisoned:
            raise RuntimeError("defect under test")
        return original(self, envelope)

    monkeypatch.setattr(Router, "handle", defective)
    phone_number_id, secret = demo["whatsapp"]["phone_number_id"], demo["whatsapp"]["app_secret"]
    for wa_id, text in ((poisoned, "I break things"), (healthy, "I am fine")):
        body = whatsapp_text(phone_number_id, wa_id=wa_id, text=text)
        assert post_whatsapp(webhook_url, body, secret).status_code == 200
    url, dlq_url = runtime.resources.queue_urls["inbound"], runtime.resources.dlq_urls["inbound"]

    # When the poller delivers the batch until the redrive policy moves the failing message (bounded)
    poller = runtime.poller("inbound")
    for _ in range(3 * resources.INBOUND_QUEUE.max_receive_count):
        poller.poll_once()
        if queue_depth(sqs, dlq_url) == 1 and queue_depth(sqs, url) == 0:
            break
        time.sleep(runtime.config.retry_delay_seconds + 0.2)  # the failed record's retry visibility
    drain(runtime, "assignment", "out-of-office")

    # Then the healthy message was stored the first time, and the poisoned one sits in the DLQ
    healthy_conversation = conversation_of(api, agent1, healthy)
    assert [m["text"] for m in messages_of(api, agent1, healthy_conversation["id"])] == ["I am fine"]
    assert conversation_of(api, agent1, poisoned) is None
    assert queue_depth(sqs, url) == 0
    assert queue_depth(sqs, dlq_url) == 1

    # When the fix is deployed and the operator runs the redrive command
    monkeypatch.setattr(Router, "handle", original)
    assert redrive_main(["inbound", "--endpoint-url", runtime.moto_url, "--app-name", runtime.config.app_name,
                         "--region", runtime.config.region]) == 0
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")

    # Then the message is stored once, and both queues are empty
    conversation = conversation_of(api, agent1, poisoned)
    assert conversation is not None
    assert [m["text"] for m in messages_of(api, agent1, conversation["id"])] == ["I break things"]
    assert queue_depth(sqs, dlq_url) == 0
    assert queue_depth(sqs, url) == 0
