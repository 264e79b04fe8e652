"""Phone numbers in one form: E.164 (``+31612345678``), so that ``0031612345678``,
``+31 6 12345678`` and WhatsApp's ``31612345678`` are one customer."""

from __future__ import annotations

import phonenumbers
from chalicelib.domain.errors import InvalidInput


def to_e164(raw: str, *, default_region: str | None = None) -> str:
    """The E.164 form of ``raw``, or InvalidInput naming the number.

    ``00`` is read as the international prefix; digits without ``+`` or ``00`` are read as
    international (providers such as WhatsApp send them so) unless ``default_region`` is given,
    in which case they are a national number of that region.
    """
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    elif not text.startswith("+") and default_region is None:
        text = "+" + text
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as error:
        raise InvalidInput(f"{raw!r} is not a phone number", field="phone") from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(f"{raw!r} is not a valid phone number", field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def region_of(number: str) -> str | None:
    """The ISO country (region) code of an E.164 number, e.g. "US" or "NL"; None if unknown."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return None
