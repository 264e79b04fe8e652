"""The one Powertools logger of the Lambda functions (the API and every queue worker)."""

from __future__ import annotations

from aws_lambda_powertools import Logger

SERVICE = "open-contact"
logger = Logger(service=SERVICE)
