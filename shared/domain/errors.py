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


class WindowClosed(DomainError):
    """A free-text reply outside the channel's customer-service window."""

    code = "window_closed"
