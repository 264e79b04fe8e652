"""A moto server of a test module's own on a free loopback port, as the functions reach moto."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import boto3
from botocore.config import Config
from moto.server import ThreadedMotoServer

from local.runtime import free_port


@contextmanager
def moto_client(service: Literal["dynamodb", "sqs"]) -> Iterator[Any]:
    """A boto3 client of ``service`` on a moto server started for it (stopped on exit); no retries."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield boto3.client(service, endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing",
                           config=Config(max_pool_connections=32, retries={"max_attempts": 1}))
    finally:
        server.stop()
