"""People's own accounts: sign-in with its challenges (the new password of an invited user, the
authenticator code), the session's renewal and end, forgotten and changed passwords, TOTP
enrolment and its reset by an administrator, invitations sent again, and the service's MFA rule.

The user pool (Cognito) holds passwords, sessions and authenticator secrets; it sits behind the
``UserPool`` port (``shared/auth.py``). The user record mirrors whether the user has MFA, so that
the rule "MFA required" is checked on every request without asking the pool (``require_mfa``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote

from chalicelib.domain.errors import Forbidden, InvalidInput, MfaEnrolmentRequired, NotFound

from .identity import Principal, require_administrator
from .models import Role, User

if TYPE_CHECKING:
    from .ports.directory import IdentityProvider, UserDirectory
    from .service_settings import ServiceSettings
    from .sign_in_throttle import SignInThrottle

ISSUER = "Open Contact"


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str
    refresh_token: str | None
    expires_in: int


@dataclass(frozen=True)
class Challenge:
    """The pool wants more before it issues tokens: ``NEW_PASSWORD_REQUIRED`` (first sign-in of
    an invited user) or ``SOFTWARE_TOKEN_MFA`` (the code of their authenticator app)."""

    name: str
    session: str


SignInStep = Tokens | Challenge


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str
    otpauth_uri: str


class UserPool(Protocol):
    def sign_in(self, email: str, password: str) -> SignInStep: ...
    def answer(self, challenge: str, email: str, session: str, answer: str) -> SignInStep: ...
    def refresh(self, refresh_token: str) -> Tokens: ...
    def revoke(self, refresh_token: str) -> None: ...
    def forgot_password(self, email: str) -> None: ...
    def reset_password(self, email: str, code: str, new_password: str) -> None: ...
    def change_password(self, access_token: str, current_password: str, new_password: str) -> None: ...
    def totp_secret(self, access_token: str) -> str: ...
    def enable_totp(self, access_token: str, code: str) -> None: ...


class AccessTokens(Protocol):
    def access_subject(self, access_token: str) -> str: ...


def mfa_required_of(settings: ServiceSettings, user: User) -> bool:
    return settings.mfa_required == "everyone" or (
        settings.mfa_required == "administrators" and user.role is Role.ADMINISTRATOR)


def require_mfa(settings: ServiceSettings, principal: Principal) -> None:
    """Refuses a user the service requires MFA of until they have set it up (403
    ``mfa_enrolment_required``); the routes that set it up do not call this."""
    if mfa_required_of(settings, principal.user) and not principal.user.mfa_enabled:
        raise MfaEnrolmentRequired("set up an authenticator app in your profile first: the service requires it")


class Accounts:
    def __init__(self, pool: UserPool, access_tokens: AccessTokens, users: UserDirectory, identity: IdentityProvider,
                 throttle: SignInThrottle) -> None:
        self._pool = pool
        self._access_tokens = access_tokens
        self._users = users
        self._identity = identity
        self._throttle = throttle

    # --- signing in (public) ---

    def sign_in(self, email: str, password: str, source: str) -> SignInStep:
        with self._throttle.attempt(email, source):
            return self._pool.sign_in(email, password)

    def answer(self, challenge: str, email: str, session: str, answer: str, source: str) -> SignInStep:
        with self._throttle.attempt(email, source):
            return self._pool.answer(challenge, email, session, answer)

    def renew(self, refresh_token: str) -> Tokens:
        return self._pool.refresh(refresh_token)

    def sign_out(self, refresh_token: str) -> None:
        self._pool.revoke(refresh_token)

    def forgot_password(self, email: str) -> None:
        self._pool.forgot_password(email)

    def reset_password(self, email: str, code: str, new_password: str, source: str) -> None:
        with self._throttle.attempt(email, source):
            self._pool.reset_password(email, code, new_password)

    # --- the signed-in user's own account ---

    def _own(self, principal: Principal, access_token: str) -> None:
        if self._access_tokens.access_subject(access_token) != principal.id:
            raise Forbidden("the access token belongs to another user", field="X-Access-Token")

    def change_password(self, principal: Principal, access_token: str, current: str, new: str) -> None:
        self._own(principal, access_token)
        self._pool.change_password(access_token, current, new)

    def begin_totp(self, principal: Principal, access_token: str) -> TotpEnrolment:
        """A new authenticator secret, as a key to type and an ``otpauth://`` URI for a QR code."""
        self._own(principal, access_token)
        secret = self._pool.totp_secret(access_token)
        label = quote(f"{ISSUER}:{principal.user.email}")
        uri = f"otpauth://totp/{label}?secret={secret}&issuer={quote(ISSUER)}&algorithm=SHA1&digits=6&period=30"
        return TotpEnrolment(secret=secret, otpauth_uri=uri)

    def confirm_totp(self, principal: Principal, access_token: str, code: str) -> User:
        """The first code from the app proves it holds the secret: MFA is on from the next sign-in."""
        self._own(principal, access_token)
        self._pool.enable_totp(access_token, code)
        self._users.set_mfa_enabled(principal.id, True)
        return principal.user.model_copy(update={"mfa_enabled": True})

    # --- administrators ---

    def reset_mfa(self, principal: Principal, user_id: str) -> User:
        """For a user who lost their authenticator: MFA off; they set it up again (required or not)."""
        require_administrator(principal)
        user = self._users.require(user_id)
        self._identity.reset_mfa(user.email)
        self._users.set_mfa_enabled(user.id, False)
        return user.model_copy(update={"mfa_enabled": False})

    def resend_invitation(self, principal: Principal, user_id: str) -> User:
        require_administrator(principal)
        user = self._users.get(user_id)
        if user is None:
            raise NotFound(f"user {user_id} does not exist", field="user_id")
        if user.role is Role.DISABLED:
            raise InvalidInput("enable the user before sending the invitation again", field="user_id")
        self._identity.resend_invitation(user.email)
        return user
