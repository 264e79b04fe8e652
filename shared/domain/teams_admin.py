"""Team administration: teams, their members, office hours and assignment policy."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

from chalicelib.domain.errors import Conflict, InvalidInput

from .admin_models import DEFAULT_TEAM_ID, AssignmentPolicy, TeamSettings
from .identity import Principal, require_administrator, require_settings_reader
from .models import Page, User
from .paging import check_limit

if TYPE_CHECKING:
    from .office_hours import OfficeHours
    from .ports.directory import TeamDirectory, UserDirectory

_TEAM_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class TeamAdministration:
    def __init__(self, teams: TeamDirectory, users: UserDirectory) -> None:
        self._teams = teams
        self._users = users

    def create(self, principal: Principal, *, name: str, team_id: str | None,
               assignment: AssignmentPolicy | None, office_hours: OfficeHours | None) -> TeamSettings:
        require_administrator(principal)
        team_id = team_id or uuid.uuid4().hex[:12]
        if not _TEAM_ID.match(team_id):
            raise InvalidInput("a team id is 1-63 lowercase letters, digits and dashes", field="id")
        return self._teams.create(TeamSettings(id=team_id, name=name, office_hours=office_hours,
                                               assignment=assignment or AssignmentPolicy()))

    def list_teams(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[TeamSettings]:
        require_settings_reader(principal)
        check_limit(limit)
        return self._teams.list_teams(limit=limit, cursor=cursor)

    def get(self, principal: Principal, team_id: str) -> TeamSettings:
        require_settings_reader(principal)
        return self._teams.require(team_id)

    def update(self, principal: Principal, team_id: str, *, name: str | None,
               assignment: AssignmentPolicy | None) -> TeamSettings:
        require_administrator(principal)
        return self._teams.update(team_id, name=name, assignment=assignment)

    def set_office_hours(self, principal: Principal, team_id: str, hours: OfficeHours | None) -> TeamSettings:
        """Set the team's office hours; None removes them (the team is always open)."""
        require_administrator(principal)
        return self._teams.update(team_id, office_hours=hours)

    def delete(self, principal: Principal, team_id: str) -> None:
        require_administrator(principal)
        if team_id == DEFAULT_TEAM_ID:
            raise Conflict("the default team cannot be deleted: new users and unrouted messages go there",
                           field="team_id")
        self._teams.require(team_id)
        if self._users.has_members(team_id):
            raise Conflict(f"team {team_id} still has members; move them to other teams first", field="team_id")
        self._teams.delete(team_id)

    def members(self, principal: Principal, team_id: str, *, limit: int, cursor: str | None) -> Page[User]:
        """Administrators and watchers see every team's members; agents their own teams' (to
        hand a conversation to a colleague)."""
        if team_id not in principal.user.team_ids:
            require_settings_reader(principal)
        check_limit(limit)
        self._teams.require(team_id)
        page = self._users.member_ids(team_id, limit=limit, cursor=cursor)
        users = [user for user in (self._users.get(user_id) for user_id in page.items) if user is not None]
        return Page[User](items=users, next_cursor=page.next_cursor)
