"""What each function may do in AWS: the one grant map, which the stack turns into each role's policy.

Each entry is what the function's code was seen to do (``tests/fixtures/aws_calls.json``, recorded by
the local runtime while the integration and e2e suites run: ``make record-aws-calls``), and
``tests/infra/test_least_privilege.py`` checks the synthesized roles against those calls both ways:
a call without a grant fails there, and so does a grant without a call unless the test's
``REASONS`` says why it is needed anyway. After adding an AWS call to a function: re-record, then
add the grant here.

Queue consumption (receive, delete, read the queue's attributes: what Lambda's event source mapping
does with the function's role) comes from ``constants.QUEUE_CONSUMERS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from chalicelib.core import resources
from chalicelib.core.resources import QueueDefinition, StateMachineDefinition

from . import constants

# DynamoDB item actions, as IAM names them (a transaction needs the action of each of its items).
GET = "dynamodb:GetItem"
BATCH_GET = "dynamodb:BatchGetItem"
QUERY = "dynamodb:Query"
PUT = "dynamodb:PutItem"
UPDATE = "dynamodb:UpdateItem"
DELETE = "dynamodb:DeleteItem"
CONDITION = "dynamodb:ConditionCheckItem"
BATCH_WRITE = "dynamodb:BatchWriteItem"

# The inbox's list indexes: each tab and filter, by creation or by last activity.
LIST_INDEXES: tuple[str, ...] = tuple(index.name for index in resources.TABLE.indexes
                                      if index.name.endswith(("-created", "-activity")))

# Media bucket folders (shared/domain/ids.py): inbound media copied from providers, raw inbound
# mail SES stored, each conversation's media and uploads, the accounts' out-of-office media.
INBOUND = "inbound/"
INBOUND_MAIL = "inbound-mail/"
CONVERSATIONS = "conversations/"
OUT_OF_OFFICE = "out-of-office/"
EXPORTS = resources.EXPORTS_PREFIX

CONSUME_ACTIONS: tuple[str, ...] = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
SECRET_READ = ("secretsmanager:GetSecretValue",)
SECRET_WRITE = ("secretsmanager:CreateSecret", "secretsmanager:PutSecretValue")


@dataclass(frozen=True)
class Access:
    """One function's access. ``media``: key folder -> S3 object actions; ``user_pool``: Cognito
    administration actions on the user pool."""

    table: frozenset[str] = frozenset()
    indexes: tuple[str, ...] = ()
    sends: tuple[QueueDefinition, ...] = ()
    starts: tuple[StateMachineDefinition, ...] = ()
    secrets: tuple[str, ...] = ()
    media: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    lists_media: bool = False
    user_pool: tuple[str, ...] = ()
    sends_email: bool = False
    posts_to_connections: bool = False


def _table(*actions: str) -> frozenset[str]:
    return frozenset(actions)


ACCESS: Mapping[str, Access] = MappingProxyType({
    # The agents' and administrators' API: every list and filter, every use case's writes, signed
    # media URLs (a presigned URL acts with the signer's role), users in the pool, channel secrets.
    constants.API_HANDLER: Access(
        table=_table(GET, BATCH_GET, QUERY, PUT, UPDATE, DELETE, CONDITION, BATCH_WRITE),
        indexes=(*LIST_INDEXES, "collection"),
        sends=(resources.SEND_QUEUE, resources.ASSIGNMENT_QUEUE, resources.RESCHEDULE_QUEUE,
               resources.EVENTS_QUEUE, resources.NOTICES_QUEUE, resources.EXPORTS_QUEUE),
        secrets=(*SECRET_READ, *SECRET_WRITE),
        media={INBOUND: ("s3:GetObject",), CONVERSATIONS: ("s3:GetObject", "s3:PutObject"),
               OUT_OF_OFFICE: ("s3:GetObject", "s3:PutObject"), EXPORTS: ("s3:GetObject",)},
        user_pool=constants.USER_ADMINISTRATION_ACTIONS,
    ),
    # Webhook intake: look the channel account up, verify the provider's signature with the account's
    # secret, read the inbound mail SES stored, queue the events. Nothing else.
    constants.WEBHOOK_INTAKE: Access(
        table=_table(GET), sends=(resources.INBOUND_QUEUE, resources.STATUSES_QUEUE), secrets=SECRET_READ,
        media={INBOUND_MAIL: ("s3:GetObject",)},
    ),
    # Routing also asks Meta for a customer's name and acknowledges Telegram button presses, with the
    # account's credentials.
    "route_inbound": Access(
        table=_table(GET, BATCH_GET, QUERY, PUT, UPDATE, CONDITION, BATCH_WRITE), indexes=("collection",),
        secrets=SECRET_READ,
        sends=(resources.ASSIGNMENT_QUEUE, resources.OUT_OF_OFFICE_QUEUE, resources.MEDIA_QUEUE,
               resources.EVENTS_QUEUE, resources.NOTICES_QUEUE),
    ),
    # A status moves its message forward (or is held until the send records the provider's id); an
    # opt-out status is kept in the consent ledger with a line in the customer's conversation.
    "apply_statuses": Access(
        table=_table(GET, QUERY, PUT, UPDATE, DELETE), indexes=("collection",),
        sends=(resources.EVENTS_QUEUE, resources.NOTICES_QUEUE),
    ),
    "assign_conversation": Access(
        table=_table(GET, PUT, UPDATE), indexes=("collection", "owner-created", "state-created"),
        sends=(resources.ASSIGNMENT_QUEUE, resources.EVENTS_QUEUE, resources.NOTICES_QUEUE),
    ),
    "send_out_of_office": Access(table=_table(GET, PUT), sends=(resources.SEND_QUEUE,)),
    "check_window": Access(table=_table(GET), sends=(resources.SEND_QUEUE,)),
    # Sends to providers with the account's credentials, email through SES threaded on the stored
    # mail, attachments as signed URLs; failed sends retried by the delayed-retry machine.
    "send_outbound": Access(
        table=_table(GET, QUERY, PUT, UPDATE, DELETE), indexes=("collection",),
        sends=(resources.EVENTS_QUEUE, resources.NOTICES_QUEUE), starts=(resources.DELAYED_RETRY_MACHINE,),
        secrets=SECRET_READ,
        media={INBOUND_MAIL: ("s3:GetObject",), CONVERSATIONS: ("s3:GetObject",), OUT_OF_OFFICE: ("s3:GetObject",)},
        sends_email=True,
    ),
    # A page of due conversations (the hourly sweep's) becomes one purge request each, on its own queue.
    "purge_conversation": Access(
        table=_table(GET, QUERY, DELETE, BATCH_WRITE), sends=(resources.PURGE_QUEUE,),
        media={INBOUND: ("s3:DeleteObject",), INBOUND_MAIL: ("s3:DeleteObject",),
               CONVERSATIONS: ("s3:DeleteObject",)},
        lists_media=True,
    ),
    "reschedule_deletions": Access(
        table=_table(GET, UPDATE), indexes=("collection", "state-created"),
        sends=(resources.RESCHEDULE_QUEUE,),
    ),
    # Fans events out into deliveries on its own queue; failed deliveries retried by the retry machine.
    "deliver_events": Access(
        table=_table(GET, PUT, UPDATE), indexes=("collection",),
        sends=(resources.EVENTS_QUEUE,), starts=(resources.DELAYED_RETRY_MACHINE,),
    ),
    # Copies inbound media from the provider (with the account's credentials) or out of the stored mail.
    "copy_media": Access(
        table=_table(GET, UPDATE), starts=(resources.DELAYED_RETRY_MACHINE,), secrets=SECRET_READ,
        media={INBOUND: ("s3:PutObject",), INBOUND_MAIL: ("s3:GetObject",)},
    ),
    # Builds an export as its owner may (the conversation's thread, notes and log, or the team's statistics)
    # and writes the file; the API signs its download.
    "build_export": Access(
        table=_table(GET, QUERY, PUT), media={EXPORTS: ("s3:PutObject",)},
    ),
    "push_notices": Access(
        table=_table(GET, QUERY), indexes=("state-created", "team-created"), posts_to_connections=True,
    ),
    "websocket_connect": Access(
        table=_table(GET, BATCH_GET, BATCH_WRITE), sends=(resources.ASSIGNMENT_QUEUE, resources.NOTICES_QUEUE),
    ),
    # The heartbeat rides the socket: a change of availability tells colleagues and may offer work;
    # what the tab shows is stored on its connection (UpdateItem).
    "websocket_message": Access(table=_table(GET, BATCH_GET, BATCH_WRITE, UPDATE),
                                sends=(resources.ASSIGNMENT_QUEUE, resources.NOTICES_QUEUE)),
    "websocket_disconnect": Access(table=_table(GET, QUERY, PUT, BATCH_WRITE), sends=(resources.NOTICES_QUEUE,)),
})
