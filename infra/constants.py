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
from .constructs.api import RouteThrottle, Throttle

# --- the app -------------------------------------------------------------------------------
STACK_ID = "ContactStack"
CONTEXT_APP_NAME = "app_name"
# Optional: the API's public base URL (the execute-api URL with its stage, or a custom domain).
# It was the webhook URLs' base before the webhooks had an API of their own; the functions read it
# only where no webhook base is set, which the stack always sets (docs/deploy.md).
CONTEXT_PUBLIC_API_URL = "public_api_url"
# Optional: the webhooks' public base URL (a custom domain on their HTTP API); without it the
# administrators are shown webhook URLs on the HTTP API's execute-api endpoint.
CONTEXT_PUBLIC_WEBHOOK_URL = "public_webhook_url"
# "true" puts a regional WAF web ACL on the API stage (docs/deploy.md); off by default, since it
# costs a monthly fee per ACL and rule besides the per-request price.
CONTEXT_WAF = "waf"
# Every alarm's description links its runbook (docs/operations.md, one section per alarm kind).
RUNBOOK_MARKER = "docs/operations.md"
# Email channel accounts SES receives for: {"<channel account id>": "<address or domain>"}
# (infra/constructs/email.py, docs/deploy.md "Email").
CONTEXT_EMAIL_ACCOUNTS = "email_accounts"
# The functions' log level (Powertools and Lambda's application log level): DEBUG, INFO, WARNING, ERROR.
CONTEXT_LOG_LEVEL = "log_level"
DEFAULT_LOG_LEVEL = "INFO"
# CloudWatch namespace of the business metrics the functions emit (Powertools Metrics, EMF).
METRICS_NAMESPACE = "OpenContact"
# The address Cognito sends invitations and password resets from, through SES (docs/deploy.md).
CONTEXT_COGNITO_SENDER = "cognito_sender_email"
# The web app's address the invitation mail links to (e.g. its custom domain; without it the mail
# says the administrator gives the address: the stack's CloudFront address would be a dependency cycle).
CONTEXT_WEB_URL = "web_url"
# An address that gets every alarm by email (the topic is in the stack's outputs either way).
CONTEXT_ALARM_EMAIL = "alarm_email"
# A monthly cost budget in US dollars, told through the alarm topic (infra/constructs/budget.py).
CONTEXT_MONTHLY_BUDGET = "monthly_budget_usd"
# How old the oldest record of a main queue may get before an alarm says the workers fall behind
# (seconds, by queue key): customers wait on inbound and sends; purges and rescheduling may lag.
DEFAULT_QUEUE_MAX_AGE_SECONDS = 300
QUEUE_MAX_AGE_SECONDS: Mapping[str, int] = MappingProxyType({
    resources.PURGE_QUEUE.key: 3600,
    resources.RESCHEDULE_QUEUE.key: 3600,
})
# The WAF's per-IP rate rule: requests from one address in any 5 minutes before it is blocked.
# Providers send webhooks from many addresses; one browser polling the inbox stays far below.
WAF_REQUESTS_PER_IP_PER_5_MINUTES = 3000
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
    # Providers' status callbacks, off the ordered inbound queue (shared/domain/statuses.py).
    "apply_statuses": resources.STATUSES_QUEUE,
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
    # Exports built off the request path, into the media bucket (shared/domain/export_jobs.py).
    "build_export": resources.EXPORTS_QUEUE,
})
# Chalice's functions of the WebSocket API's routes (infra/constructs/push.py).
WEBSOCKET_FUNCTIONS: tuple[str, ...] = ("websocket_connect", "websocket_message", "websocket_disconnect")
PUSH_WORKER = "push_notices"
# The providers' webhook routes run in a function of their own (shared/api/webhook_intake.py) behind
# an HTTP API of their own (infra/constructs/webhook_api.py), with a role that only verifies and
# queues, and a concurrency of its own: a webhook flood cannot starve the agents' API, and a
# compromised intake cannot read the inbox.
WEBHOOK_INTAKE = "webhook_intake"
WEBHOOK_PATH = "/webhooks/{channel}/{account}"
# Reserved concurrency of the intake (-c webhook_reserved_concurrency=N; 0 leaves it unreserved, for
# new accounts whose whole concurrency quota is 10).
CONTEXT_WEBHOOK_RESERVED_CONCURRENCY = "webhook_reserved_concurrency"
DEFAULT_WEBHOOK_RESERVED_CONCURRENCY = 50
FUNCTION_NAMES: tuple[str, ...] = (API_HANDLER, WEBHOOK_INTAKE, *QUEUE_CONSUMERS, *WEBSOCKET_FUNCTIONS)
# The newest Python Lambda runs (on Amazon Linux 2023); `chalice package` builds the dependencies'
# wheels for it whatever Python runs the synthesis (infra/constructs/api.py).
LAMBDA_RUNTIME = "python3.14"
LAMBDA_MEMORY_MB = 512
# The API handler's: API Gateway's 29 s integration timeout plus a second. Queue workers take
# their queue's `consumer_timeout_seconds` (shared/resources.py).
LAMBDA_TIMEOUT_SECONDS = 30
# The REST API's name (CloudWatch keys API Gateway metrics by it).
def api_name(app_name: str) -> str:
    return f"{app_name}-api"


# The webhooks' HTTP API's name (infra/constructs/webhook_api.py).
def webhook_api_name(app_name: str) -> str:
    return f"{app_name}-webhooks"


# Stage throttling: API Gateway answers 429 above these (per account and region, per stage).
# Sign-in gets little, since it is where passwords are guessed.
API_THROTTLE = Throttle(rate_per_second=50, burst=100)
ROUTE_THROTTLES: tuple[RouteThrottle, ...] = (
    RouteThrottle("POST", "/auth/login", Throttle(rate_per_second=5, burst=20)),
)
# The webhooks' HTTP API, per route (the first, deliveries, is also its stage's default): providers
# retry webhooks and can burst (a campaign's delivery receipts), so deliveries get the most room;
# a subscription handshake happens once per account setup.
WEBHOOK_THROTTLES: Mapping[str, Throttle] = MappingProxyType({
    "POST": Throttle(rate_per_second=500, burst=1000),
    "GET": Throttle(rate_per_second=5, burst=10),
})
# Responses from this size on are gzip-compressed for clients that accept it (lists, exports).
API_MINIMUM_COMPRESSION_BYTES = 1024
LOG_RETENTION = logs.RetentionDays.ONE_MONTH
POWERTOOLS_SERVICE_NAME = "open-contact"
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

# --- web hosting ---------------------------------------------------------------------------
WEB_INDEX_DOCUMENT = "index.html"
ACCESS_LOG_RETENTION_DAYS = 90
CLOUDFRONT_LOG_PREFIX = "cloudfront/"
