"""Validation problems are worded by us (shared/core/problems.py), never by the validation library:
every kind of problem a request body can have names its field and says what it must be."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import pytest
from chalicelib.core.problems import first_problem
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="n", min_length=2, max_length=5)
    count: int = Field(default=1, ge=1, le=10)
    flag: bool = False
    kind: Literal["a", "b"] = "a"
    when: datetime | None = None
    items: list[str] = Field(default_factory=list, max_length=2)
    nested: Annotated[dict[str, int], Field(default_factory=dict)]
    code: str = "x"

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if value == "bad":
            raise ValueError("a code must not be 'bad'")
        return value


# Words of the library's own messages that must never reach a caller.
LIBRARY_WORDS = ("Input should", "Field required", "Value error", "String should", "Extra inputs", "pydantic",
                 "unable to parse", "type=", "errors.pydantic.dev")


@pytest.mark.parametrize(("body", "field", "problem"), [
    ({"name": "x"}, "name", "name must be at least 2 characters long"),
    ({"name": "toolong"}, "name", "name must be at most 5 characters long"),
    ({"name": 3}, "name", "name must be a string"),
    ({"count": "many"}, "count", "count must be a whole number"),
    ({"count": 0}, "count", "count must be 1 or more"),
    ({"count": 11}, "count", "count must be 10 or less"),
    ({"flag": "perhaps"}, "flag", "flag must be true or false"),
    ({"kind": "c"}, "kind", "kind must be one of 'a' or 'b'"),
    ({"when": "yesterday"}, "when", "when must be a date and time (ISO 8601"),
    ({"items": ["a", "b", "c"]}, "items", "items must have at most 2 item(s)"),
    ({"items": "a"}, "items", "items must be a list"),
    ({"nested": {"k": "v"}}, "nested.k", "nested.k must be a whole number"),
    ({"nested": []}, "nested", "nested must be an object"),
    ({"surprise": 1}, "surprise", "surprise is not a field this request takes"),
    ({"code": "bad"}, "code", "code: a code must not be 'bad'"),
])
def test_each_problem_is_worded_by_us_and_names_its_field(body, field, problem):
    with pytest.raises(ValidationError) as raised:
        Body.model_validate(body)
    named, message = first_problem(raised.value)
    assert named == field
    assert message.startswith(problem), message
    assert not any(word.lower() in message.lower() for word in LIBRARY_WORDS), message


def test_a_missing_field_and_a_body_that_is_no_object():
    class Needs(BaseModel):
        text: str

    with pytest.raises(ValidationError) as missing:
        Needs.model_validate({})
    assert first_problem(missing.value) == ("text", "text is required")
    with pytest.raises(ValidationError) as not_object:
        Needs.model_validate([1])
    assert first_problem(not_object.value) == (None, "the body must be an object")
    # And a prefix places the field inside a larger payload
    assert first_problem(missing.value, ("messages", "0"))[0] == "messages.0.text"
