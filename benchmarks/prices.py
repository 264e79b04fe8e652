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
API_GATEWAY_REST_REQUEST = 3.50 / PER_MILLION
STEP_FUNCTIONS_STANDARD_TRANSITION = 0.025 / 1000
SECRETS_MANAGER_API_CALL = 0.05 / 10_000
COGNITO_API_CALL = 0.0  # billed per monthly active user, not per call

# Lambda duration is not measured on moto; this is the assumption the figures use.
ASSUMED_LAMBDA_MEMORY_GB = 0.5
ASSUMED_LAMBDA_SECONDS_PER_INVOCATION = 0.12

# API Gateway WebSocket APIs: messages (sent and received, metered in 32 KB units) and connection time.
API_GATEWAY_WEBSOCKET_MESSAGE = 1.00 / PER_MILLION
API_GATEWAY_WEBSOCKET_CONNECTION_MINUTE = 0.25 / PER_MILLION
