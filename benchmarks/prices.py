"""AWS list prices used by the cost figures: us-east-1, on-demand, checked November 2026 on the
services' public pricing pages. Free tiers are ignored. Change them here and nowhere else."""

from __future__ import annotations

PER_MILLION = 1_000_000

DYNAMODB_WRITE_REQUEST_UNIT = 0.625 / PER_MILLION
DYNAMODB_READ_REQUEST_UNIT = 0.125 / PER_MILLION
SQS_STANDARD_REQUEST = 0.40 / PER_MILLION
SQS_FIFO_REQUEST = 0.50 / PER_MILLION
LAMBDA_REQUEST = 0.20 / PER_MILLION
LAMBDA_GB_SECOND_X86 = 0.0000166667
# The agents' API is a REST API; the providers' webhooks have an HTTP API of their own (first
# 300 million requests a month; infra/constructs/webhook_api.py).
API_GATEWAY_REST_REQUEST = 3.50 / PER_MILLION
API_GATEWAY_HTTP_REQUEST = 1.00 / PER_MILLION
STEP_FUNCTIONS_STANDARD_TRANSITION = 0.025 / 1000
SECRETS_MANAGER_API_CALL = 0.05 / 10_000
# S3 requests: PUT, COPY, POST and LIST (a multi-object delete is a POST), and GET.
S3_WRITE_OR_LIST_REQUEST = 5.00 / PER_MILLION
S3_READ_REQUEST = 0.40 / PER_MILLION
COGNITO_API_CALL = 0.0  # billed per monthly active user, not per call

LAMBDA_MEMORY_GB = 0.5
# A function's billed duration is its handler's CPU time, measured on the local runtime and scaled
# to the share of a vCPU its memory buys, plus this wait per AWS call it makes (in-region
# DynamoDB/SQS latency; moto on loopback is not a measure of it).
AWS_CALL_SECONDS = 0.008

# --- what the monthly bill adds (benchmarks/bill.py) --------------------------------------------
CLOUDWATCH_LOGS_INGESTED_GB = 0.50
XRAY_TRACE_RECORDED = 5.00 / PER_MILLION
SECRETS_MANAGER_SECRET_MONTH = 0.40
CLOUDWATCH_ALARM_MONTH = 0.10  # standard resolution metric alarm
COGNITO_MONTHLY_ACTIVE_USER = 0.0055  # Lite tier
DYNAMODB_STORAGE_GB_MONTH = 0.25
DYNAMODB_PITR_GB_MONTH = 0.20
API_GATEWAY_WEBSOCKET_MESSAGE = 1.00 / PER_MILLION
API_GATEWAY_WEBSOCKET_CONNECTION_MINUTE = 0.25 / PER_MILLION

# Lambda gives a function CPU in proportion to its memory: one vCPU at 1,769 MB.
LAMBDA_MB_PER_VCPU = 1769
# benchmarks/push.py prices an agent's API requests (polling, reads on notice) at this handler time.
ASSUMED_LAMBDA_SECONDS_PER_INVOCATION = 0.12
