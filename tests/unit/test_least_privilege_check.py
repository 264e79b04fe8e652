"""The least-privilege check itself (tests/infra/least_privilege.py) and how calls are named
(local/aws_calls.py): each kind of finding is reported, naming the function and the call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from local import aws_calls
from local.aws_calls import Call, actions_of
from tests.infra.least_privilege import Grant, Reason, check, grants_of

QUEUE_ARN = {"Fn::GetAtt": ["SendQueue1234", "Arn"]}
NAMES = {"SendQueue1234": "queue/send", "Table99": "table", "Media42": "media"}


def test_a_call_the_role_does_not_allow_is_denied() -> None:
    # Given a worker that sends to the send queue, and a role that allows only receiving from it
    recorded = {Call("check_window", "sqs:SendMessage", "queue/send"),
                Call("check_window", "sqs:ReceiveMessage", "queue/send")}
    granted = {"check_window": {Grant("sqs:ReceiveMessage", "queue/send")}}

    # When they are compared
    findings = check(granted, recorded, ())

    # Then the send is denied, named with its function and its resource
    assert findings.denied == (Call("check_window", "sqs:SendMessage", "queue/send"),)
    assert "function check_window calls sqs:SendMessage on queue/send" in findings.report()
    assert not findings.unused


def test_a_grant_nothing_uses_is_reported_unless_a_reason_explains_it() -> None:
    # Given a role that may also delete objects under conversations/, which no recorded call does
    recorded = {Call("purge", "s3:ListBucket", "media")}
    granted = {"purge": {Grant("s3:ListBucket", "media"), Grant("s3:DeleteObject", "media/conversations/*")}}

    # Then the delete grant is unused
    findings = check(granted, recorded, ())
    assert findings.unused == (("purge", Grant("s3:DeleteObject", "media/conversations/*")),)
    assert "UNUSED  function purge is granted s3:DeleteObject on media/conversations/*" in findings.report()
    # And a reason for exactly that grant settles it
    reason = Reason("purge", "s3:DeleteObject", "media/conversations/*", "a purge of a conversation with uploads")
    assert not check(granted, recorded, (reason,))


def test_a_reason_that_explains_nothing_is_stale() -> None:
    # Given a reason for a grant that a recorded call now uses
    recorded = {Call("api", "s3:GetObject", "media/inbound/")}
    granted = {"api": {Grant("s3:GetObject", "media/inbound/*")}}
    reason = Reason("api", "s3:GetObject", "media/inbound/*", "signed download URLs")

    # Then the reason is stale
    assert check(granted, recorded, (reason,)).stale_reasons == (reason,)


def test_patterns_cover_calls_within_them_only() -> None:
    # Given a grant on one folder of the media bucket
    granted = {"intake": {Grant("s3:GetObject", "media/inbound-mail/*")}}

    # Then a read in that folder is allowed, a read elsewhere is not
    assert not check(granted, {Call("intake", "s3:GetObject", "media/inbound-mail/")}, ()).denied
    assert check(granted, {Call("intake", "s3:GetObject", "media/conversations/")}, ()).denied


def test_calls_that_iam_does_not_authorize_need_no_grant() -> None:
    # Given the API signing a user in (Cognito authorizes that by the password, not by IAM)
    recorded = {Call("APIHandler", "cognito-idp:InitiateAuth", "user-pool")}

    # Then no grant is asked for
    assert not check({"APIHandler": set()}, recorded, ())


def test_policy_resources_are_named_as_the_calls_name_them() -> None:
    # Given a policy with a queue, a table index, a bucket folder and a channel secret pattern
    statements: list[dict[str, Any]] = [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": QUEUE_ARN},
        {"Effect": "Allow", "Action": ["dynamodb:Query"],
         "Resource": [{"Fn::GetAtt": ["Table99", "Arn"]},
                      {"Fn::Join": ["", [{"Fn::GetAtt": ["Table99", "Arn"]}, "/index/collection"]]}]},
        {"Effect": "Allow", "Action": "s3:GetObject",
         "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": ["Media42", "Arn"]}, "/inbound-mail/*"]]}},
        {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": {"Fn::Join": ["", [
            "arn:", {"Ref": "AWS::Partition"}, ":secretsmanager:", {"Ref": "AWS::Region"}, ":",
            {"Ref": "AWS::AccountId"}, ":secret:infra-test/channels/*"]]}},
    ]

    # Then each is named as the recorder names what a call touches
    assert grants_of(statements, NAMES) == {
        Grant("sqs:SendMessage", "queue/send"), Grant("dynamodb:Query", "table"),
        Grant("dynamodb:Query", "index/collection"), Grant("s3:GetObject", "media/inbound-mail/*"),
        Grant("secretsmanager:GetSecretValue", "secret/channels/*")}


@pytest.mark.parametrize(("prefix", "operation", "params", "expected"), [
    ("sqs", "SendMessageBatch", {"QueueUrl": "http://127.0.0.1:5000/123456789012/open-contact-send.fifo"},
     [("sqs:SendMessage", "queue/send")]),
    ("sqs", "ReceiveMessage", {"QueueUrl": "https://sqs/1/x-inbound-dlq.fifo"}, [("sqs:ReceiveMessage",
                                                                                   "queue/inbound-dlq")]),
    ("dynamodb", "Query", {"TableName": "t", "IndexName": "collection"}, [("dynamodb:Query", "index/collection")]),
    ("dynamodb", "TransactWriteItems", {"TransactItems": [{"Put": {}}, {"ConditionCheck": {}}, {"Put": {}}]},
     [("dynamodb:ConditionCheckItem", "table"), ("dynamodb:PutItem", "table")]),
    ("s3", "DeleteObjects",
     {"Bucket": "b", "Delete": {"Objects": [{"Key": "inbound/a/1"}, {"Key": "conversations/c/x"}]}},
     [("s3:DeleteObject", "media/conversations/"), ("s3:DeleteObject", "media/inbound/")]),
    ("s3", "ListObjectsV2", {"Bucket": "b", "Prefix": "conversations/c/"}, [("s3:ListBucket", "media")]),
    ("states", "StartExecution", {"stateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:app-delayed-retry"},
     [("states:StartExecution", "state-machine/delayed-retry")]),
    ("secretsmanager", "GetSecretValue", {"SecretId": "app/channels/whatsapp/wa-1"},
     [("secretsmanager:GetSecretValue", "secret/channels/")]),
    ("execute-api", "PostToConnection", {"ConnectionId": "x"}, [("execute-api:ManageConnections", "connections")]),
])
def test_calls_are_named_as_iam_actions_on_named_resources(prefix: str, operation: str, params: dict[str, object],
                                                          expected: list[tuple[str, str]]) -> None:
    assert actions_of(prefix, operation, params) == expected


def test_a_stale_fixture_is_named_with_the_command_that_renews_it(tmp_path: Path) -> None:
    # Given calls recorded by two processes, merged into a fixture
    first, second = tmp_path / "calls-1.json", tmp_path / "calls-2.json"
    first.write_text('{"send_outbound": {"sqs:SendMessage": ["queue/events"]}}')
    second.write_text('{"send_outbound": {"ses:SendEmail": ["identity"]}}')
    fixture = tmp_path / "aws_calls.json"
    aws_calls.merge(tmp_path, fixture)
    assert aws_calls.load_fixture(fixture) == {Call("send_outbound", "sqs:SendMessage", "queue/events"),
                                              Call("send_outbound", "ses:SendEmail", "identity")}

    # When a call is not in it
    message = aws_calls.stale_message({Call("copy_media", "s3:PutObject", "media/inbound/")},
                                      aws_calls.FIXTURE)

    # Then the message names the function, the call and the command
    assert "function copy_media calls s3:PutObject on media/inbound/" in message
    assert "make record-aws-calls" in message
