"""Typed domain errors. The route kit (``api/kit.py``) maps each class to one HTTP status code."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises on purpose; ``code`` is a stable machine name."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    code = "invalid_input"


class PayloadTooLarge(DomainError):
    code = "payload_too_large"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class SignatureRejected(DomainError):
    """A webhook whose signature or secret token does not verify."""

    code = "invalid_signature"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class ProviderError(DomainError):
    """The channel's provider refused or did not answer a request made on an administrator's behalf."""

    code = "provider_error"


class WindowClosed(DomainError):
    """A free-text reply outside the channel's customer-service window."""

    code = "window_closed"


class TooManyRequests(DomainError):
    """Too many attempts (sign-in throttling); ``retry_after`` seconds until the next may go."""

    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after


# --- accounts (the user pool's answers, in words a person can act on) ---


class InvitationExpired(Unauthenticated):
    code = "invitation_expired"


class WeakPassword(InvalidInput):
    code = "weak_password"


class WrongCode(InvalidInput):
    code = "wrong_code"


class CodeExpired(InvalidInput):
    code = "code_expired"


class MfaEnrolmentRequired(Forbidden):
    """The service requires MFA of this user, who has not set it up yet."""

    code = "mfa_enrolment_required"
