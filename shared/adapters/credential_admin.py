"""Writing channel account credentials to Secrets Manager (reading is ``credentials.py``).

One secret per account, named by ``resources.secret_name``. Readers cache a secret for up to
``read_cache.MAX_AGE_SECONDS``, so a rotation reaches every running function within that time;
this process forgets its cached secrets at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import ClientError
from chalicelib.core.resources import secret_name
from chalicelib.core.settings import Settings

from .read_cache import forget_secrets

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient


@lru_cache(maxsize=1)
def secrets_client() -> SecretsManagerClient:
    return boto3.client("secretsmanager")


class CredentialWriter:
    def __init__(self, settings: Settings) -> None:
        self._app_name = settings.app_name

    def store(self, channel: str, account_id: str, values: Mapping[str, str]) -> None:
        """Create the account's secret, or put a new version if it exists (a rotation, or a
        retry of an account creation that stopped half-way)."""
        name = secret_name(self._app_name, channel, account_id)
        document = json.dumps(dict(values))
        try:
            secrets_client().create_secret(Name=name, SecretString=document,
                                           Description=f"Credentials of {channel} account {account_id}")
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ResourceExistsException":
                raise
            secrets_client().put_secret_value(SecretId=name, SecretString=document)
        finally:
            forget_secrets()
