"""What is wrong with a request body or a provider's payload, in our words.

Pydantic's messages ("Input should be a valid integer, unable to parse string as an integer",
"Value error, ...") name the library's notions and change between its versions. Every place that
turns a ``ValidationError`` into an answer (the route kit's 400, a webhook's refusal, an unreadable
part of a delivery) words its first problem here, from the error's type and context, and names the
field where it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails


def _ctx(error: ErrorDetails, name: str) -> Any:
    return (error.get("ctx") or {}).get(name)


def _own_words(error: ErrorDetails) -> str:
    """A validator of ours raised ValueError or AssertionError: its message is already ours."""
    reason = _ctx(error, "error")
    text = str(reason) if reason is not None else ""
    return text or "is not valid here"


_WORDING: dict[str, Callable[[ErrorDetails], str]] = {
    "missing": lambda e: "is required",
    "extra_forbidden": lambda e: "is not a field this request takes",
    "string_type": lambda e: "must be a string",
    "string_too_short": lambda e: f"must be at least {_ctx(e, 'min_length')} characters long",
    "string_too_long": lambda e: f"must be at most {_ctx(e, 'max_length')} characters long",
    "string_pattern_mismatch": lambda e: "is not in the expected format",
    "string_unicode": lambda e: "must be valid text (UTF-8)",
    "int_type": lambda e: "must be a whole number",
    "int_parsing": lambda e: "must be a whole number",
    "int_from_float": lambda e: "must be a whole number",
    "float_type": lambda e: "must be a number",
    "float_parsing": lambda e: "must be a number",
    "finite_number": lambda e: "must be a finite number",
    "bool_type": lambda e: "must be true or false",
    "bool_parsing": lambda e: "must be true or false",
    "greater_than": lambda e: f"must be greater than {_ctx(e, 'gt')}",
    "greater_than_equal": lambda e: f"must be {_ctx(e, 'ge')} or more",
    "less_than": lambda e: f"must be less than {_ctx(e, 'lt')}",
    "less_than_equal": lambda e: f"must be {_ctx(e, 'le')} or less",
    "multiple_of": lambda e: f"must be a multiple of {_ctx(e, 'multiple_of')}",
    "too_short": lambda e: f"must have at least {_ctx(e, 'min_length')} item(s)",
    "too_long": lambda e: f"must have at most {_ctx(e, 'max_length')} item(s)",
    "list_type": lambda e: "must be a list",
    "tuple_type": lambda e: "must be a list",
    "set_type": lambda e: "must be a list",
    "dict_type": lambda e: "must be an object",
    "model_type": lambda e: "must be an object",
    "model_attributes_type": lambda e: "must be an object",
    "literal_error": lambda e: f"must be one of {_ctx(e, 'expected')}",
    "enum": lambda e: f"must be one of {_ctx(e, 'expected')}",
    "union_tag_invalid": lambda e: (f"names a kind that does not exist ({_ctx(e, 'tag')!s}); "
                                    f"it must be one of {_ctx(e, 'expected_tags')}"),
    "union_tag_not_found": lambda e: f"must name its kind in {_ctx(e, 'discriminator')}",
    "datetime_type": lambda e: "must be a date and time (ISO 8601, e.g. 2025-01-31T09:30:00Z)",
    "datetime_parsing": lambda e: "must be a date and time (ISO 8601, e.g. 2025-01-31T09:30:00Z)",
    "datetime_from_date_parsing": lambda e: "must be a date and time (ISO 8601, e.g. 2025-01-31T09:30:00Z)",
    "timezone_aware": lambda e: "must say its time zone (e.g. Z or +01:00)",
    "date_type": lambda e: "must be a date (YYYY-MM-DD)",
    "date_parsing": lambda e: "must be a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": lambda e: "must be a date (YYYY-MM-DD)",
    "time_parsing": lambda e: "must be a time of day (HH:MM)",
    "time_type": lambda e: "must be a time of day (HH:MM)",
    "url_parsing": lambda e: "must be a URL",
    "url_type": lambda e: "must be a URL",
    "url_scheme": lambda e: f"must be a URL starting with {_ctx(e, 'expected_schemes')}",
    "uuid_parsing": lambda e: "must be a UUID",
    "uuid_type": lambda e: "must be a UUID",
    "json_invalid": lambda e: "is not valid JSON",
    "json_type": lambda e: "must be JSON",
    "bytes_type": lambda e: "must be text",
    "bytes_too_long": lambda e: f"must be at most {_ctx(e, 'max_length')} bytes long",
    "is_instance_of": lambda e: "is not valid here",
    "value_error": _own_words,
    "assertion_error": _own_words,
}


_OWN_WORDS = {"value_error", "assertion_error"}


def wording(error: ErrorDetails) -> str:
    """One problem in our words (never the library's message)."""
    word = _WORDING.get(error["type"])
    return word(error) if word is not None else "is not valid here"


def where(error: ErrorDetails, prefix: Sequence[str] = ()) -> str:
    """The field a problem is in, dotted (``attachments.0.key``); empty for the body itself.
    Locations of a tagged union lead with the tag; the tag is left out."""
    return ".".join([*prefix, *(str(part) for part in error["loc"])])


def first_problem(failure: ValidationError, prefix: Sequence[str] = (), *,
                  skip_leading: int = 0) -> tuple[str | None, str]:
    """The field of the first problem (None: the body) and the problem, worded as ``<field> <problem>``.
    ``skip_leading``: location parts to leave out (a union's tag)."""
    first = failure.errors()[0]
    located: ErrorDetails = {**first, "loc": tuple(first["loc"])[skip_leading:]}
    field = where(located, prefix) or None
    # A validator of ours speaks for itself after the field's name; the others read on from it.
    joint = ": " if first["type"] in _OWN_WORDS else " "
    return field, f"{field or 'the body'}{joint}{wording(first)}"
