"""Exports off the request path (issue 13.4) in the synthesized template: the export queue with its
dead-letter queue and alarm, the worker that consumes it with a role that only reads what an export
shows and writes under the bucket's exports folder, and the folder's expiry."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chalicelib.core import resources

from infra import constants
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra

QUEUE = resources.EXPORTS_QUEUE
WORKER = "build_export"


def _function(synthesized: Synthesized, name: str) -> dict[str, Any]:
    (function,) = [resource for resource in synthesized.of_type("AWS::Serverless::Function").values()
                   if resource["Properties"]["Handler"] == f"chalicelib.api.workers.{name}"]
    return function


def _statements(synthesized: Synthesized, function: dict[str, Any]) -> list[dict[str, Any]]:
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    return [statement for policy in synthesized.of_type("AWS::IAM::Policy").values()
            if {"Ref": role_id} in policy["Properties"]["Roles"]
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]]


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return action if isinstance(action, list) else [action]


def test_the_export_worker_consumes_its_queue_which_has_a_dead_letter_queue_and_an_alarm(
        synthesized: Synthesized) -> None:
    stack = synthesized.stack
    queue_id = synthesized.logical_id(stack.queues.queue(QUEUE))
    dlq_id = synthesized.logical_id(stack.queues.dead_letter_queue(QUEUE))
    # Given the export queue
    queue = synthesized.resources[queue_id]["Properties"]
    # Then records that keep failing go to its dead-letter queue after the defined receives
    assert queue["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
                                      "maxReceiveCount": QUEUE.max_receive_count}
    assert queue["VisibilityTimeout"] == QUEUE.visibility_timeout_seconds
    # And the worker takes one export at a time, within its own timeout
    worker = _function(synthesized, WORKER)["Properties"]
    (event,) = worker["Events"].values()
    assert event["Properties"]["Queue"]["Fn::Sub"].endswith(f":{QUEUE.physical_name(synthesized.app_name)}")
    assert event["Properties"]["BatchSize"] == 1
    assert worker["Timeout"] == QUEUE.consumer_timeout_seconds
    # And a record in the dead-letter queue raises an alarm that names its runbook
    dlq_name = json.dumps({"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq_id, "QueueName"]}})
    depth_alarms = [alarm["Properties"] for alarm in synthesized.of_type("AWS::CloudWatch::Alarm").values()
                    if dlq_name in json.dumps(alarm["Properties"])
                    and "ApproximateNumberOfMessagesVisible" in json.dumps(alarm["Properties"])]
    assert depth_alarms
    assert all(constants.RUNBOOK_MARKER in alarm["AlarmDescription"] for alarm in depth_alarms)


def test_finished_exports_expire_from_the_media_bucket(synthesized: Synthesized) -> None:
    # Given the media bucket
    bucket = synthesized.resources[synthesized.logical_id(synthesized.stack.storage.media_bucket)]["Properties"]
    # Then what is under the exports folder is removed after a day, and nothing else is
    rules = bucket["LifecycleConfiguration"]["Rules"]
    assert rules == [{"Id": "ExpireExports", "Prefix": resources.EXPORTS_PREFIX, "Status": "Enabled",
                      "ExpirationInDays": resources.EXPORT_EXPIRY_DAYS}]


def test_the_export_worker_writes_only_under_the_exports_folder_and_sends_nothing(synthesized: Synthesized) -> None:
    # Given the worker's role
    statements = _statements(synthesized, _function(synthesized, WORKER))
    actions = {action for statement in statements for action in _actions(statement)}
    bucket_arn = {"Fn::GetAtt": [synthesized.logical_id(synthesized.stack.storage.media_bucket), "Arn"]}
    # Then it writes export files under exports/ of the media bucket and nowhere else
    writes = [statement["Resource"] for statement in statements if "s3:PutObject" in _actions(statement)]
    assert writes == [{"Fn::Join": ["", [bucket_arn, f"/{resources.EXPORTS_PREFIX}*"]]}]
    # And it neither reads other media nor deletes, sends to other queues, reads secrets or manages users
    assert not {action for action in actions if action.startswith(("s3:", "secretsmanager:", "cognito-idp:",
                                                                     "states:", "ses:"))} - {"s3:PutObject"}
    assert "sqs:SendMessage" not in actions
    assert not {"dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"} & actions
