"""Seats: administrators, agents and supervisors take one each (a supervisor assigns work); the
number of seats is a service setting.

The storage enforces the limit with a condition in the same transaction as the role change
(``storage/users.py``); these rules say what a change costs.
"""

from __future__ import annotations

from chalicelib.domain.errors import Conflict

from .models import Role

# A user belongs to at most this many teams (their item lists them; the web app's switcher shows them).
MAX_TEAMS_PER_USER = 50


class NoFreeSeat(Conflict):
    code = "no_free_seat"


SEAT_ROLES = frozenset({Role.ADMINISTRATOR, Role.AGENT, Role.SUPERVISOR})


def takes_seat(role: Role | None) -> bool:
    return role in SEAT_ROLES


def seat_change(old: Role | None, new: Role) -> int:
    """Seats taken (+1) or freed (-1) by moving a user from ``old`` (None: a new user) to ``new``."""
    return int(takes_seat(new)) - int(takes_seat(old))


def seats_free(seats: int, used: int) -> int:
    return max(0, seats - used)


def default_role_for_new_user(seats: int, used: int) -> Role:
    """New users become agents while seats are free, watchers otherwise."""
    return Role.AGENT if seats_free(seats, used) > 0 else Role.WATCHER
