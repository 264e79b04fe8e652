"""The one description of the AWS resources the code talks to.

The CDK stack (``infra/``) and the local runtime (``local/``) both build the table, the
queues and the state machines from these definitions, and ``tests/infra`` checks that the
synthesized template and the locally provisioned resources agree with them. Change a
key, an index, a queue attribute or a state machine here and nowhere else.

Physical names are derived from an application name so that two installations can live
in one AWS account and region side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_APP_NAME = "open-contact"
# The API function's handler (Lambda's ``<module>.<attribute>``): the app of the agents' routes alone
# (shared/api/api_handler.py). The stack sets it over the ``app.app`` Chalice's packaging writes
# (infra/constructs/api.py), the local runtime serves that app, the cold-start benchmark imports it.
API_FUNCTION_MODULE = "chalicelib.api.api_handler"
API_FUNCTION_HANDLER = f"{API_FUNCTION_MODULE}.app"


@dataclass(frozen=True)
class IndexDefinition:
    """A global secondary index. ``include`` names the non-key attributes it projects; empty
    means every attribute (``ALL``), unless ``keys_only`` (the table's and the index's keys only).
    docs/data-model.md, "Index projections", says which index projects what and why."""

    name: str
    partition_key: str
    sort_key: str
    include: tuple[str, ...] = ()
    keys_only: bool = False

    @property
    def projection_type(self) -> str:
        return "KEYS_ONLY" if self.keys_only else "INCLUDE" if self.include else "ALL"

    def projection(self) -> dict[str, Any]:
        """The index's projection as DynamoDB's CreateTable takes it."""
        if not self.include:
            return {"ProjectionType": self.projection_type}
        return {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(self.include)}


@dataclass(frozen=True)
class TableDefinition:
    partition_key: str
    sort_key: str
    ttl_attribute: str
    indexes: tuple[IndexDefinition, ...]

    def physical_name(self, app_name: str) -> str:
        return f"{app_name}-data"

    @property
    def string_attributes(self) -> tuple[str, ...]:
        """Every key attribute of the table and its indexes (all strings)."""
        names = [self.partition_key, self.sort_key]
        for index in self.indexes:
            names.extend((index.partition_key, index.sort_key))
        return tuple(dict.fromkeys(names))


# What the lookup indexes project besides the keys: the conversation a link leads to, and the
# item kind (PynamoDB filters a query of one model by it).
LINK_PROJECTION = ("kind", "conversation_id")
# What the narrow list indexes project besides the keys: the item kind alone. A page read from one
# of them is one Query for the keys and one BatchGetItem for the conversations (storage/listing.py).
KEYS_AND_KIND = ("kind",)

# The sparse index of archived conversations by deletion date (TABLE below), spread over a few
# partitions so that no partition takes every archive's write; the sweep reads each shard.
DUE_INDEX = "due"
DUE_SHARDS = 8
DUE_PAGE_SIZE = 100


def due_partition(shard: int) -> str:
    return f"DUE#{shard}"


# Conversations appear in three kinds of list: by team and state (the New and Assigned tabs),
# by owner (Assigned to me) and by team (All). Each list sorts by conversation date or by last
# message date, so each partition attribute has one index per sort attribute, but for the team by
# last message: that index's key moved with every message (2 write units each), so the All tab by
# last message is the team's state lists by last message merged (storage/listing.py). Only conversation
# items carry these attributes, so the indexes stay sparse. Two indexes serve the lists read most
# (New by conversation date, also the assignment's waiting queue and the tab counts; Assigned to
# me by last message) and carry every attribute; the others carry the keys, so a message, which
# changes what the lists show, rewrites only the entries whose sort key it moves
# (docs/data-model.md, "Index projections").
TABLE = TableDefinition(
    partition_key="pk",
    sort_key="sk",
    ttl_attribute="expires_at",
    indexes=(
        IndexDefinition("state-created", "state_pk", "created_sk"),
        IndexDefinition("state-activity", "state_pk", "activity_sk", include=KEYS_AND_KIND),
        IndexDefinition("owner-created", "owner_pk", "created_sk", include=KEYS_AND_KIND),
        IndexDefinition("owner-activity", "owner_pk", "activity_sk"),
        IndexDefinition("team-created", "team_pk", "created_sk", include=KEYS_AND_KIND),
        # Administration lists (users, teams, channel accounts) and team presence: one sparse
        # index whose partition names the collection (`USERS`, `TEAMS`, `PRESENCE#<team>`, ...).
        IndexDefinition("collection", "collection_pk", "collection_sk"),
        # Lookup links: small items beside a conversation, one per tag and one per customer id
        # and name, for the filters a conversation can match more than once (many tags). A page
        # of links is read back from the conversations themselves (one BatchGet), so the indexes
        # carry only the conversation id (and the item kind): carrying a link's activity forward on every message
        # then no longer rewrites its entry in `lookup-created`. The channel and agent filters have
        # no index of their own: they are checked on the conversations a state or team list reads
        # (docs/data-model.md, "Filters").
        IndexDefinition("lookup-created", "lookup_pk", "created_sk", include=LINK_PROJECTION),
        IndexDefinition("lookup-activity", "lookup_pk", "activity_sk", include=LINK_PROJECTION),
        # Auto-deletion: an archived conversation with a deletion date is in one of DUE_SHARDS
        # partitions (`DUE#<n>`), sorted by `<delete_at>#<conversation id>`; the hourly sweep reads
        # what is due page by page. Sparse (only those conversations carry the keys) and keys only.
        IndexDefinition(DUE_INDEX, "due_pk", "due_sk", keys_only=True),
    ),
)


# AWS's advice for a queue that feeds Lambda: a visibility timeout of at least six times the
# function's timeout, so that a record is not handed out again while Lambda still retries a
# throttled or slow batch.
VISIBILITY_TO_CONSUMER_TIMEOUT = 6
# Lambda's limits on an SQS event source mapping: one receive returns at most 10 records (FIFO
# batches stop there); a standard queue with a batching window takes up to 10,000 per batch.
MAX_RECEIVE_BATCH = 10
MAX_WINDOWED_BATCH = 10_000
MAX_BATCHING_WINDOW_SECONDS = 300


@dataclass(frozen=True)
class QueueDefinition:
    """An SQS queue with its dead-letter queue and the consumer's event-source settings.

    ``consumer_timeout_seconds`` is the consuming function's timeout: the worst case of one batch
    (``batch_size`` records, each at most its slowest outside call) with room to spare.
    ``max_concurrency`` caps the concurrent invocations the event source mapping starts (at least
    2, Lambda's minimum), so a flood on one queue cannot take the account's concurrency from the
    rest. ``batching_window_seconds``: how long the mapping gathers records after the first before
    it invokes the function (Lambda's MaximumBatchingWindowInSeconds; 0 invokes with what one
    receive returns). Lambda takes batches above 10 only from a standard queue with a window.
    """

    key: str
    fifo: bool
    consumer_timeout_seconds: int
    max_receive_count: int
    batch_size: int
    max_concurrency: int
    retention_days: int = 4
    dlq_retention_days: int = 14
    batching_window_seconds: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.batching_window_seconds <= MAX_BATCHING_WINDOW_SECONDS:
            raise ValueError(f"{self.key}: a batching window is 0 to {MAX_BATCHING_WINDOW_SECONDS} seconds")
        largest = (MAX_WINDOWED_BATCH if not self.fifo and self.batching_window_seconds else MAX_RECEIVE_BATCH)
        if not 1 <= self.batch_size <= largest:
            raise ValueError(f"{self.key}: Lambda takes batches of 1 to {largest} from this queue "
                             "(above 10 only from a standard queue with a batching window)")

    @property
    def visibility_timeout_seconds(self) -> int:
        # AWS's guidance: six times the function's timeout, plus the batching window.
        return VISIBILITY_TO_CONSUMER_TIMEOUT * self.consumer_timeout_seconds + self.batching_window_seconds

    def physical_name(self, app_name: str) -> str:
        return f"{app_name}-{self.key}" + (".fifo" if self.fifo else "")

    def dlq_physical_name(self, app_name: str) -> str:
        return f"{app_name}-{self.key}-dlq" + (".fifo" if self.fifo else "")

    def attributes(self) -> dict[str, str]:
        """Queue attributes as SQS CreateQueue takes them (without the redrive policy)."""
        attributes = {
            "VisibilityTimeout": str(self.visibility_timeout_seconds),
            "MessageRetentionPeriod": str(self.retention_days * 86400),
        }
        if self.fifo:
            # Deduplication ids are always explicit (the provider's message id), never the body.
            attributes.update({"FifoQueue": "true", "ContentBasedDeduplication": "false",
                               "DeduplicationScope": FIFO_DEDUPLICATION_SCOPE,
                               "FifoThroughputLimit": FIFO_THROUGHPUT_LIMIT})
        return attributes


# High-throughput FIFO: the send and receive quotas apply per message group, not per queue (a
# busy service is not capped at 300 messages a second across all its customers). This needs
# deduplication per message group, which folds the same repeats as before: every producer derives
# the group from what the deduplication id already names (the customer of a provider message,
# the conversation of a reply or an event, the delivery itself), so a repeat always falls in the
# group of its first copy.
FIFO_DEDUPLICATION_SCOPE = "messageGroup"
FIFO_THROUGHPUT_LIMIT = "perMessageGroupId"


# Worst cases per record: a provider call takes at most 3 s to connect and 10 s to answer
# (channels/http.py); copying one inbound attachment at most 3 + 20 s (media.py); an event
# delivery at most 3 + 5 s (domain/event_delivery.py).
# Webhooks -> routing. FIFO: the message group is one customer on one channel account, so
# a customer's messages (and their edits, reactions and consent signals) are handled in the order
# the provider sent them.
# Five records that each copy an attachment: 5 x 23 s.
INBOUND_QUEUE = QueueDefinition("inbound", fifo=True, consumer_timeout_seconds=150,
                                max_receive_count=5, batch_size=5, max_concurrency=20)
# Webhooks -> the status worker (domain/statuses.py): the providers' sent / delivered / read / failed
# callbacks. Standard, not FIFO: a status only moves its message forward, so callbacks need no order
# and a repeat changes nothing (issue 19: a standard queue's requests cost less, and a broadcast's
# receipts wait in no customer's message group). Table work only.
STATUSES_QUEUE = QueueDefinition("statuses", fifo=False, consumer_timeout_seconds=30,
                                 max_receive_count=5, batch_size=10, max_concurrency=10)
# Routing -> assignment of new and reopened conversations (table work only).
ASSIGNMENT_QUEUE = QueueDefinition("assignment", fifo=False, consumer_timeout_seconds=30,
                                   max_receive_count=5, batch_size=10, max_concurrency=10)
# Routing -> out-of-office replies for messages that arrive while the team is closed (table work;
# the reply itself goes through the outbound queue).
OUT_OF_OFFICE_QUEUE = QueueDefinition("out-of-office", fifo=False, consumer_timeout_seconds=30,
                                      max_receive_count=5, batch_size=10, max_concurrency=5)
# API -> window check. FIFO per conversation, so an agent's replies leave in the order written.
OUTBOUND_QUEUE = QueueDefinition("outbound", fifo=True, consumer_timeout_seconds=30,
                                 max_receive_count=5, batch_size=10, max_concurrency=10)
# Window check and delayed retry -> the provider's send API: five sends of 13 s at most.
SEND_QUEUE = QueueDefinition("send", fifo=True, consumer_timeout_seconds=90,
                             max_receive_count=5, batch_size=5, max_concurrency=20)
# Auto-deletion sweep -> removal of every item and media object of an expired conversation.
PURGE_QUEUE = QueueDefinition("purge", fifo=False, consumer_timeout_seconds=120,
                              max_receive_count=5, batch_size=5, max_concurrency=5)
# Service settings -> a new auto-deletion period applied to the conversations already archived:
# each record is one bounded step (a page of teams, or a page of one team's archived conversations)
# that queues the next, so a huge archive never holds up the request that changed the setting.
RESCHEDULE_QUEUE = QueueDefinition("reschedule", fifo=False, consumer_timeout_seconds=60,
                                   max_receive_count=5, batch_size=1, max_concurrency=2)

# --- event webhooks for integrators (shared/domain/events.py, event_delivery.py) ---
# Inbox use cases -> the event worker, which fans each event out to the matching subscriptions
# (one delivery record each, on this same queue) and POSTs each delivery. FIFO, because the
# delayed-retry machine puts a failed delivery back with a group and a deduplication id, and
# because a use case that runs twice (a redelivered queue record) publishes the same event id,
# which the deduplication folds. Small batches: each delivery may wait on an integrator's server
# (three deliveries of 8 s at most).
EVENTS_QUEUE = QueueDefinition("events", fifo=True, consumer_timeout_seconds=40,
                               max_receive_count=5, batch_size=3, max_concurrency=10)

# Routing -> the media worker, which copies an inbound message's media from the provider into
# the media bucket and attaches it to the stored message: the inbound path never waits on a
# provider's media host. FIFO (one group per message), because the delayed-retry machine puts a
# failed copy back with a group; batches of one, so a slow media host holds up no other copy.
# One message's attachments per record, each at most 3 + 20 s to copy (a mail may carry a dozen).
MEDIA_QUEUE = QueueDefinition("media", fifo=True, consumer_timeout_seconds=300,
                              max_receive_count=5, batch_size=1, max_concurrency=10)

# --- push to the agents' browsers (shared/domain/notices.py, shared/api/push.py) ---
# Use cases -> the push worker, which sends each "what changed" notice to the WebSocket connections
# of the team concerned. Standard queue: a notice carries versions, so order does not matter, and a
# lost or repeated notice costs the browser one read. The mapping gathers what arrives in a second
# (up to 100 records) into one batch, which the worker folds into one post per connection it
# concerns (more only past 32 KB, the unit API Gateway bills a WebSocket message by): on a busy
# team a tab gets at most a few posts a second however many changes there are, and reads its list
# as often (docs/push.md, "Batching window"). A notice is up to a second later than without.
# A batch reads the teams' connections and counts and posts to each connection (about 4 s for 1,000 here).
NOTICES_QUEUE = QueueDefinition("notices", fifo=False, consumer_timeout_seconds=30,
                                max_receive_count=3, batch_size=100, max_concurrency=10, retention_days=1,
                                batching_window_seconds=1)

# --- exports (shared/domain/export_jobs.py) ---
# API -> the export worker, which builds a conversation's or the statistics' file and writes it under
# EXPORTS_PREFIX in the media bucket: the API answers at once, so an export is bounded neither by Lambda's
# 6 MB response nor by API Gateway's 29 s. Batches of one (an export is the slow part); a whole thread read
# page by page and set as a PDF takes well under a minute here, 120 s leaves room.
EXPORTS_QUEUE = QueueDefinition("exports", fifo=False, consumer_timeout_seconds=120,
                                max_receive_count=3, batch_size=1, max_concurrency=5, retention_days=1)

QUEUES: tuple[QueueDefinition, ...] = (
    INBOUND_QUEUE, STATUSES_QUEUE, ASSIGNMENT_QUEUE, OUT_OF_OFFICE_QUEUE, OUTBOUND_QUEUE, SEND_QUEUE, PURGE_QUEUE,
    RESCHEDULE_QUEUE, EVENTS_QUEUE, MEDIA_QUEUE, NOTICES_QUEUE, EXPORTS_QUEUE,
)


@dataclass(frozen=True)
class StateMachineDefinition:
    key: str
    description: str

    def physical_name(self, app_name: str) -> str:
        return f"{app_name}-{self.key}"


DELAYED_RETRY_MACHINE = StateMachineDefinition(
    "delayed-retry", "Waits, then puts an outbound send or an event delivery back on its queue.")
AUTO_DELETE_MACHINE = StateMachineDefinition(
    "auto-delete", "Hourly sweep: reads the conversations due for deletion, page by page, and queues their purge.")
# EventBridge Scheduler starts the sweep this often (infra/constructs/auto_delete.py; local/schedules.py
# locally). A conversation is purged at most this long after its deletion date.
AUTO_DELETE_SCHEDULE = "rate(1 hour)"
AUTO_DELETE_INTERVAL_SECONDS = 3600
STATE_MACHINES: tuple[StateMachineDefinition, ...] = (DELAYED_RETRY_MACHINE, AUTO_DELETE_MACHINE)


def delayed_retry_definition() -> dict[str, Any]:
    """Amazon States Language for the delayed retry of an outbound send or of an event delivery.

    Input: ``{"wait_seconds", "queue_url", "message_group_id", "deduplication_id", "body"}``.
    The worker (send or events) computes the backoff; the machine only waits and re-enqueues onto
    the FIFO queue the input names (the role limits which), so it is built from a Wait state and
    the SQS service integration alone.
    """
    return {
        "Comment": DELAYED_RETRY_MACHINE.description,
        "StartAt": "WaitBackoff",
        "States": {
            "WaitBackoff": {"Type": "Wait", "SecondsPath": "$.wait_seconds", "Next": "Requeue"},
            "Requeue": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {
                    "QueueUrl.$": "$.queue_url",
                    "MessageBody.$": "$.body",
                    "MessageGroupId.$": "$.message_group_id",
                    "MessageDeduplicationId.$": "$.deduplication_id",
                },
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2,
                           "MaxAttempts": 5, "BackoffRate": 2.0}],
                "End": True,
            },
        },
    }


# Every task of the sweep retries passing errors (throttling, a service hiccup) with backoff; what still
# fails ends the execution as failed, which the ExecutionsFailed alarm reports (docs/operations.md).
_SWEEP_RETRY = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 6, "BackoffRate": 2.0}]
_SWEEP_CATCH = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "SweepFailed"}]


def auto_delete_sweep_input(as_of: str, purge_queue_url: str) -> dict[str, str]:
    """The sweep's input: the moment it sweeps up to (RFC 3339, UTC, as deletion dates are written)
    and the purge queue's URL (the machine's role allows that queue only)."""
    return {"as_of": as_of, "queue_url": purge_queue_url}


def auto_delete_definition(table_name: str) -> dict[str, Any]:
    """Amazon States Language of the auto-deletion sweep.

    Input: ``auto_delete_sweep_input``. For each of the ``DUE_SHARDS`` partitions of the ``due``
    index the machine queries one page (``DUE_PAGE_SIZE`` keys, due up to ``as_of``), sends the page
    to the purge queue as one message, and goes on while DynamoDB returns a LastEvaluatedKey. The
    purge worker checks each conversation again before it deletes (still archived and due), so a
    conversation reopened after the page was read stays. Only service integrations: DynamoDB Query
    (AWS SDK integration) and SQS SendMessage.
    """
    def query(*, next_page: bool) -> dict[str, Any]:
        parameters: dict[str, Any] = {
            "TableName": table_name,
            "IndexName": DUE_INDEX,
            "KeyConditionExpression": "due_pk = :shard AND due_sk <= :as_of",
            "ExpressionAttributeValues": {":shard": {"S.$": "$.shard"}, ":as_of": {"S.$": "$.as_of"}},
            "Limit": DUE_PAGE_SIZE,
        }
        if next_page:
            parameters["ExclusiveStartKey.$"] = "$.page.LastEvaluatedKey"
        return {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:query", "Parameters": parameters,
                "ResultPath": "$.page", "Retry": _SWEEP_RETRY, "Catch": _SWEEP_CATCH, "Next": "AnyDue"}

    shard = {
        "StartAt": "FirstPage",
        "States": {
            "FirstPage": query(next_page=False),
            "AnyDue": {"Type": "Choice",
                       "Choices": [{"Variable": "$.page.Count", "NumericGreaterThan": 0, "Next": "RequestPurges"}],
                       "Default": "MorePages"},
            "RequestPurges": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {"QueueUrl.$": "$.queue_url",
                               "MessageBody": {"as_of.$": "$.as_of", "due.$": "$.page.Items"}},
                "ResultPath": None, "Retry": _SWEEP_RETRY, "Catch": _SWEEP_CATCH, "Next": "MorePages",
            },
            "MorePages": {"Type": "Choice",
                          "Choices": [{"Variable": "$.page.LastEvaluatedKey", "IsPresent": True, "Next": "NextPage"}],
                          "Default": "ShardDone"},
            "NextPage": query(next_page=True),
            "ShardDone": {"Type": "Succeed"},
            "SweepFailed": {"Type": "Fail", "Error": "SweepFailed",
                            "Cause": "A page of due conversations could not be read or queued after retries."},
        },
    }
    return {
        "Comment": AUTO_DELETE_MACHINE.description,
        "StartAt": "Shards",
        "States": {
            "Shards": {"Type": "Pass", "Result": [due_partition(n) for n in range(DUE_SHARDS)],
                       "ResultPath": "$.shards", "Next": "SweepShards"},
            "SweepShards": {
                "Type": "Map",
                "ItemsPath": "$.shards",
                "MaxConcurrency": 2,
                "Parameters": {"shard.$": "$$.Map.Item.Value", "as_of.$": "$.as_of", "queue_url.$": "$.queue_url"},
                "Iterator": shard,
                "ResultPath": None,
                # Once more after a pause (a page sent twice is harmless: the purge checks each conversation).
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 60, "MaxAttempts": 1}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "SweepFailed"}],
                "End": True,
            },
            "SweepFailed": {"Type": "Fail", "Error": "SweepFailed",
                            "Cause": "A shard of the due index could not be swept; the next hourly run tries again."},
        },
    }


def state_machine_definition(machine: StateMachineDefinition, app_name: str) -> dict[str, Any]:
    if machine is DELAYED_RETRY_MACHINE:
        return delayed_retry_definition()
    return auto_delete_definition(TABLE.physical_name(app_name))


# Environment variable names shared by the stack (which sets them) and the functions
# (which read them through their settings model).
ENV_APP_NAME = "CONTACT_APP_NAME"
ENV_USER_POOL_ID = "CONTACT_USER_POOL_ID"
ENV_USER_POOL_CLIENT_ID = "CONTACT_USER_POOL_CLIENT_ID"
ENV_JWKS_URL = "CONTACT_JWKS_URL"
ENV_PUBLIC_API_URL = "CONTACT_PUBLIC_API_URL"
# The providers' webhooks have an API of their own in AWS (an HTTP API, infra/constructs/webhook_api.py):
# the base the webhook URLs shown to administrators are built on. Locally it is the API's own URL.
ENV_PUBLIC_WEBHOOK_URL = "CONTACT_PUBLIC_WEBHOOK_URL"
ENV_RETRY_MACHINE_ARN = "CONTACT_RETRY_MACHINE_ARN"
ENV_MEDIA_BUCKET = "CONTACT_MEDIA_BUCKET"
# The media bucket's CORS rule (infra/constructs/storage.py and the local runtime): the web app
# POSTs agents' uploads as presigned forms and reads media through signed GETs, from any origin
# (the signature is the authorisation: short-lived, one key, one type, one size).
MEDIA_CORS_METHODS = ("POST", "GET")
MEDIA_CORS_HEADERS = ("content-type",)
MEDIA_CORS_MAX_AGE_SECONDS = 3000
# Finished exports: one object per export job under this folder of the media bucket, which a lifecycle
# rule removes after EXPORT_EXPIRY_DAYS (infra/constructs/storage.py, local/provision.py); the job
# record goes with the table's TTL at the same time.
EXPORTS_PREFIX = "exports/"
EXPORT_EXPIRY_DAYS = 1
ENV_RETRY_BASE_SECONDS = "CONTACT_RETRY_BASE_SECONDS"
ENV_RETRY_HORIZON_SECONDS = "CONTACT_RETRY_HORIZON_SECONDS"
# "true" only in the local runtime: integrators' receivers may be on loopback there (channels/http.py).
ENV_PRIVATE_RECEIVERS = "CONTACT_PRIVATE_RECEIVERS"
# "true" only in the local runtime: channel accounts may name the provider simulator (and the SNS
# stand-in) on loopback (channels/provider_urls.py). Never inferred from an account's own URL.
ENV_LOCAL_RUNTIME = "CONTACT_LOCAL_RUNTIME"
# The WebSocket API: the URL browsers connect to (wss://<api>.execute-api.<region>.amazonaws.com/<stage>)
# and the management endpoint the push worker posts to (https://... the same host and stage).
ENV_PUSH_URL = "CONTACT_PUSH_URL"
ENV_PUSH_ENDPOINT = "CONTACT_PUSH_ENDPOINT"


def queue_url_env(queue: QueueDefinition) -> str:
    """Name of the environment variable that holds a queue's URL."""
    return "CONTACT_QUEUE_URL_" + queue.key.upper().replace("-", "_")


def secret_name(app_name: str, channel: str, account_id: str) -> str:
    """Secrets Manager name of one channel account's credentials."""
    return f"{app_name}/channels/{channel}/{account_id}"
