"""The Lambda entry points as Lambda calls them: each worker parses its records with its queue's
model and reports the ones that do not parse; the API and the workers log with the Lambda context."""

import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from chalice.local import LambdaContext
from chalice.test import Client
from chalicelib.api import workers
from chalicelib.api.telemetry import logger
from chalicelib.core import resources
from chalicelib.domain.assignment import assignment_request, offer_request
from chalicelib.domain.queue_messages import (
    AssignmentRequest,
    DueKey,
    DynamoString,
    OfferRequest,
    PurgePage,
    RescheduleRequest,
)
from chalicelib.domain.retention import reschedule_request

from local.runtime import api_function_app

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:open-contact-assignment"


@pytest.fixture(autouse=True)
def fresh_logger_state():
    logger.clear_state()  # keys appended by an earlier invocation would pass for this one's
    yield
    logger.clear_state()


def sqs_record(message_id: str, body: str) -> dict[str, Any]:
    return {"messageId": message_id, "receiptHandle": f"handle-{message_id}", "body": body,
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000",
                           "SenderId": "AIDAEXAMPLE", "ApproximateFirstReceiveTimestamp": "1700000000001"},
            "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": QUEUE_ARN,
            "awsRegion": "us-east-1"}


def test_a_worker_refuses_the_records_its_queue_model_does_not_read_and_logs_with_the_lambda_context():
    # Given an assignment batch whose bodies are neither an assignment nor an offer
    event = {"Records": [sqs_record("not-json", "{"), sqs_record("no-kind", json.dumps({"team": "x"}))]}
    context = LambdaContext("open-contact-dev-assign_conversation", memory_size=256)
    # When Lambda calls the worker, then the batch fails as a whole (every record returns to the
    # queue) before any use case runs (there is no AWS here)
    with pytest.raises(BatchProcessingError, match="All records failed"):
        workers.assign_conversation(event, context)
    # and the logger carried the invocation's context
    keys = logger.get_current_keys()
    assert keys["function_name"] == "open-contact-dev-assign_conversation"
    assert keys["function_request_id"] == context.aws_request_id


def test_the_assignment_model_reads_both_kinds_of_message():
    # Given the two bodies the assignment queue carries, as the producers write them
    assign = workers.AssignmentRecord.model_validate(sqs_record("a", '{"conversation_id":"c1"}'))
    offer = workers.AssignmentRecord.model_validate(
        sqs_record("o", '{"offer_team_id":"t1","returned_conversation_id":"c2","returned_by":"u1"}'))
    # Then each parses as its own kind
    assert isinstance(assign.body, workers.AssignmentRequest)
    assert assign.body.previous_owner_id is None
    assert (type(offer.body).__name__, offer.body.returned_by) == ("OfferRequest", "u1")


def test_what_the_producers_write_is_what_the_workers_read():
    # Given the bodies the domain puts on the assignment and reschedule queues
    assign = assignment_request("c1", "u1").body
    offer = offer_request("t1").body
    step = reschedule_request(team_id="t1", cursor="k").body
    # Then each parses with its queue's record model, field for field, and writes no empty field
    assert workers.AssignmentRecord.model_validate(sqs_record("a", assign)).body == AssignmentRequest(
        conversation_id="c1", previous_owner_id="u1")
    assert workers.AssignmentRecord.model_validate(sqs_record("o", offer)).body == OfferRequest(offer_team_id="t1")
    assert json.loads(offer) == {"offer_team_id": "t1"}
    assert workers.RescheduleRecord.model_validate(sqs_record("r", step)).body == RescheduleRequest(
        team_id="t1", cursor="k")


def test_the_purge_body_the_state_machine_writes_is_what_the_purge_worker_reads():
    # Given the auto-deletion sweep's SendMessage body (its JSONPath keys)
    machine = resources.auto_delete_definition("open-contact-table")
    shard = machine["States"]["SweepShards"]["Iterator"]["States"]
    send = next(state for state in shard.values() if state.get("Resource", "").endswith("sqs:sendMessage"))
    keys = {key.removesuffix(".$") for key in send["Parameters"]["MessageBody"]}
    # Then they are the purge page's fields
    assert keys == set(PurgePage.model_fields)
    # And a page as DynamoDB's Query returns it (keys-only index: table and index keys) parses
    body = json.dumps({"as_of": "2026-01-02T03:00:00Z", "due": [
        {"pk": {"S": "CONV#c1"}, "sk": {"S": "CONVERSATION"}, "due_pk": {"S": "DUE#3"},
         "due_sk": {"S": "2026-01-01T00:00:00Z#c1"}}]})
    page = workers.PurgeRecord.model_validate(sqs_record("p", body)).body
    assert page == PurgePage(as_of="2026-01-02T03:00:00Z", due=[
        DueKey(pk=DynamoString(S="CONV#c1"), due_sk=DynamoString(S="2026-01-01T00:00:00Z#c1"))])


def test_the_api_logs_with_the_lambda_context():
    # Given the API function's app as Lambda runs it (Chalice's test client builds Lambda's event and context)
    app = api_function_app()
    with Client(app) as client:
        # When a request comes in
        answer = client.http.get("/health")
    # Then it is answered, and the logger carries the invocation's context
    assert answer.status_code == 200
    assert logger.get_current_keys()["function_name"] == "api_handler"
