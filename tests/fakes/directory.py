"""The directory in memory: teams, users (with their seats), channel accounts with their routing
rules and out-of-office messages, presence and the service settings, with the conditions of the
DynamoDB stores (storage/teams.py, users.py, channel_accounts.py, presence.py, service_settings.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from chalicelib.domain.admin_models import AssignmentPolicy, OutOfOfficeMessage, Profile, RoutingRule, TeamSettings
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.models import ChannelAccount, Page, Role, User
from chalicelib.domain.office_hours import OfficeHours
from chalicelib.domain.seats import NoFreeSeat, seat_change
from chalicelib.domain.service_settings import ServiceSettings
from chalicelib.domain.work_models import DEPARTURE_GRACE, ONLINE_WINDOW, Availability, Presence

from tests.fakes.conversations import ConversationRecords, page_of


class InMemorySettings:
    """``ServiceSettingsStore`` in memory; the users' seats are counted here, as in the table."""

    def __init__(self, settings: ServiceSettings | None = None) -> None:
        self.settings = settings or ServiceSettings()
        self.used = 0

    def read(self) -> ServiceSettings:
        return self.settings

    def cached(self) -> ServiceSettings:
        return self.settings

    def seats_used(self) -> int:
        return self.used

    def update(self, changes: dict[str, Any]) -> ServiceSettings:
        after = ServiceSettings.model_validate({**self.settings.model_dump(), **changes})
        if after.seats < self.used:
            raise Conflict(f"{self.used} seats are in use; change roles to watcher first, then lower "
                           "the number of seats", field="seats")
        self.settings = after
        return after


class InMemoryTeams:
    """``TeamDirectory`` in memory; the round-robin marker is the conversations' (auto_assign writes it)."""

    def __init__(self, records: ConversationRecords) -> None:
        self.records = records
        self.teams: dict[str, TeamSettings] = {}

    def get(self, team_id: str) -> TeamSettings | None:
        return self.teams.get(team_id)

    def cached(self, team_id: str) -> TeamSettings | None:
        return self.get(team_id)

    def require(self, team_id: str) -> TeamSettings:
        team = self.get(team_id)
        if team is None:
            raise NotFound(f"team {team_id} does not exist", field="team_id")
        return team

    def names(self, team_ids: Sequence[str]) -> dict[str, str]:
        return {team_id: self.teams[team_id].name for team_id in dict.fromkeys(team_ids) if team_id in self.teams}

    def exists(self, team_id: str) -> bool:
        return team_id in self.teams

    def create(self, team: TeamSettings) -> TeamSettings:
        if team.id in self.teams:
            raise Conflict(f"team {team.id} exists already", field="id")
        self.teams[team.id] = team
        return team

    def update(self, team_id: str, *, name: str | None = None, assignment: AssignmentPolicy | None = None,
               office_hours: OfficeHours | object | None = ...) -> TeamSettings:
        team = self.teams.get(team_id)
        if team is None:
            raise NotFound(f"team {team_id} does not exist", field="team_id")
        changes: dict[str, Any] = {}
        if name is not None:
            changes["name"] = name
        if assignment is not None:
            changes["assignment"] = assignment
        if office_hours is None or isinstance(office_hours, OfficeHours):
            changes["office_hours"] = office_hours
        self.teams[team_id] = team.model_copy(update=changes)
        return self.teams[team_id]

    def delete(self, team_id: str) -> None:
        if self.teams.pop(team_id, None) is None:
            raise NotFound(f"team {team_id} does not exist", field="team_id")

    def list_teams(self, *, limit: int, cursor: str | None) -> Page[TeamSettings]:
        ordered = sorted(self.teams.values(), key=lambda team: (team.name.lower(), team.id))
        return page_of(ordered, limit, cursor)

    def last_assigned(self, team_id: str) -> str | None:
        return self.records.round_robin.get(team_id)


class InMemoryUsers:
    """``UserDirectory`` in memory, taking and freeing seats of ``settings`` as the table does."""

    def __init__(self, settings: InMemorySettings) -> None:
        self.settings = settings
        self.users: dict[str, User] = {}
        self.profiles: dict[str, Profile] = {}

    def get(self, user_id: str, *, consistent: bool = True) -> User | None:
        return self.users.get(user_id)

    def require(self, user_id: str) -> User:
        user = self.get(user_id)
        if user is None:
            raise NotFound(f"user {user_id} does not exist", field="user_id")
        return user

    def _take_seats(self, delta: int, role: Role) -> None:
        if delta > 0 and self.settings.used >= self.settings.settings.seats:
            raise NoFreeSeat(f"no free seat for the role {role.value}: all seats are in use; make another "
                             "administrator or agent a watcher, or raise the number of seats", field="role")
        self.settings.used += delta

    def create(self, user: User) -> User:
        if user.id in self.users:
            raise Conflict(f"user {user.email} exists already", field="email")
        self._take_seats(seat_change(None, user.role), user.role)
        self.users[user.id] = user
        return user

    def list_users(self, *, limit: int, cursor: str | None) -> Page[User]:
        ordered = sorted(self.users.values(), key=lambda user: (user.email.lower(), user.id))
        return page_of(ordered, limit, cursor)

    def change_role(self, user: User, new_role: Role) -> User:
        if new_role is user.role:
            return user
        stored = self.users.get(user.id)
        if stored is None or stored.role is not user.role:
            raise Conflict(f"the role of {user.email} changed meanwhile; read it again", field="role")
        self._take_seats(seat_change(user.role, new_role), new_role)
        self.users[user.id] = stored.model_copy(update={"role": new_role})
        return user.model_copy(update={"role": new_role})

    def set_teams(self, user: User, team_ids: Sequence[str]) -> User:
        new = tuple(dict.fromkeys(team_ids))
        stored = self.users.get(user.id)
        if stored is None or stored.team_ids != user.team_ids:
            raise Conflict(f"the teams of {user.email} changed meanwhile; read them again", field="team_ids")
        self.users[user.id] = stored.model_copy(update={"team_ids": new})
        return user.model_copy(update={"team_ids": new})

    def member_ids(self, team_id: str, *, limit: int, cursor: str | None) -> Page[str]:
        return page_of(sorted(u.id for u in self.users.values() if team_id in u.team_ids), limit, cursor)

    def has_members(self, team_id: str) -> bool:
        return any(team_id in user.team_ids for user in self.users.values())

    def seats_used(self) -> int:
        return self.settings.used

    def get_profile(self, user: User) -> Profile:
        stored = self.profiles.get(user.id)
        if stored is None:
            return Profile(display_name=user.display_name)
        return stored.model_copy(update={"display_name": user.display_name})

    def put_profile(self, user_id: str, profile: Profile) -> None:
        self.profiles[user_id] = profile
        self.users[user_id] = self.require(user_id).model_copy(update={"display_name": profile.display_name})

    def set_mfa_enabled(self, user_id: str, enabled: bool) -> None:
        self.users[user_id] = self.require(user_id).model_copy(update={"mfa_enabled": enabled})


class InMemoryChannelAccounts:
    """``ChannelAccounts`` in memory: accounts, routing rules and out-of-office messages."""

    def __init__(self) -> None:
        self.accounts: dict[str, ChannelAccount] = {}
        self.rules: list[RoutingRule] = []
        self.replies: dict[str, list[OutOfOfficeMessage]] = {}

    def get(self, account_id: str) -> ChannelAccount | None:
        return self.accounts.get(account_id)

    def cached(self, account_id: str) -> ChannelAccount | None:
        return self.get(account_id)

    def require(self, account_id: str) -> ChannelAccount:
        account = self.get(account_id)
        if account is None:
            raise NotFound(f"channel account {account_id} does not exist", field="account_id")
        return account

    def require_absent(self, account_id: str) -> None:
        if account_id in self.accounts:
            raise Conflict(f"channel account {account_id} exists already", field="id")

    def create(self, account: ChannelAccount) -> ChannelAccount:
        self.require_absent(account.id)
        self.accounts[account.id] = account
        return account

    def update(self, account_id: str, *, name: str | None = None, team_id: str | None = None,
               enabled: bool | None = None) -> ChannelAccount:
        account = self.require(account_id)
        changes = {key: value for key, value in (("name", name), ("team_id", team_id), ("enabled", enabled))
                   if value is not None}
        self.accounts[account_id] = account.model_copy(update=changes)
        return self.accounts[account_id]

    def list_accounts(self, *, limit: int, cursor: str | None) -> Page[ChannelAccount]:
        ordered = sorted(self.accounts.values(), key=lambda account: (account.channel.value, account.id))
        return page_of(ordered, limit, cursor)

    def add_rule(self, rule: RoutingRule) -> RoutingRule:
        self.rules.append(rule)
        return rule

    def routing_rules(self, account_id: str) -> list[RoutingRule]:
        return self.rules_for(account_id)

    def rules_for(self, account_id: str) -> list[RoutingRule]:
        return sorted((rule for rule in self.rules if rule.account_id == account_id),
                      key=lambda rule: (rule.priority, rule.id))

    def list_rules(self, *, limit: int, cursor: str | None) -> Page[RoutingRule]:
        ordered = sorted(self.rules, key=lambda rule: (rule.account_id, rule.priority, rule.id))
        return page_of(ordered, limit, cursor)

    def routed_account_ids(self, team_ids: set[str]) -> set[str]:
        return {rule.account_id for rule in self.rules if rule.team_id in team_ids}

    def delete_rule(self, account_id: str, rule_id: str) -> None:
        rule = next((r for r in self.rules_for(account_id) if r.id == rule_id), None)
        if rule is None:
            raise NotFound(f"routing rule {rule_id} of account {account_id} does not exist", field="rule_id")
        self.rules.remove(rule)

    def auto_replies(self, account_id: str) -> list[OutOfOfficeMessage]:
        return self.out_of_office(account_id)

    def out_of_office(self, account_id: str) -> list[OutOfOfficeMessage]:
        return list(self.replies.get(account_id, []))

    def set_out_of_office(self, account_id: str, messages: list[OutOfOfficeMessage]) -> None:
        self.replies[account_id] = list(messages)


class InMemoryPresences:
    """``Presences`` in memory: each user's last heartbeat per team."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], Presence] = {}

    def record_heartbeat(self, user_id: str, team_ids: Iterable[str], at: datetime,
                         status: Availability = "available") -> list[str]:
        teams = list(dict.fromkeys(team_ids))
        previous = {team_id: self.seen.get((team_id, user_id)) for team_id in teams}
        for team_id in teams:
            self.seen[(team_id, user_id)] = Presence(user_id=user_id, last_seen=at, status=status)
        if status != "available":
            return []
        return [team_id for team_id, before in previous.items()
                if before is None or at - before.last_seen > ONLINE_WINDOW or before.status != "available"]

    def seen_since(self, team_id: str, since: datetime) -> list[Presence]:
        return [entry for (team, _), entry in sorted(self.seen.items()) if team == team_id and entry.last_seen >= since]

    def available_user_ids(self, team_id: str, since: datetime) -> list[str]:
        return [entry.user_id for entry in self.seen_since(team_id, since) if entry.status == "available"]

    def current(self, team_id: str, user_id: str) -> Presence | None:
        return self.seen.get((team_id, user_id))

    def record_departure(self, user_id: str, team_id: str, at: datetime) -> None:
        seen = at - ONLINE_WINDOW + DEPARTURE_GRACE
        previous = self.seen.get((team_id, user_id))
        if previous is None or previous.last_seen >= seen:
            self.seen[(team_id, user_id)] = Presence(user_id=user_id, last_seen=seen,
                                                     status=previous.status if previous else "available")

    def last_seen(self, team_id: str, user_id: str) -> datetime | None:
        found = self.seen.get((team_id, user_id))
        return None if found is None else found.last_seen
