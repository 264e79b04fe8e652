"""The Powertools logger and tracer of the Lambda functions (the API and every queue worker).

The tracer patches botocore (boto3 and pynamodb go through it) and http.client (which urllib3,
our providers' HTTP client, goes through) when it is created, so every call to AWS and to a
provider is a subsegment of the function's X-Ray trace (the stack turns active tracing on). Only
those two: patching every library X-Ray knows imports each of them on a cold start. Outside Lambda it is disabled.
Responses are not recorded: they carry customers' messages."""

from __future__ import annotations

import logging
import os

from aws_lambda_powertools import Logger, Tracer

SERVICE = "open-contact"
logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE, patch_modules=("botocore", "httplib"))


def route_package_logs(package: str) -> None:
    """Send the standard-library loggers of ``package`` and its modules (the domain's
    ``logging.getLogger(__name__)``) through the Powertools handler: the same JSON lines, level,
    Lambda context and correlation id as the handlers' own logs, one line each."""
    parent = logging.getLogger(package)
    parent.handlers = [logger.registered_handler]
    parent.setLevel(logger.log_level)
    parent.propagate = False


# In Lambda only: its runtime puts a plain handler on the root logger, which would repeat each line
# unformatted. Elsewhere (tests, the local runtime) domain logs stay with the root logger.
if "AWS_LAMBDA_FUNCTION_NAME" in os.environ:
    route_package_logs(__name__.split(".", 1)[0])  # "chalicelib"
