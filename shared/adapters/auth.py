"""Sign-in through the Cognito user pool, and verification of its ID tokens on every request.

Tokens are checked here, in our code, against the pool's published keys (moto serves the
same JWKS document locally), so the API never trusts a token only because a gateway let it in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import boto3
import jwt
from botocore.exceptions import ClientError
from chalicelib.core.settings import Settings
from chalicelib.domain.errors import Unauthenticated

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient


@dataclass(frozen=True)
class Tokens:
    id_token: str
    refresh_token: str | None
    expires_in: int


@lru_cache(maxsize=1)
def cognito_client() -> CognitoIdentityProviderClient:
    return boto3.client("cognito-idp")


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def subject(self, authorization_header: str | None) -> str:
        """The user id (``sub``) of a valid ID token in an ``Authorization: Bearer`` header."""
        if not authorization_header or not authorization_header.startswith("Bearer "):
            raise Unauthenticated("Authorization header with a Bearer token is required", field="Authorization")
        token = authorization_header.removeprefix("Bearer ").strip()
        try:
            key = _jwks_client(self._settings.jwks_url).get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token, key.key, algorithms=["RS256"], audience=self._settings.user_pool_client_id,
                issuer=self._settings.issuer, options={"require": ["exp", "iss", "sub", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"token rejected: {error}", field="Authorization") from error
        if claims.get("token_use") != "id":
            raise Unauthenticated("an ID token is required", field="Authorization")
        return str(claims["sub"])


def sign_in(settings: Settings, email: str, password: str) -> Tokens:
    try:
        response = cognito_client().initiate_auth(
            ClientId=settings.user_pool_client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in {"NotAuthorizedException", "UserNotFoundException", "UserNotConfirmedException"}:
            raise Unauthenticated("email or password is wrong, or the user is disabled") from error
        raise
    result = response.get("AuthenticationResult")
    if not result or "IdToken" not in result:
        raise Unauthenticated("sign-in needs a further challenge this app does not support")
    return Tokens(id_token=result["IdToken"], refresh_token=result.get("RefreshToken"),
                  expires_in=int(result.get("ExpiresIn", 3600)))
