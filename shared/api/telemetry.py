"""The Powertools logger and tracer of the Lambda functions (the API and every queue worker).

The tracer patches boto3 and requests when it is created, so every call to AWS and to a provider
is a subsegment of the function's X-Ray trace (the stack turns active tracing on). Outside Lambda
it is disabled. Responses are not recorded: they carry customers' messages."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Tracer

SERVICE = "open-contact"
logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
