"""Runtime settings, read once from the environment at cold start."""

from __future__ import annotations

import os
from datetime import timedelta
from functools import lru_cache

from pydantic import BaseModel

from . import resources


class Settings(BaseModel):
    app_name: str
    region: str
    user_pool_id: str
    user_pool_client_id: str
    jwks_url: str
    public_api_url: str
    retry_machine_arn: str
    auto_delete_machine_arn: str
    media_bucket: str
    queue_urls: dict[str, str]
    retry_base_seconds: int = 30
    retry_horizon_seconds: int = 86400
    private_receivers: bool = False
    push_url: str = ""
    push_endpoint: str = ""

    @property
    def table_name(self) -> str:
        return resources.TABLE.physical_name(self.app_name)

    @property
    def issuer(self) -> str:
        """The `iss` claim Cognito puts in its tokens (also in moto)."""
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    @property
    def retry_horizon(self) -> timedelta:
        return timedelta(seconds=self.retry_horizon_seconds)

    def queue_url(self, queue: resources.QueueDefinition) -> str:
        return self.queue_urls[queue.key]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = os.environ
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
    user_pool_id = env.get(resources.ENV_USER_POOL_ID, "")
    issuer = f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"
    return Settings(
        app_name=env.get(resources.ENV_APP_NAME, resources.DEFAULT_APP_NAME),
        region=region,
        user_pool_id=user_pool_id,
        user_pool_client_id=env.get(resources.ENV_USER_POOL_CLIENT_ID, ""),
        jwks_url=env.get(resources.ENV_JWKS_URL) or f"{issuer}/.well-known/jwks.json",
        public_api_url=env.get(resources.ENV_PUBLIC_API_URL, "").rstrip("/"),
        retry_machine_arn=env.get(resources.ENV_RETRY_MACHINE_ARN, ""),
        auto_delete_machine_arn=env.get(resources.ENV_AUTO_DELETE_MACHINE_ARN, ""),
        media_bucket=env.get(resources.ENV_MEDIA_BUCKET, ""),
        retry_base_seconds=int(env.get(resources.ENV_RETRY_BASE_SECONDS, "30")),
        retry_horizon_seconds=int(env.get(resources.ENV_RETRY_HORIZON_SECONDS, "86400")),
        private_receivers=env.get(resources.ENV_PRIVATE_RECEIVERS, "") == "true",
        push_url=env.get(resources.ENV_PUSH_URL, ""),
        push_endpoint=env.get(resources.ENV_PUSH_ENDPOINT, ""),
        queue_urls={q.key: env.get(resources.queue_url_env(q), "") for q in resources.QUEUES},
    )
