"""Channel account credentials, kept in Secrets Manager (moto locally) and cached per
container by Powertools Parameters for as long as the other administrators' settings
(``read_cache.MAX_AGE_SECONDS``): new credentials sign and verify everywhere within that time,
and at once in the process that stored them (``credential_admin.py`` clears the cache)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities import parameters
from chalicelib.core.resources import secret_name
from chalicelib.core.settings import Settings
from chalicelib.domain.errors import NotFound

from .read_cache import MAX_AGE_SECONDS


class CredentialStore:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def get(self, channel: str, account_id: str) -> dict[str, str]:
        name = secret_name(self._settings.app_name, channel, account_id)
        try:
            value: Any = parameters.get_secret(name, transform="json", max_age=MAX_AGE_SECONDS)
        except parameters.exceptions.GetParameterError as error:
            raise NotFound(f"no credentials stored for {channel} account {account_id}", field="account") from error
        return {str(key): str(item) for key, item in dict(value).items()}
