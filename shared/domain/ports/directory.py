"""Ports of the directory: teams, users, channel accounts, presence, the service settings and
the identity provider."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.admin_models import (
    AssignmentPolicy,
    OutOfOfficeMessage,
    Profile,
    RoutingRule,
    TeamSettings,
)
from chalicelib.domain.models import ChannelAccount, Page, Role, User
from chalicelib.domain.office_hours import OfficeHours
from chalicelib.domain.service_settings import ServiceSettings
from chalicelib.domain.work_models import Availability, Presence


class Presences(Protocol):
    """Heartbeats of signed-in agents, per team."""

    def record_heartbeat(self, user_id: str, team_ids: Iterable[str], at: datetime,
                         status: Availability = "available") -> list[str]:
        """Note the heartbeat (with the status the agent chose) in each team; returns the teams the agent
        became Available in with it (was not, or not within ``ONLINE_WINDOW``)."""

    def seen_since(self, team_id: str, since: datetime) -> list[Presence]:
        """Users of the team seen at ``since`` or later, with their status (eventually consistent)."""

    def available_user_ids(self, team_id: str, since: datetime) -> list[str]:
        """Users of the team seen at ``since`` or later whose status is Available."""

    def current(self, team_id: str, user_id: str) -> Presence | None:
        """One user's last heartbeat in a team with its status (a consistent read)."""

    def record_departure(self, user_id: str, team_id: str, at: datetime) -> None:
        """The user's last connection in the team closed: they count as offline there after a short grace."""

    def last_seen(self, team_id: str, user_id: str) -> datetime | None: ...


class ServiceSettingsStore(Protocol):
    def read(self) -> ServiceSettings:
        """Read now (the administration)."""

    def cached(self) -> ServiceSettings:
        """As the message pipeline reads them (cached per container)."""

    def seats_used(self) -> int: ...

    def update(self, changes: dict[str, Any]) -> ServiceSettings: ...


class IdentityProvider(Protocol):
    def create_user(self, email: str, display_name: str) -> str:
        """Create (and invite) the account; returns its stable user id (the ``sub``)."""

    def delete_user(self, email: str) -> None:
        """Undo ``create_user`` when storing the user failed."""

    def apply_role(self, email: str, role: Role) -> None:
        """Make the account's groups and enabled state match ``role``."""

    def resend_invitation(self, email: str) -> None:
        """A new temporary password and invitation mail for a user who has not signed in yet."""

    def reset_mfa(self, email: str) -> None:
        """Turn the user's authenticator (TOTP) off; they enrol again at the next sign-in."""


class TeamDirectory(Protocol):
    def get(self, team_id: str) -> TeamSettings | None:
        """Read now (the administration)."""

    def cached(self, team_id: str) -> TeamSettings | None:
        """The team as routing, assignment and out-of-office read it for every message: cached per container
        (storage/admin_cache.py)."""

    def require(self, team_id: str) -> TeamSettings: ...

    def names(self, team_ids: Sequence[str]) -> dict[str, str]:
        """The names of these teams by id, in one BatchGetItem; a team that does not exist is left out."""

    def exists(self, team_id: str) -> bool: ...

    def create(self, team: TeamSettings) -> TeamSettings: ...

    def update(self, team_id: str, *, name: str | None = None, assignment: AssignmentPolicy | None = None,
               office_hours: OfficeHours | object | None = ...) -> TeamSettings:
        """Change the given fields; ``office_hours=None`` removes them (always open)."""

    def delete(self, team_id: str) -> None: ...

    def list_teams(self, *, limit: int, cursor: str | None) -> Page[TeamSettings]: ...

    def last_assigned(self, team_id: str) -> str | None:
        """The agent of the team's last automatic assignment (a consistent read: an assignment decided from it is
        written only if it still holds, ``Conversations.auto_assign``)."""


class UserDirectory(Protocol):
    def get(self, user_id: str, *, consistent: bool = True) -> User | None:
        """The user; ``consistent=False`` for the read every request makes (half the cost, a moment late)."""

    def require(self, user_id: str) -> User: ...

    def create(self, user: User) -> User:
        """Store a new user with their team memberships, taking a seat if their role needs one (NoFreeSeat if none is
        free)."""

    def list_users(self, *, limit: int, cursor: str | None) -> Page[User]: ...

    def change_role(self, user: User, new_role: Role) -> User:
        """Move ``user`` (as read) to ``new_role``: conditional on the role still being the one read, and on a free
        seat when the new role takes one."""

    def set_teams(self, user: User, team_ids: Sequence[str]) -> User:
        """Replace the user's teams (as read) and the teams' member items together."""

    def member_ids(self, team_id: str, *, limit: int, cursor: str | None) -> Page[str]: ...

    def has_members(self, team_id: str) -> bool: ...

    def seats_used(self) -> int: ...

    def get_profile(self, user: User) -> Profile: ...

    def put_profile(self, user_id: str, profile: Profile) -> None: ...

    def set_mfa_enabled(self, user_id: str, enabled: bool) -> None:
        """Mirror whether the user has an authenticator (the MFA rule is checked without the pool)."""


class ChannelAccounts(Protocol):
    def get(self, account_id: str) -> ChannelAccount | None:
        """Read now, not cached: the administration shows what the table holds."""

    def cached(self, account_id: str) -> ChannelAccount | None:
        """The account as the message pipeline reads it for every message (cached per container)."""

    def require(self, account_id: str) -> ChannelAccount: ...

    def require_absent(self, account_id: str) -> None: ...

    def create(self, account: ChannelAccount) -> ChannelAccount: ...

    def update(self, account_id: str, *, name: str | None = None, team_id: str | None = None,
               enabled: bool | None = None) -> ChannelAccount: ...

    def list_accounts(self, *, limit: int, cursor: str | None) -> Page[ChannelAccount]: ...

    def add_rule(self, rule: RoutingRule) -> RoutingRule: ...

    def routing_rules(self, account_id: str) -> list[RoutingRule]:
        """The account's rules as routing reads them for every new conversation (cached)."""

    def rules_for(self, account_id: str) -> list[RoutingRule]:
        """The account's rules by ascending priority, read now (the ROUTING partition holds admin-sized data)."""

    def list_rules(self, *, limit: int, cursor: str | None) -> Page[RoutingRule]: ...

    def routed_account_ids(self, team_ids: set[str]) -> set[str]:
        """Accounts with a routing rule to one of these teams."""

    def delete_rule(self, account_id: str, rule_id: str) -> None: ...

    def auto_replies(self, account_id: str) -> list[OutOfOfficeMessage]:
        """The account's out-of-office messages as the out-of-office worker reads them (cached)."""

    def out_of_office(self, account_id: str) -> list[OutOfOfficeMessage]:
        """Read now (the administration)."""

    def set_out_of_office(self, account_id: str, messages: list[OutOfOfficeMessage]) -> None: ...


class SignInAttempts(Protocol):
    """Failed sign-in attempts per account or source address and time window (a conditional counter)."""

    def take(self, kind: str, key: str, window_start: int, window_seconds: int, limit: int) -> bool:
        """One more attempt in this window, if fewer than ``limit`` were made; False when none is left."""

    def give_back(self, kind: str, key: str, window_start: int) -> None:
        """A successful attempt does not count: its slot is returned."""
