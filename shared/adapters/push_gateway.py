"""API Gateway's WebSocket management API, the adapter behind ``domain.push.ConnectionGateway``.

The endpoint is the WebSocket API's stage URL (``https://<api>.execute-api.<region>.amazonaws.com/<stage>``
in AWS, the local runtime's management server locally); it is passed explicitly, so ``AWS_ENDPOINT_URL``
(moto, locally) does not apply to it.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import boto3
from botocore.config import Config
from chalicelib.domain.push import FAN_OUT_THREADS


class ManagementApiGateway:
    def __init__(self, endpoint_url: str) -> None:
        self._endpoint_url = endpoint_url

    @cached_property
    def _client(self) -> Any:
        # As many pooled HTTP connections as posts in flight; a throttled post is retried by botocore.
        return boto3.client("apigatewaymanagementapi", endpoint_url=self._endpoint_url,
                            config=Config(max_pool_connections=FAN_OUT_THREADS,
                                          retries={"mode": "standard", "max_attempts": 3},
                                          connect_timeout=2, read_timeout=5))

    def post(self, connection_id: str, data: bytes) -> bool:
        try:
            self._client.post_to_connection(ConnectionId=connection_id, Data=data)
        except self._client.exceptions.GoneException:
            return False
        return True
