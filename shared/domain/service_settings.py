"""The service settings the inbox reads, each with the default an unconfigured installation
gets. The administrators' settings API stores them under these names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Setting(Generic[T]):
    name: str
    default: T


# A customer who writes again within this period after the archive reopens the conversation;
# later, a new conversation starts.
REOPEN_PERIOD_SECONDS = Setting("reopen_period_seconds", int(timedelta(days=7).total_seconds()))
# Whether agents may create tags that are not in the catalogue yet (administrators always may).
AGENTS_MAY_CREATE_TAGS = Setting("agents_may_create_tags", True)
