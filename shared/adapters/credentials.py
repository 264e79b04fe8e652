"""Channel account credentials, kept in Secrets Manager (moto locally) and cached per
container by Powertools Parameters for as long as the other administrators' settings
(``read_cache.MAX_AGE_SECONDS``): new credentials sign and verify everywhere within that time,
and at once in the process that stored them (``credential_admin.py`` clears the cache)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities import parameters
from chalicelib.core.resources import secret_name
from chalicelib.core.settings import Settings
from chalicelib.domain.errors import NotFound, SignatureRejected

from .read_cache import MAX_AGE_SECONDS


class StoredCredentials(dict[str, str]):
    """An account's credentials: a key the adapter needs that is missing or empty (stored before
    credentials were checked, or by hand) refuses the request naming it, instead of a KeyError
    (a 500) or, worse, a signature checked against an empty key."""

    def __init__(self, values: dict[str, str], *, channel: str, account_id: str) -> None:
        super().__init__(values)
        self._whose = f"{channel} account {account_id}"

    def __missing__(self, key: str) -> str:
        raise SignatureRejected(f"{self._whose} has no {key}; an administrator stores its credentials again",
                                field=f"credentials.{key}")

    def __getitem__(self, key: str) -> str:
        value = super().__getitem__(key)
        if not value:
            return self.__missing__(key)
        return value


class CredentialStore:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def get(self, channel: str, account_id: str) -> StoredCredentials:
        name = secret_name(self._settings.app_name, channel, account_id)
        try:
            value: Any = parameters.get_secret(name, transform="json", max_age=MAX_AGE_SECONDS)
        except parameters.exceptions.GetParameterError as error:
            raise NotFound(f"no credentials stored for {channel} account {account_id}", field="account") from error
        return StoredCredentials({str(key): str(item) for key, item in dict(value).items()}, channel=channel,
                                 account_id=account_id)
