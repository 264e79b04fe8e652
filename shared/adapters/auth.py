"""Sign-in through the Cognito user pool (with its challenges, renewal, revocation, password
and TOTP flows), and verification of its ID tokens on every request.

Tokens are checked here, in our code, against the pool's published keys (moto serves the
same JWKS document locally), so the API never trusts a token only because a gateway let it in.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import boto3
import jwt
from botocore.exceptions import ClientError, ParamValidationError
from chalicelib.core.settings import Settings
from chalicelib.core.user_pool import PASSWORD_RULE
from chalicelib.domain.accounts import Challenge, SignInStep, Tokens
from chalicelib.domain.errors import (
    CodeExpired,
    InvalidInput,
    InvitationExpired,
    TooManyRequests,
    Unauthenticated,
    WeakPassword,
    WrongCode,
)

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient


@lru_cache(maxsize=1)
def cognito_client() -> CognitoIdentityProviderClient:
    return boto3.client("cognito-idp")


# A token naming a key id the pool does not publish (forged, or after a rotation) reads the JWKS
# again at most once per this many seconds: garbage tokens cannot make every request a fetch.
JWKS_REFETCH_COOLDOWN_SECONDS = 60


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5,
                           cooldown_duration=JWKS_REFETCH_COOLDOWN_SECONDS)


def _rejection(error: jwt.PyJWTError) -> str:
    """Why a token was refused, in our words (the library's messages name its internals)."""
    if isinstance(error, jwt.ExpiredSignatureError):
        return "token expired; sign in again"
    if isinstance(error, jwt.InvalidAudienceError | jwt.InvalidIssuerError):
        return "token was issued for another application"
    if isinstance(error, jwt.PyJWKClientConnectionError):
        return "the signing keys could not be read; try again"
    if isinstance(error, jwt.MissingRequiredClaimError):
        return "token lacks a required claim"
    return "token is not a valid signed ID token of this service"


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
            raise Unauthenticated(_rejection(error), field="Authorization") from error
        if claims.get("token_use") != "id":
            raise Unauthenticated("an ID token is required", field="Authorization")
        return str(claims["sub"])

    def access_subject(self, access_token: str) -> str:
        """The user id of a valid access token of this app (Cognito's own account calls take it)."""
        try:
            key = _jwks_client(self._settings.jwks_url).get_signing_key_from_jwt(access_token)
            claims: dict[str, Any] = jwt.decode(access_token, key.key, algorithms=["RS256"],
                                                issuer=self._settings.issuer,
                                                options={"require": ["exp", "iss", "sub"]})
        except jwt.PyJWTError as error:
            raise Unauthenticated("the access token is not valid: renew the session", field="X-Access-Token") \
                from error
        if claims.get("token_use") != "access" or claims.get("client_id") != self._settings.user_pool_client_id:
            raise Unauthenticated("an access token of this app is required", field="X-Access-Token")
        return str(claims["sub"])


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", ""))


SUPPORTED_CHALLENGES = ("NEW_PASSWORD_REQUIRED", "SOFTWARE_TOKEN_MFA")


def _translated(error: ClientError) -> Exception:
    """Cognito's refusal as a domain error whose message a person can act on (never the
    library's own text)."""
    code, message = _code(error), _message(error)
    if code == "NotAuthorizedException" and "expired" in message.lower() and "temporary" in message.lower():
        return InvitationExpired("your invitation has expired: ask an administrator to send it again")
    if code == "NotAuthorizedException" and "session" in message.lower():
        return Unauthenticated("the sign-in took too long: start again with your email and password")
    if code in {"NotAuthorizedException", "UserNotFoundException", "UserNotConfirmedException"}:
        return Unauthenticated("email or password is wrong, or the user is disabled")
    if code == "InvalidPasswordException":
        return WeakPassword(f"the new password is too weak: use {PASSWORD_RULE}", field="new_password")
    if code in {"CodeMismatchException", "EnableSoftwareTokenMFAException"}:
        return WrongCode("the code is wrong: check it and try again", field="code")
    if code == "ExpiredCodeException":
        return CodeExpired("the code has expired: ask for a new one", field="code")
    if code in {"LimitExceededException", "TooManyRequestsException", "TooManyFailedAttemptsException"}:
        return TooManyRequests("too many attempts: wait a few minutes and try again", retry_after=300)
    return error


def _tokens(result: Mapping[str, Any], refresh_token: str | None = None) -> Tokens:
    return Tokens(id_token=result["IdToken"], access_token=result["AccessToken"],
                  refresh_token=result.get("RefreshToken") or refresh_token,
                  expires_in=int(result.get("ExpiresIn", 3600)))


class CognitoAccounts:
    """The user pool's flows for one person: sign-in and its challenges, renewal and revocation
    of the session, forgotten and changed passwords, TOTP enrolment. Calls that act on the
    signed-in user take their access token, as Cognito requires."""

    def __init__(self, settings: Settings) -> None:
        self._client_id = settings.user_pool_client_id

    def _call(self, operation: str, **parameters: Any) -> Any:
        try:
            return getattr(cognito_client(), operation)(**parameters)
        except ClientError as error:
            raise _translated(error) from error
        except ParamValidationError as error:
            # Values our own models let through but the pool's API bounds tighter (a username
            # over 128 characters): bad input, never a 500.
            raise InvalidInput("a value is outside what the user pool accepts (an email of at most 128 "
                               "characters)") from error

    def _step(self, response: Mapping[str, Any]) -> SignInStep:
        result = response.get("AuthenticationResult")
        if result and "IdToken" in result:
            return _tokens(result)
        name = str(response.get("ChallengeName", ""))
        if name not in SUPPORTED_CHALLENGES:
            raise Unauthenticated(f"sign-in needs a step this app does not offer ({name or 'unknown'})")
        return Challenge(name=name, session=str(response["Session"]))

    def sign_in(self, email: str, password: str) -> SignInStep:
        return self._step(self._call("initiate_auth", ClientId=self._client_id, AuthFlow="USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": email, "PASSWORD": password}))

    def answer(self, challenge: str, email: str, session: str, answer: str) -> SignInStep:
        """The new password (``NEW_PASSWORD_REQUIRED``) or the authenticator code (``SOFTWARE_TOKEN_MFA``)."""
        key = "NEW_PASSWORD" if challenge == "NEW_PASSWORD_REQUIRED" else "SOFTWARE_TOKEN_MFA_CODE"
        return self._step(self._call("respond_to_auth_challenge", ClientId=self._client_id, ChallengeName=challenge,
                                     Session=session, ChallengeResponses={"USERNAME": email, key: answer}))

    def refresh(self, refresh_token: str) -> Tokens:
        response = self._call("initiate_auth", ClientId=self._client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": refresh_token})
        return _tokens(response["AuthenticationResult"], refresh_token)

    def revoke(self, refresh_token: str) -> None:
        self._call("revoke_token", ClientId=self._client_id, Token=refresh_token)

    def forgot_password(self, email: str) -> None:
        try:
            self._call("forgot_password", ClientId=self._client_id, Username=email)
        except Unauthenticated:
            # A user who never signed in (or is disabled) gets no code; saying so would tell a
            # stranger which addresses have accounts.
            return

    def reset_password(self, email: str, code: str, new_password: str) -> None:
        self._call("confirm_forgot_password", ClientId=self._client_id, Username=email, ConfirmationCode=code,
                   Password=new_password)

    def change_password(self, access_token: str, current_password: str, new_password: str) -> None:
        try:
            self._call("change_password", AccessToken=access_token, PreviousPassword=current_password,
                       ProposedPassword=new_password)
        except Unauthenticated as error:
            raise InvalidInput("the current password is wrong", field="current_password") from error

    def totp_secret(self, access_token: str) -> str:
        return str(self._call("associate_software_token", AccessToken=access_token)["SecretCode"])

    def enable_totp(self, access_token: str, code: str) -> None:
        self._call("verify_software_token", AccessToken=access_token, UserCode=code,
                   FriendlyDeviceName="Open Contact")
        self._call("set_user_mfa_preference", AccessToken=access_token,
                   SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
