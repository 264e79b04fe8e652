"""Phone numbers normalise to E.164 so that each customer is one customer."""

from __future__ import annotations

import pytest
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.phone import to_e164


@pytest.mark.parametrize("raw", ["+31612345678", "0031612345678", "31612345678", "+31 6 12345678",
                                 "+31-612345678"])
def test_forms_of_one_number_are_one_number(raw: str) -> None:
    assert to_e164(raw) == "+31612345678"


def test_national_number_needs_a_region() -> None:
    assert to_e164("06 12345678", default_region="NL") == "+31612345678"


@pytest.mark.parametrize("raw", ["", "hello", "+31", "+999123"])
def test_not_a_number_is_refused_by_name(raw: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        to_e164(raw)
    assert refused.value.field == "phone"
    assert repr(raw) in refused.value.message
