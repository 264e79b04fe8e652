"""Names and fixed settings of the CDK app.

Resource definitions (keys, indexes, queues, state machines, environment variable names) live in
``chalicelib.core.resources``; this module only holds what is particular to the AWS deployment.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from aws_cdk import aws_logs as logs
from chalicelib.core import resources

from . import FUNCTIONS_DIR, REPO_DIR

# --- the app -------------------------------------------------------------------------------
STACK_ID = "ContactStack"
CONTEXT_APP_NAME = "app_name"
# Optional: the API's public base URL (the execute-api URL with its stage, or a custom domain),
# known only after the first deployment. See docs/deploy.md.
CONTEXT_PUBLIC_API_URL = "public_api_url"
DEFAULT_REGION = "us-east-1"
# Tag on every resource, so that two installations in one account are told apart.
TAG_APPLICATION = "application"

CHALICE_SOURCE_DIR = FUNCTIONS_DIR
WEB_ASSETS_DIR = REPO_DIR / "frontend" / "dist"

# --- the Chalice functions -----------------------------------------------------------------
# The API Gateway stage; CloudFront's /api/* behaviour relies on it being "api".
API_STAGE = "api"
API_PATH_PATTERN = f"/{API_STAGE}/*"
API_HANDLER = "APIHandler"
# Chalice function name (as registered in shared/api/workers.py) -> the queue it consumes.
QUEUE_CONSUMERS: Mapping[str, resources.QueueDefinition] = MappingProxyType({
    "route_inbound": resources.INBOUND_QUEUE,
    "assign_conversation": resources.ASSIGNMENT_QUEUE,
    "send_out_of_office": resources.OUT_OF_OFFICE_QUEUE,
    "check_window": resources.OUTBOUND_QUEUE,
    "send_outbound": resources.SEND_QUEUE,
    "purge_conversation": resources.PURGE_QUEUE,
    # A new auto-deletion period applied to the archived conversations, page by page.
    "reschedule_deletions": resources.RESCHEDULE_QUEUE,
    # Event webhooks for integrators: fan-out and signed delivery (shared/domain/event_delivery.py).
    "deliver_events": resources.EVENTS_QUEUE,
    # Inbound media copied off the inbound path (shared/domain/media_copy.py).
    "copy_media": resources.MEDIA_QUEUE,
    # Push to the agents' browsers over the WebSocket API (shared/api/push.py).
    "push_notices": resources.NOTICES_QUEUE,
})
# Chalice's functions of the WebSocket API's routes (infra/constructs/push.py).
WEBSOCKET_FUNCTIONS: tuple[str, ...] = ("websocket_connect", "websocket_message", "websocket_disconnect")
PUSH_WORKER = "push_notices"
# Functions whose use cases publish inbox events (shared/domain/events.py) onto the events queue.
EVENT_PUBLISHERS: tuple[str, ...] = (API_HANDLER, "route_inbound", "assign_conversation", "check_window",
                                     "send_outbound", "deliver_events")
# Functions whose use cases queue push notices (shared/domain/notices.py): those publishing inbox events,
# and the WebSocket handlers of connecting and disconnecting (presence).
NOTICE_PUBLISHERS: tuple[str, ...] = (API_HANDLER, "route_inbound", "assign_conversation", "check_window",
                                      "send_outbound", "websocket_connect", "websocket_disconnect")
# A heartbeat over the socket may bring an agent online, which offers them waiting conversations.
OFFER_REQUESTERS: tuple[str, ...] = ("websocket_connect", "websocket_message")
FUNCTION_NAMES: tuple[str, ...] = (API_HANDLER, *QUEUE_CONSUMERS, *WEBSOCKET_FUNCTIONS)
LAMBDA_MEMORY_MB = 512
# At most the shortest queue visibility timeout (SQS refuses an event source mapping otherwise)
# and at most API Gateway's 29 s integration timeout plus a second.
LAMBDA_TIMEOUT_SECONDS = 30
LOG_RETENTION = logs.RetentionDays.ONE_MONTH
POWERTOOLS_SERVICE_NAME = "open-contact"
# Read and write actions the functions need on the table and its indexes (PynamoDB describes
# the table on first use).
# What the administration API does in the Cognito user pool (shared/adapters/identity_provider.py).
USER_ADMINISTRATION_ACTIONS: tuple[str, ...] = (
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminDeleteUser",
    "cognito-idp:AdminGetUser",
    "cognito-idp:AdminAddUserToGroup",
    "cognito-idp:AdminRemoveUserFromGroup",
    "cognito-idp:AdminDisableUser",
    "cognito-idp:AdminEnableUser",
    "cognito-idp:AdminUserGlobalSignOut",
    # An administrator's reset of a lost authenticator (DELETE /users/{id}/mfa).
    "cognito-idp:AdminSetUserMFAPreference",
)
TABLE_READ_WRITE_ACTIONS: tuple[str, ...] = (
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
)

# --- web hosting ---------------------------------------------------------------------------
WEB_INDEX_DOCUMENT = "index.html"
ACCESS_LOG_RETENTION_DAYS = 90
CLOUDFRONT_LOG_PREFIX = "cloudfront/"
