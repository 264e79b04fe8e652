"""User administration: invite, list, change role (seats), disable and enable, teams; and each
user's own profile."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from chalicelib.domain.errors import Conflict, InvalidInput

from .admin_models import DEFAULT_TEAM_ID, Profile
from .identity import Principal, require_administrator, require_settings_reader
from .models import Page, Role, User
from .paging import check_limit
from .push import withdraw_push
from .seats import MAX_TEAMS_PER_USER, NoFreeSeat, default_role_for_new_user

if TYPE_CHECKING:
    from .patches import ProfilePatch
    from .ports.directory import IdentityProvider, ServiceSettingsStore, TeamDirectory, UserDirectory
    from .ports.push import UserConnections

log = logging.getLogger(__name__)


class UserAdministration:
    def __init__(self, users: UserDirectory, teams: TeamDirectory, identity: IdentityProvider, *,
                 settings: ServiceSettingsStore, connections: UserConnections) -> None:
        self._settings = settings
        self._users = users
        self._teams = teams
        self._identity = identity
        self._connections = connections

    def invite(self, principal: Principal, *, email: str, display_name: str, role: Role | None,
               team_ids: Sequence[str]) -> User:
        """Create the account and the user. Without a role the user becomes an agent while a seat
        is free, else a watcher; an explicit administrator or agent needs a free seat."""
        require_administrator(principal)
        if role is Role.DISABLED:
            raise InvalidInput("invite users as administrator, agent or watcher", field="role")
        teams = self._checked_teams(team_ids or [DEFAULT_TEAM_ID])
        user_id = self._identity.create_user(email, display_name)
        try:
            user = self._store_new_user(User(id=user_id, email=email, display_name=display_name,
                                             role=role or Role.AGENT, team_ids=teams), explicit=role is not None)
        except Exception:
            self._identity.delete_user(email)
            raise
        self._identity.apply_role(email, user.role)
        return user

    def _store_new_user(self, user: User, *, explicit: bool) -> User:
        if not explicit:
            settings = self._settings.read()
            user = user.model_copy(update={"role": default_role_for_new_user(settings.seats, self._users.seats_used())})
        try:
            return self._users.create(user)
        except NoFreeSeat:
            if explicit:
                raise
            # The last seat went to someone else meanwhile: the rule says watcher.
            return self._users.create(user.model_copy(update={"role": Role.WATCHER}))

    def list_users(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[User]:
        require_settings_reader(principal)
        check_limit(limit)
        return self._users.list_users(limit=limit, cursor=cursor)

    def get(self, principal: Principal, user_id: str) -> User:
        require_settings_reader(principal)
        return self._users.require(user_id)

    def change_role(self, principal: Principal, user_id: str, role: Role | None) -> User:
        """Set the role (``None``: agent if a seat is free, else watcher, as for a new user).
        A role that takes a seat is refused when none is free (409 ``no_free_seat``)."""
        require_administrator(principal)
        if user_id == principal.id:
            raise Conflict("administrators cannot change their own role; ask another administrator",
                           field="user_id")
        user = self._users.require(user_id)
        if role is None:
            if user.role in (Role.ADMINISTRATOR, Role.AGENT):
                role = user.role
            else:
                settings = self._settings.read()
                role = default_role_for_new_user(settings.seats, self._users.seats_used())
        changed = self._users.change_role(user, role)
        self._withdraw_push(user, changed)
        self._identity.apply_role(changed.email, changed.role)
        return changed

    def disable(self, principal: Principal, user_id: str) -> User:
        return self.change_role(principal, user_id, Role.DISABLED)

    def enable(self, principal: Principal, user_id: str, role: Role | None) -> User:
        if role is Role.DISABLED:
            raise InvalidInput("enable a user as administrator, agent or watcher", field="role")
        return self.change_role(principal, user_id, role)

    def set_teams(self, principal: Principal, user_id: str, team_ids: Sequence[str]) -> User:
        require_administrator(principal)
        user = self._users.require(user_id)
        return self._set_teams(user, team_ids)

    def add_to_team(self, principal: Principal, team_id: str, user_id: str) -> User:
        require_administrator(principal)
        user = self._users.require(user_id)
        if team_id in user.team_ids:
            return user
        return self._set_teams(user, [*user.team_ids, team_id])

    def remove_from_team(self, principal: Principal, team_id: str, user_id: str) -> User:
        require_administrator(principal)
        user = self._users.require(user_id)
        if team_id not in user.team_ids:
            return user
        return self._set_teams(user, [t for t in user.team_ids if t != team_id])

    def _set_teams(self, user: User, team_ids: Sequence[str]) -> User:
        changed = self._users.set_teams(user, self._checked_teams(team_ids))
        self._withdraw_push(user, changed)
        return changed

    def _withdraw_push(self, before: User, after: User) -> None:
        """Stop the live push to the user's open sockets in every team the change took from them.

        The order: the user record changes first, then the connections go. From the change on,
        ``$connect`` and the heartbeat read the new record and refuse the user, so a connection to
        withdraw is one stored before it, which the Query here finds; withdrawing first would miss
        a socket opened in between, and would cut one off for a change then refused (a seat, a
        conflict). A failure here is logged, not raised: the user has changed, and the
        administrator's action must not answer an error for a change that was made. What slips
        through (this failure; a connection the index or ``$connect``'s eventually consistent read
        of the user had not caught up with) is not kept for long: the connection's next heartbeat,
        within a minute, rereads the user, is refused and removes it (``PushConnections.message``)."""
        try:
            withdrawn = withdraw_push(self._connections, before, after, self._teams.exists)
        except Exception:
            log.exception("push connections of a changed user not withdrawn", extra={"user_id": after.id})
            return
        if withdrawn:
            log.info("push connections withdrawn", extra={"user_id": after.id, "connections": len(withdrawn)})

    def _checked_teams(self, team_ids: Sequence[str]) -> tuple[str, ...]:
        unique = tuple(dict.fromkeys(team_ids))
        if not unique:
            raise InvalidInput("a user belongs to at least one team", field="team_ids")
        if len(unique) > MAX_TEAMS_PER_USER:
            raise InvalidInput(f"a user belongs to at most {MAX_TEAMS_PER_USER} teams", field="team_ids")
        for team_id in unique:
            if not self._teams.exists(team_id):
                raise InvalidInput(f"team {team_id} does not exist", field="team_ids")
        return unique

    # --- the user's own profile -------------------------------------------------------------

    def profile(self, principal: Principal) -> Profile:
        return self._users.get_profile(principal.user)

    def update_profile(self, principal: Principal, patch: ProfilePatch) -> Profile:
        current = self._users.get_profile(principal.user)
        updated = Profile.model_validate({**current.model_dump(), **patch.changed()})
        self._users.put_profile(principal.id, updated)
        return updated
