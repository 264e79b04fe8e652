"""Least privilege proven from what the code does (issue 13, point 7).

Each function's role in the synthesized template allows exactly the AWS calls the function was seen
to make in the integration and e2e suites (``tests/fixtures/aws_calls.json``, ``make
record-aws-calls``), plus the grants ``REASONS`` explains. The comparison is
``tests/infra/least_privilege.py``; its own test is ``tests/unit/test_least_privilege_check.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from chalicelib.core import resources

from infra import constants
from local import aws_calls
from tests.infra.conftest import Synthesized
from tests.infra.least_privilege import Grant, Reason, check, grants_of

pytestmark = pytest.mark.infra

API = constants.API_HANDLER
ALL = "*"
# Chalice's handler names of the WebSocket routes -> the function names the stack uses.
WEBSOCKET_HANDLERS = {"push_connect": "websocket_connect", "push_message": "websocket_message",
                      "push_disconnect": "websocket_disconnect"}

# Grants no recorded call uses, and why each is needed all the same.
REASONS: tuple[Reason, ...] = (
    Reason(ALL, "logs:*", "log-group", "Lambda writes the function's log lines with its role."),
    Reason(ALL, "xray:*", "*", "Lambda sends the function's traces with its role (tracing is on)."),
    *(Reason(name, "sqs:GetQueueAttributes", f"queue/{queue.key}",
             "Lambda's event source mapping reads its queue's attributes with the function's role.")
      for name, queue in constants.QUEUE_CONSUMERS.items()),
    Reason(API, "cognito-idp:AdminGetUser", "user-pool",
           "Creating a user reads it back when AdminCreateUser's answer lacks its attributes "
           "(adapters/identity_provider.py); Cognito and moto always include them."),
    *(Reason(API, "dynamodb:Query", f"index/{index}",
             "The inbox lists sort by creation or by last activity for every filter (storage/listing.py); the "
             "suites read each index family in one of its two orders, not every filter in both.")
      for index in ("lookup-activity", "owner-activity")),
    # Replies go straight to the send queue now; the window-check worker only drains what was queued before.
    *(Reason("check_window", action, resource,
             "The outbound queue has no producer since the window check moved into the send worker; its worker "
             "still drains requests queued before (checks the conversation, hands them to the send queue).")
      for action, resource in (("dynamodb:GetItem", "table"), ("sqs:DeleteMessage", "queue/outbound"),
                               ("sqs:SendMessage", "queue/send"))),
    Reason("assign_conversation", "sqs:SendMessage", "queue/assignment",
           "A waiting list longer than one run (25 conversations) goes on in a fresh message (domain/assignment.py); "
           "no suite keeps 26 customers waiting."),
    Reason("assign_conversation", "sqs:SendMessage", "queue/events",
           "An automatic assignment is published to integrators when a subscription exists (domain/events.py); no "
           "suite assigns automatically while subscribed."),
    Reason("apply_statuses", "dynamodb:DeleteItem", "table",
           "A status held because it outran the send is taken (deleted) here when the send recorded the provider's id "
           "between the status's two reads, or a watermark receipt moves a message (domain/statuses.py); the suites "
           "take held statuses in the send worker."),
    Reason("copy_media", "states:StartExecution", "state-machine/delayed-retry",
           "A media copy that fails for a passing reason is retried through the delayed-retry machine "
           "(domain/media_copy.py); no suite fails a provider's media download transiently."),
    Reason("purge_conversation", "s3:DeleteObject", "media/inbound-mail/*",
           "Purging an email conversation deletes its raw inbound mail (ids.raw_mail_key); no suite purges an "
           "email conversation."),
)


def functions_and_roles(synthesized: Synthesized) -> dict[str, str]:
    """Function name (as the recorded calls name it) -> logical id of its role."""
    roles = {}
    for resource in synthesized.of_type("AWS::Serverless::Function").values():
        handler = resource["Properties"]["Handler"]
        name = API if handler == resources.API_FUNCTION_HANDLER else handler.rsplit(".", 1)[-1]
        roles[WEBSOCKET_HANDLERS.get(name, name)] = resource["Properties"]["Role"]["Fn::GetAtt"][0]
    return roles


def resource_names(synthesized: Synthesized) -> dict[str, str]:
    """Logical id -> the name the recorded calls give the resource."""
    stack = synthesized.stack
    names = {synthesized.logical_id(stack.storage.table): "table",
             synthesized.logical_id(stack.storage.media_bucket): "media",
             synthesized.logical_id(stack.identity.user_pool): "user-pool"}
    for queue in resources.QUEUES:
        names[synthesized.logical_id(stack.queues.queue(queue))] = f"queue/{queue.key}"
        names[synthesized.logical_id(stack.queues.dead_letter_queue(queue))] = f"queue/{queue.key}-dlq"
    for machine in resources.STATE_MACHINES:
        names[synthesized.logical_id(stack.workflows.machine(machine))] = f"state-machine/{machine.key}"
    for log_group in (*stack.api.log_groups.values(), *stack.push.log_groups.values()):
        names[synthesized.logical_id(log_group)] = "log-group"
    return names


def granted(synthesized: Synthesized) -> dict[str, set[Grant]]:
    names = resource_names(synthesized)
    policies = synthesized.of_type("AWS::IAM::Policy").values()
    return {function: grants_of((statement for policy in policies if {"Ref": role} in policy["Properties"]["Roles"]
                                 for statement in policy["Properties"]["PolicyDocument"]["Statement"]), names)
            for function, role in functions_and_roles(synthesized).items()}


def test_every_function_is_recorded(synthesized: Synthesized) -> None:
    # Given the recorded calls of the whole suite
    recorded = {call.function for call in aws_calls.load_fixture()}

    # Then every function of the stack was seen at work, and nothing else was
    assert recorded == set(functions_and_roles(synthesized)) == set(constants.FUNCTION_NAMES)


def test_roles_allow_exactly_what_the_functions_do(synthesized: Synthesized) -> None:
    # Given each function's grants in the template and the calls it was seen to make
    grants = granted(synthesized)
    recorded = aws_calls.load_fixture()

    # When they are compared
    findings = check(grants, recorded, REASONS)

    # Then every call is allowed, every grant is used or explained, and every reason still explains one
    assert not findings, "\n" + findings.report()


def _statements_of(synthesized: Synthesized, function: str) -> list[dict[str, Any]]:
    role = functions_and_roles(synthesized)[function]
    return [statement for policy in synthesized.of_type("AWS::IAM::Policy").values()
            if {"Ref": role} in policy["Properties"]["Roles"]
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]]


def test_media_grants_are_per_key_folder(synthesized: Synthesized) -> None:
    # Given every function's grants on the media bucket's objects
    media = {function: {grant for grant in grants if grant.resource.startswith("media/")}
             for function, grants in granted(synthesized).items()}

    # Then none covers the whole bucket: each names the folder it works in
    assert not [(function, grant) for function, grants in media.items() for grant in grants
                if grant.resource in {"media/*", "media/"}]
    assert any(media.values())
