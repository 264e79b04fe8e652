"""Request bodies and query parameters of the agent API, validated at the edge."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SignInInput(Strict):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=256)


class ReplyInput(Strict):
    text: str = Field(min_length=1, max_length=100_000)


class ListQuery(Strict):
    view: Literal["new", "mine", "assigned", "all"] = "new"
    sort: Literal["created", "activity"] | None = None
    order: Literal["asc", "desc"] | None = None
    limit: int = Field(default=25, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048)
    team: str | None = Field(default=None, max_length=64)
