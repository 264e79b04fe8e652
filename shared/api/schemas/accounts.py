"""Requests and answers of the accounts routes (sign-in and its challenges, the session,
passwords, MFA), at the API's edge."""

from __future__ import annotations

from typing import Literal

from chalicelib.core.model_base import Model
from chalicelib.domain.accounts import Challenge, SignInStep, TotpEnrolment
from chalicelib.domain.work_models import Availability
from pydantic import ConfigDict, Field

ChallengeName = Literal["NEW_PASSWORD_REQUIRED", "SOFTWARE_TOKEN_MFA"]
_PASSWORD = Field(min_length=1, max_length=256)
_CODE = Field(pattern=r"^\d{6}$", description="six digits")


class _Strict(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChallengeInput(_Strict):
    """The answer to a sign-in challenge: ``new_password`` for NEW_PASSWORD_REQUIRED, ``code`` for
    SOFTWARE_TOKEN_MFA, with the ``session`` the previous step gave."""

    challenge: ChallengeName
    email: str = Field(min_length=3, max_length=320)
    session: str = Field(min_length=20, max_length=2048)
    new_password: str | None = Field(default=None, min_length=1, max_length=256)
    code: str | None = Field(default=None, pattern=r"^\d{6}$")

    def answer(self) -> str | None:
        return self.new_password if self.challenge == "NEW_PASSWORD_REQUIRED" else self.code


class ForgotPasswordInput(_Strict):
    email: str = Field(min_length=3, max_length=320)


class ResetPasswordInput(_Strict):
    email: str = Field(min_length=3, max_length=320)
    code: str = _CODE
    new_password: str = _PASSWORD


class ChangePasswordInput(_Strict):
    current_password: str = _PASSWORD
    new_password: str = _PASSWORD


class TotpCodeInput(_Strict):
    code: str = _CODE


class HeartbeatInput(_Strict):
    """What the agent says of themselves; without a body, Available."""

    status: Availability = "available"


class SignInOut(Model):
    """Either the session (``id_token``, ``access_token``, ``expires_in``; the refresh token goes
    in an HttpOnly cookie, never in the body) or the next step (``challenge`` with ``session``)."""

    id_token: str | None = None
    access_token: str | None = None
    expires_in: int | None = None
    challenge: ChallengeName | None = None
    session: str | None = None

    @classmethod
    def of(cls, step: SignInStep) -> SignInOut:
        if isinstance(step, Challenge):
            return cls(challenge=step.name, session=step.session)
        return cls(id_token=step.id_token, access_token=step.access_token, expires_in=step.expires_in)


class TotpEnrolmentOut(Model):
    secret: str
    otpauth_uri: str

    @classmethod
    def of(cls, enrolment: TotpEnrolment) -> TotpEnrolmentOut:
        return cls(secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri)


class ResetRequestedOut(Model):
    message: str
