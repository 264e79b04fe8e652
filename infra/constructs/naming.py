"""Construct ids derived from resource keys."""

from __future__ import annotations


def pascal(key: str) -> str:
    """``out-of-office`` or ``route_inbound`` -> ``OutOfOffice`` / ``RouteInbound``."""
    return "".join(part[:1].upper() + part[1:] for part in key.replace("_", "-").split("-"))
