"""Make moto's Cognito user pools behave like Cognito where the accounts flows depend on it.

moto 5.2 (checked against its ``cognitoidp/models.py``) differs from Cognito here, and each
difference would hide a production bug or make a flow untestable:

- ``AdminCreateUser`` sends no invitation and needs the temporary password given; with
  ``MessageAction=RESEND`` it creates a second user with the same email. Cognito generates a
  temporary password that meets the policy, mails the pool's invitation template, and RESEND
  gives the existing, not yet signed-in user a new temporary password and a new mail
  (``UnsupportedUserStateException`` for anyone else).
- An invitation never expires. Cognito refuses the temporary password after the policy's
  ``TemporaryPasswordValidityDays`` ("Temporary password has expired and must be reset by an
  administrator.").
- ``ForgotPassword`` returns its code in a moto-only response header and mails nothing;
  ``ConfirmForgotPassword`` accepts any code not starting with moto's prefix and ignores the
  password policy. Cognito mails a six-digit code (valid one hour), and answers a wrong code
  with ``CodeMismatchException``, an old one with ``ExpiredCodeException`` and a weak password
  with ``InvalidPasswordException``; a user who never signed in cannot reset.
- TOTP: every user shares one fixed secret, and codes are checked only when an environment
  variable says so. Cognito gives each user their own secret and always checks the code.
- Token lifetimes are always one hour; Cognito takes them from the app client
  (``IdTokenValidity``, ``AccessTokenValidity``, ``TokenValidityUnits``).
- ``RevokeToken`` is not implemented.
- A disabled user's refresh token still works until a global sign-out; Cognito refuses it.
- ``RespondToAuthChallenge`` acts on whoever ``USERNAME`` names, whatever user the session was
  issued to (a session of user A could set user B's password), and answers an unknown session
  with ``ResourceNotFoundException``. Cognito holds a session to its user and answers
  ``NotAuthorizedException`` ("Invalid session for the user").

Mail goes to the local mailbox (``local/mailbox.py``), shown by the simulator page.
"""

from __future__ import annotations

import base64
import functools
import re
import secrets
import string
import time
from collections.abc import Callable
from typing import Any

import jwt
from moto.cognitoidp.exceptions import (
    CodeMismatchException,
    ExpiredCodeException,
    NotAuthorizedError,
    ResourceNotFoundError,
)
from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUser, CognitoIdpUserPool, UserStatus
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.cognitoidp.utils import cognito_totp, verify_totp
from moto.core.exceptions import JsonRESTError
from moto.core.responses import EmptyResult

from .mailbox import Mailbox

DEFAULT_INVITE_SUBJECT = "Your temporary password"
DEFAULT_INVITE_MESSAGE = "Your username is {username} and temporary password is {####}."
DEFAULT_RESET_SUBJECT = "Your verification code"
DEFAULT_RESET_MESSAGE = "Your verification code is {####}."
RESET_CODE_SECONDS = 3600
_MARKER = "_contact_cognito"
# Symbols of the policy that read unambiguously in a mail (no HTML-special characters, no full stop).
_SYMBOLS = "^$*[]{}()?!@#%/:;|_~=+-"


class _State:
    mailbox: Mailbox | None = None
    # Seconds for ID and access tokens, overriding the app client's (tests shorten it).
    token_lifetime: int | None = None


class UnsupportedUserStateException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("UnsupportedUserStateException", message)


class EnableSoftwareTokenMfaException(JsonRESTError):
    def __init__(self) -> None:
        super().__init__("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")


def set_token_lifetime(seconds: int | None) -> None:
    """ID and access tokens issued from now on live this long (None: the app client's setting)."""
    _State.token_lifetime = seconds


def temporary_password(policy: dict[str, Any]) -> str:
    """A random password meeting ``policy``, as Cognito generates for an invitation."""
    length = max(int(policy.get("MinimumLength", 8)), 12)
    alphabet = string.ascii_letters + string.digits
    chosen = [secrets.choice(string.ascii_uppercase), secrets.choice(string.ascii_lowercase),
              secrets.choice(string.digits), secrets.choice(_SYMBOLS)]
    chosen += [secrets.choice(alphabet) for _ in range(length - len(chosen))]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)


def _policy(pool: CognitoIdpUserPool) -> dict[str, Any]:
    return dict(pool.extended_config.get("Policies", {}).get("PasswordPolicy", {}))


def _email(user: CognitoIdpUser) -> str:
    return str(user.attribute_lookup.get("email") or user.username)


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html.replace("</p>", "\n")).strip()


def _mail(to: str, subject: str, body: str) -> None:
    if _State.mailbox is not None:
        _State.mailbox.deliver(to, subject, _text(body))


def _send_invitation(pool: CognitoIdpUserPool, user: CognitoIdpUser) -> None:
    template = pool.extended_config.get("AdminCreateUserConfig", {}).get("InviteMessageTemplate", {})
    body = str(template.get("EmailMessage") or DEFAULT_INVITE_MESSAGE)
    body = body.replace("{username}", _email(user)).replace("{####}", str(user.password))
    _mail(_email(user), str(template.get("EmailSubject") or DEFAULT_INVITE_SUBJECT), body)


def _user_of_access_token(backend: CognitoIdpBackend, access_token: str) -> CognitoIdpUser:
    for pool in backend.user_pools.values():
        if access_token in pool.access_tokens:
            _, username = pool.access_tokens[access_token]
            return backend.admin_get_user(pool.id, username)
    raise NotAuthorizedError("Invalid Access Token")


def _check_totp(secret: str | None, code: str) -> bool:
    if not secret or not re.fullmatch(r"\d{6}", code or ""):
        return False
    try:
        verify_totp(cognito_totp(secret), code.encode(), valid_window=1)
    except Exception:
        return False
    return True


def _patch(name: str, replacement: Callable[..., Any]) -> None:
    original = getattr(CognitoIdpBackend, name)

    def method(self: CognitoIdpBackend, *args: Any, **kwargs: Any) -> Any:
        return replacement(original, self, *args, **kwargs)

    setattr(CognitoIdpBackend, name, functools.wraps(original)(method))


# --- invitations ---------------------------------------------------------------------------


def _admin_create_user(original: Callable[..., CognitoIdpUser], self: CognitoIdpBackend, user_pool_id: str,
                       username: str, message_action: str, temporary: str, attributes: list[dict[str, str]]
                       ) -> CognitoIdpUser:
    pool = self.describe_user_pool(user_pool_id)
    if message_action == "RESEND":
        user = self.admin_get_user(user_pool_id, username)
        if user.status is not UserStatus.FORCE_CHANGE_PASSWORD:
            raise UnsupportedUserStateException(f"Resend not possible. {username} status is not FORCE_CHANGE_PASSWORD")
        user.password = temporary or temporary_password(_policy(pool))
        user.contact_invited_at = time.time()  # type: ignore[attr-defined]
        _send_invitation(pool, user)
        return user
    user = original(self, user_pool_id, username, message_action, temporary or temporary_password(_policy(pool)),
                    attributes)
    user.contact_invited_at = time.time()  # type: ignore[attr-defined]
    if message_action != "SUPPRESS":
        _send_invitation(pool, user)
    return user


def _invitation_expired(pool: CognitoIdpUserPool, user: CognitoIdpUser) -> bool:
    days = int(_policy(pool).get("TemporaryPasswordValidityDays", 7))
    invited = float(getattr(user, "contact_invited_at", time.time()))
    return user.status is UserStatus.FORCE_CHANGE_PASSWORD and time.time() - invited > days * 86400


def _initiate_auth(original: Callable[..., dict[str, Any]], self: CognitoIdpBackend, client_id: str,
                   auth_flow: str, auth_parameters: dict[str, str]) -> dict[str, Any]:
    pool = next((p for p in self.user_pools.values() if client_id in p.clients), None)
    if pool is not None and auth_flow == "USER_PASSWORD_AUTH":
        user = pool._get_user(auth_parameters.get("USERNAME", ""))
        if user is not None and user.password == auth_parameters.get("PASSWORD") and _invitation_expired(pool, user):
            raise NotAuthorizedError("Temporary password has expired and must be reset by an administrator.")
    if pool is not None and auth_flow in {"REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"}:
        entry = pool.refresh_tokens.get(auth_parameters.get("REFRESH_TOKEN", ""))
        if entry is not None:
            user = pool._get_user(entry[1])
            if user is None or not user.enabled:
                raise NotAuthorizedError("User is disabled.")
    return original(self, client_id, auth_flow, auth_parameters)


# --- forgotten passwords --------------------------------------------------------------------


def _forgot_password(original: Callable[..., tuple[str | None, dict[str, Any]]], self: CognitoIdpBackend,
                     client_id: str, username: str) -> tuple[str | None, dict[str, Any]]:
    pool = next((p for p in self.user_pools.values() if client_id in p.clients), None)
    if pool is None:
        raise ResourceNotFoundError(client_id)
    user = pool._get_user(username)
    _, details = original(self, client_id, username)
    if user is None:
        return None, details  # Cognito (PreventUserExistenceErrors) answers as if it had sent a code
    if user.status is UserStatus.FORCE_CHANGE_PASSWORD or not user.enabled:
        raise NotAuthorizedError("User password cannot be reset in the current state.")
    code = "".join(secrets.choice(string.digits) for _ in range(6))
    user.confirmation_code = code
    user.contact_code_issued_at = time.time()  # type: ignore[attr-defined]
    template = pool.extended_config.get("VerificationMessageTemplate", {})
    body = str(template.get("EmailMessage") or DEFAULT_RESET_MESSAGE).replace("{####}", code)
    _mail(_email(user), str(template.get("EmailSubject") or DEFAULT_RESET_SUBJECT), body)
    return None, details  # no moto-only header with the code: it is in the mail


def _confirm_forgot_password(original: Callable[..., None], self: CognitoIdpBackend, client_id: str, username: str,
                             password: str, confirmation_code: str) -> None:
    pool = next((p for p in self.user_pools.values() if client_id in p.clients), None)
    if pool is None:
        raise ResourceNotFoundError(client_id)
    user = pool._get_user(username)
    if user is None or not user.confirmation_code:
        raise CodeMismatchException("Invalid verification code provided, please try again.")
    if time.time() - float(getattr(user, "contact_code_issued_at", 0)) > RESET_CODE_SECONDS:
        raise ExpiredCodeException("Invalid code provided, please request a code again.")
    if not secrets.compare_digest(user.confirmation_code, confirmation_code or ""):
        raise CodeMismatchException("Invalid verification code provided, please try again.")
    self._validate_password(pool.id, password)
    user.password = password
    user.status = UserStatus.CONFIRMED
    user.confirmation_code = None


# --- TOTP ---------------------------------------------------------------------------------------


def _associate_software_token(original: Callable[..., dict[str, str]], self: CognitoIdpBackend, access_token: str,
                              session: str) -> dict[str, str]:
    answer = dict(original(self, access_token, session))
    secret = base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")
    if access_token:
        _user_of_access_token(self, access_token).contact_pending_totp = secret  # type: ignore[attr-defined]
    else:
        username, pool = self.sessions[session]
        self.admin_get_user(pool.id, username).contact_pending_totp = secret  # type: ignore[attr-defined]
    answer["SecretCode"] = secret
    return answer


def _verify_software_token(original: Callable[..., dict[str, str]], self: CognitoIdpBackend, access_token: str,
                           session: str, user_code: str, friendly_device_name: str) -> dict[str, str]:
    if access_token:
        user = _user_of_access_token(self, access_token)
    else:
        if session not in self.sessions:
            raise NotAuthorizedError("Invalid session for the user.")
        username, pool = self.sessions[session]
        user = self.admin_get_user(pool.id, username)
    pending = getattr(user, "contact_pending_totp", None)
    if not _check_totp(pending, user_code):
        raise EnableSoftwareTokenMfaException()
    answer = original(self, access_token, session, user_code, friendly_device_name)
    user.contact_totp_secret = pending  # type: ignore[attr-defined]
    return answer


def _respond_to_auth_challenge(original: Callable[..., dict[str, Any]], self: CognitoIdpBackend, session: str,
                               client_id: str, challenge_name: str, challenge_responses: dict[str, str]
                               ) -> dict[str, Any]:
    if session not in self.sessions:
        raise NotAuthorizedError("Invalid session for the user, session is expired.")
    username, pool = self.sessions[session]
    user = self.admin_get_user(pool.id, username)
    named = pool._get_user(challenge_responses.get("USERNAME", ""))
    if named is not user:
        # moto acts on whoever USERNAME names; Cognito holds the session to its own user.
        raise NotAuthorizedError("Invalid session for the user.")
    if challenge_name == "SOFTWARE_TOKEN_MFA":
        code = challenge_responses.get("SOFTWARE_TOKEN_MFA_CODE", "")
        if not _check_totp(getattr(user, "contact_totp_secret", None), code):
            raise CodeMismatchException("Invalid code received for user")
    return original(self, session, client_id, challenge_name, challenge_responses)


def _admin_set_user_mfa_preference(original: Callable[..., None], self: CognitoIdpBackend, user_pool_id: str,
                                   username: str, software_token_mfa_settings: dict[str, bool],
                                   sms_mfa_settings: dict[str, bool]) -> None:
    original(self, user_pool_id, username, software_token_mfa_settings, sms_mfa_settings)
    if software_token_mfa_settings and not software_token_mfa_settings.get("Enabled"):
        # Turned off (an administrator's reset): enrolling again starts from a new secret.
        user = self.admin_get_user(user_pool_id, username)
        user.token_verified = False
        user.contact_totp_secret = None  # type: ignore[attr-defined]


# --- tokens ---------------------------------------------------------------------------------------

_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def _lifetime(pool: CognitoIdpUserPool, client_id: str, token_use: str) -> int:
    if _State.token_lifetime is not None:
        return _State.token_lifetime
    client = pool.clients.get(client_id)
    config = client.extended_config if client is not None else {}
    validity, unit_name = {"id": ("IdTokenValidity", "IdToken"),
                           "access": ("AccessTokenValidity", "AccessToken")}[token_use]
    unit = str((config.get("TokenValidityUnits") or {}).get(unit_name, "hours"))
    return int(config.get(validity) or 1) * _UNIT_SECONDS.get(unit, 3600)


def _install_token_lifetimes() -> None:
    original = CognitoIdpUserPool.create_jwt

    @functools.wraps(original)
    def create_jwt(self: CognitoIdpUserPool, client_id: str, username: str, token_use: str,
                   expires_in: int = 60 * 60, extra_data: dict[str, Any] | None = None) -> tuple[str, int]:
        if token_use in {"id", "access"}:
            expires_in = _lifetime(self, client_id, token_use)
        return original(self, client_id, username, token_use, expires_in, extra_data)

    CognitoIdpUserPool.create_jwt = create_jwt  # type: ignore[method-assign]


def revoke_token(backend: CognitoIdpBackend, client_id: str, token: str) -> None:
    """Cognito's RevokeToken: the refresh token and every access token issued from it stop working."""
    for pool in backend.user_pools.values():
        if client_id not in pool.clients:
            continue
        entry = pool.refresh_tokens.get(token)
        if entry is None:
            return  # unknown or revoked already: Cognito answers success
        if entry[0] != client_id:
            raise NotAuthorizedError("Token does not belong to the client.")
        pool.refresh_tokens[token] = None
        origin = entry[2]
        for access_token in list(pool.access_tokens):
            claims = jwt.decode(access_token, options={"verify_signature": False})
            if claims.get("origin_jti") == origin:
                pool.access_tokens.pop(access_token, None)
        return
    raise ResourceNotFoundError(client_id)


def _revoke_token_action(self: CognitoIdpResponse) -> Any:
    client_id = str(self._get_param("ClientId"))
    backend = self._get_region_agnostic_backend()._find_backend_for_clientid(client_id)
    revoke_token(backend, client_id, str(self._get_param("Token")))
    return EmptyResult()


def install_cognito_behaviour(mailbox: Mailbox) -> None:
    """Patch moto's Cognito in this process (idempotent); mail goes to ``mailbox``."""
    _State.mailbox = mailbox
    if getattr(CognitoIdpBackend, _MARKER, False):
        return
    _patch("admin_create_user", _admin_create_user)
    _patch("initiate_auth", _initiate_auth)
    _patch("forgot_password", _forgot_password)
    _patch("confirm_forgot_password", _confirm_forgot_password)
    _patch("associate_software_token", _associate_software_token)
    _patch("verify_software_token", _verify_software_token)
    _patch("respond_to_auth_challenge", _respond_to_auth_challenge)
    _patch("admin_set_user_mfa_preference", _admin_set_user_mfa_preference)
    _install_token_lifetimes()
    CognitoIdpResponse.revoke_token = _revoke_token_action  # type: ignore[attr-defined]
    setattr(CognitoIdpBackend, _MARKER, True)


__all__ = ["install_cognito_behaviour", "revoke_token", "set_token_lifetime", "temporary_password"]
