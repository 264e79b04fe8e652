"""Runtime settings, read once from the environment.

Every value the stack always sets is required: a function deployed without one fails when it
starts, naming each missing variable, instead of calling a queue or a bucket named "" in the middle
of a request. The public URLs are optional: the API's is a deploy option (the API handler cannot
name its own REST API), and the webhooks' is set on the API handler alone.
``require_at_cold_start`` reads them while a Lambda function initialises. Only the app name and the
region have defaults: ``chalice package`` imports the app (the queue names of the
workers need the app name) outside Lambda, without the stack's environment.
"""

from __future__ import annotations

import os
from datetime import timedelta
from functools import lru_cache

from chalicelib.core.model_base import Model
from pydantic import Field

from . import resources


class MissingSettings(RuntimeError):
    """The function's environment lacks variables the stack sets."""


class Settings(Model):
    app_name: str = Field(min_length=1)
    region: str = Field(min_length=1)
    user_pool_id: str = Field(min_length=1)
    user_pool_client_id: str = Field(min_length=1)
    jwks_url: str = Field(min_length=1)
    # "" when not configured: webhook URLs are then derived from the request (core/api_gateway.py).
    public_api_url: str = ""
    public_webhook_url: str = ""
    retry_machine_arn: str = Field(min_length=1)
    media_bucket: str = Field(min_length=1)
    queue_urls: dict[str, str]
    retry_base_seconds: int = 30
    retry_horizon_seconds: int = 86400
    private_receivers: bool = False
    # Provider stand-ins on loopback (the local runtime's simulator); never true in AWS.
    local_runtime: bool = False
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


def app_name() -> str:
    """The app name alone: known at import, also where the rest of the settings are not."""
    return os.environ.get(resources.ENV_APP_NAME) or resources.DEFAULT_APP_NAME


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


_REQUIRED = (resources.ENV_USER_POOL_ID, resources.ENV_USER_POOL_CLIENT_ID, resources.ENV_RETRY_MACHINE_ARN,
             resources.ENV_MEDIA_BUCKET,
             *(resources.queue_url_env(queue) for queue in resources.QUEUES))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = os.environ
    missing = [name for name in _REQUIRED if not env.get(name)]
    if missing:
        raise MissingSettings(f"environment variables not set: {', '.join(missing)}")
    issuer = f"https://cognito-idp.{region()}.amazonaws.com/{env[resources.ENV_USER_POOL_ID]}"
    return Settings(
        app_name=app_name(),
        region=region(),
        user_pool_id=env[resources.ENV_USER_POOL_ID],
        user_pool_client_id=env[resources.ENV_USER_POOL_CLIENT_ID],
        jwks_url=env.get(resources.ENV_JWKS_URL) or f"{issuer}/.well-known/jwks.json",
        public_api_url=env.get(resources.ENV_PUBLIC_API_URL, "").rstrip("/"),
        public_webhook_url=env.get(resources.ENV_PUBLIC_WEBHOOK_URL, "").rstrip("/"),
        retry_machine_arn=env[resources.ENV_RETRY_MACHINE_ARN],
        media_bucket=env[resources.ENV_MEDIA_BUCKET],
        retry_base_seconds=int(env.get(resources.ENV_RETRY_BASE_SECONDS, "30")),
        retry_horizon_seconds=int(env.get(resources.ENV_RETRY_HORIZON_SECONDS, "86400")),
        private_receivers=env.get(resources.ENV_PRIVATE_RECEIVERS, "") == "true",
        local_runtime=env.get(resources.ENV_LOCAL_RUNTIME, "") == "true",
        push_url=env.get(resources.ENV_PUSH_URL, ""),
        push_endpoint=env.get(resources.ENV_PUSH_ENDPOINT, ""),
        queue_urls={queue.key: env[resources.queue_url_env(queue)] for queue in resources.QUEUES},
    )


def require_at_cold_start() -> None:
    """In a Lambda function (``AWS_LAMBDA_FUNCTION_NAME`` is Lambda's own variable), read the
    settings while it initialises: a missing variable fails the cold start, before any event is
    taken. Elsewhere (``chalice package``, tests) the settings are read when first used."""
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        get_settings()
