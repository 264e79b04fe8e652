"""The query parameters every paged list takes, apart from the administration schemas: the route
kit reads them for every list, and the webhook intake and the push worker import the kit."""

from __future__ import annotations

from chalicelib.core.model_base import Model
from pydantic import ConfigDict, Field


class AdminInput(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PageQuery(AdminInput):
    limit: int = Field(default=25, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048)
    team: str | None = Field(default=None, max_length=64)
