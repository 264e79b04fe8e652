"""Queue workers as Lambda runs them: partial batch failures, redrive to the dead-letter queue,
and the delayed retry of a failed send through the real state machine on moto."""

import json

import requests
from chalice.local import LambdaContext
from chalicelib.core import resources

from tests.integration.conftest import drain, queue_depth
from tests.integration.test_message_pipeline import conversation_of, deliver, messages_of
from tests.support import HTTP_TIMEOUT, find, new_wa_id, wait_for


def test_a_poison_record_fails_alone_and_reaches_the_dlq_after_max_receives(runtime, sqs):
    # Given a batch on the assignment queue with one record that always fails and one good one
    drain(runtime, "assignment")
    url = runtime.resources.queue_urls["assignment"]
    dlq_url = runtime.resources.dlq_urls["assignment"]
    sqs.send_message(QueueUrl=url, MessageBody="this is not JSON")
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"conversation_id": "no-such-conversation"}))
    poller = runtime.poller("assignment")
    # When the poller delivers them as often as the redrive policy allows
    for _ in range(resources.ASSIGNMENT_QUEUE.max_receive_count + 2):
        poller.poll_once()
        wait_for(lambda: queue_depth(sqs, url) == 0 or
                 int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
                     ["Attributes"]["ApproximateNumberOfMessages"]) > 0, timeout=5, what="retry visibility")
    # Then both failing records sit in the dead-letter queue and the source queue is empty
    assert queue_depth(sqs, url) == 0
    bodies = sorted(m["Body"] for m in sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10)["Messages"])
    assert bodies == sorted(["this is not JSON", json.dumps({"conversation_id": "no-such-conversation"})])


def sqs_record(message_id, body, queue_arn):
    return {"messageId": message_id, "receiptHandle": f"handle-{message_id}", "body": body,
            # The attributes Lambda's event source mapping always sends.
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000",
                           "SenderId": "AIDAEXAMPLE", "ApproximateFirstReceiveTimestamp": "1700000000001"},
            "messageAttributes": {}, "md5OfBody": "",
            "eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": "us-east-1"}


def test_partial_batch_response_names_only_the_failed_record(runtime, api, agent1, webhook_url, demo):
    wa_id = new_wa_id()
    deliver(runtime, webhook_url, demo, wa_id, "hello")
    conversation_id = conversation_of(api, agent1, wa_id)["id"]
    consumer = runtime.poller("assignment").consumer
    event = {"Records": [sqs_record("good", json.dumps({"conversation_id": conversation_id}), consumer.queue_arn),
                         sqs_record("bad", "{", consumer.queue_arn)]}
    result = consumer.handler(event, LambdaContext(consumer.function_name, memory_size=512))
    assert result == {"batchItemFailures": [{"itemIdentifier": "bad"}]}


def test_a_transient_send_failure_is_retried_by_the_state_machine(runtime, api, agent1, webhook_url, demo):
    simulator = runtime.info.simulator_url
    wa_id = new_wa_id()
    deliver(runtime, webhook_url, demo, wa_id, "please answer")
    conversation_id = conversation_of(api, agent1, wa_id)["id"]
    requests.post(f"{api}/conversations/{conversation_id}/pickup", headers=agent1,
                  timeout=HTTP_TIMEOUT).raise_for_status()
    # Given the provider answers 500, then 429, then recovers
    requests.post(f"{simulator}/control/failures", json={"mode": "500", "count": 1, "to": wa_id}, timeout=HTTP_TIMEOUT)
    requests.post(f"{api}/conversations/{conversation_id}/messages", json={"text": "answer after outage"},
                  headers=agent1, timeout=HTTP_TIMEOUT).raise_for_status()
    drain(runtime, "outbound", "send")
    assert find(messages_of(api, agent1, conversation_id), direction="outbound")["status"] == "queued"
    requests.post(f"{simulator}/control/failures", json={"mode": "429", "count": 1, "to": wa_id}, timeout=HTTP_TIMEOUT)

    # When the delayed-retry machine puts the request back on the send queue (twice)
    def delivered():
        drain(runtime, "send", "inbound", "statuses")
        return find(requests.get(f"{simulator}/control/outbox", timeout=HTTP_TIMEOUT).json()["items"], to=wa_id)

    sent = wait_for(delivered, timeout=30, interval=0.5, what="send after retries")
    # Then the message went out exactly once and is marked sent (or later)
    assert sent["payload"]["text"]["body"] == "answer after outage"
    outbox = requests.get(f"{simulator}/control/outbox", timeout=HTTP_TIMEOUT).json()["items"]
    assert len([m for m in outbox if m["to"] == wa_id]) == 1
    message = wait_for(lambda: (drain(runtime, "inbound", "statuses"), find(messages_of(api, agent1, conversation_id),
                                                                 direction="outbound"))[1], what="status")
    assert message["status"] in {"sent", "delivered", "read"}


def test_a_permanent_send_failure_is_not_retried_and_shows_on_the_message(runtime, api, agent1, webhook_url,
                                                                         demo):
    simulator = runtime.info.simulator_url
    wa_id = new_wa_id()
    deliver(runtime, webhook_url, demo, wa_id, "hi")
    conversation_id = conversation_of(api, agent1, wa_id)["id"]
    requests.post(f"{api}/conversations/{conversation_id}/pickup", headers=agent1,
                  timeout=HTTP_TIMEOUT).raise_for_status()
    requests.post(f"{simulator}/control/failures", json={"mode": "permanent", "count": 1, "to": wa_id},
                  timeout=HTTP_TIMEOUT)
    requests.post(f"{api}/conversations/{conversation_id}/messages", json={"text": "blocked?"},
                  headers=agent1, timeout=HTTP_TIMEOUT).raise_for_status()
    drain(runtime, "outbound", "send")
    message = find(messages_of(api, agent1, conversation_id), direction="outbound")
    assert message["status"] == "failed"
    assert message["error"]["code"] == "131026"
    assert message["error"]["permanent"] is True
