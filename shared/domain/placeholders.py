"""Placeholders in quick replies: {{customer}}, {{agent_first}}, ... filled from the
conversation. What cannot be filled stays visible, and a reply that still holds one is refused."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.domain.errors import InvalidInput

if TYPE_CHECKING:
    from .models import Conversation, User

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
KNOWN = ("customer", "customer_first", "agent", "agent_first")


@dataclass(frozen=True)
class Rendered:
    text: str
    # Placeholders left in the text, in order of first appearance: the agent fills them by hand.
    missing: tuple[str, ...]


def _first(name: str | None) -> str | None:
    if not name or not name.strip():
        return None
    return name.split()[0]


def values_for(conversation: Conversation, agent: User) -> dict[str, str | None]:
    customer = conversation.customer_name.strip() if conversation.customer_name else None
    return {
        "customer": customer or None,
        "customer_first": _first(customer),
        "agent": agent.display_name.strip() or None,
        "agent_first": _first(agent.display_name),
    }


def render(text: str, values: Mapping[str, str | None]) -> Rendered:
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        if value:
            return value
        if match.group(1) not in missing:
            missing.append(match.group(1))
        return match.group(0)

    return Rendered(PLACEHOLDER.sub(fill, text), tuple(missing))


def unresolved(text: str) -> list[str]:
    return list(dict.fromkeys(match.group(1) for match in PLACEHOLDER.finditer(text)))


def refuse_unresolved(text: str, *, field: str = "text") -> None:
    left = unresolved(text)
    if left:
        names = ", ".join("{{" + name + "}}" for name in left)
        raise InvalidInput(f"fill the placeholder{'s' if len(left) > 1 else ''} {names} before sending",
                           field=field)
