"""Withdrawing push from open sockets: when an administrator disables a user or takes a team from
them, their stored connections in every team they may no longer act in go at once (the fan-out reads
connections from storage, so a removed one is posted to no more); a connection of a team they may
still act in stays, and a failure to withdraw never fails the change itself."""

from __future__ import annotations

import pytest
from chalicelib.domain.admin_models import DEFAULT_TEAM_ID, TeamSettings
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.identity import Principal
from chalicelib.domain.models import Role, User
from chalicelib.domain.ports.push import Connection
from chalicelib.domain.push import PushConnections
from chalicelib.domain.users_admin import UserAdministration

from tests.fakes.conversations import ConversationRecords
from tests.fakes.directory import InMemorySettings, InMemoryTeams, InMemoryUsers


class FakeUserConnections:
    """The connection store as withdrawing reads it (storage/connections.py ``all_of_user``)."""

    def __init__(self, connections: list[Connection]) -> None:
        self.connections = list(connections)
        self.reads = 0
        self.broken = False

    def all_of_user(self, user_id: str) -> list[Connection]:
        self.reads += 1
        if self.broken:
            raise RuntimeError("the table is throttling")
        return [c for c in self.connections if c.user_id == user_id]

    def remove(self, connection: Connection) -> None:
        self.connections.remove(connection)


class FakeIdentity:
    def __init__(self) -> None:
        self.roles: dict[str, Role] = {}

    def create_user(self, email: str, display_name: str) -> str:
        raise NotImplementedError

    def delete_user(self, email: str) -> None:
        raise NotImplementedError

    def apply_role(self, email: str, role: Role) -> None:
        self.roles[email] = role

    def resend_invitation(self, email: str) -> None:
        raise NotImplementedError

    def reset_mfa(self, email: str) -> None:
        raise NotImplementedError


ADMIN = User(id="admin", email="admin@example.com", display_name="Admin", role=Role.ADMINISTRATOR,
             team_ids=(DEFAULT_TEAM_ID,))


class Admin:
    """User administration wired to fakes, with agent ``u`` in teams a and b, connected in both
    (two tabs in a) and a colleague connected in a."""

    def __init__(self, role: Role = Role.AGENT) -> None:
        self.teams = InMemoryTeams(ConversationRecords())
        for team_id in (DEFAULT_TEAM_ID, "a", "b", "c"):
            self.teams.create(TeamSettings(id=team_id, name=team_id))
        settings = InMemorySettings()
        self.users = InMemoryUsers(settings)
        self.users.create(ADMIN)
        self.users.create(User(id="u", email="u@example.com", display_name="U", role=role, team_ids=("a", "b")))
        self.users.create(User(id="v", email="v@example.com", display_name="V", role=Role.AGENT, team_ids=("a",)))
        self.connections = FakeUserConnections([
            Connection("u-a-1", "u", "a"), Connection("u-a-2", "u", "a"), Connection("u-b", "u", "b"),
            Connection("v-a", "v", "a")])
        self.identity = FakeIdentity()
        self.admin = UserAdministration(self.users, self.teams, self.identity, settings=settings,
                                        connections=self.connections)
        self.principal = Principal(ADMIN, DEFAULT_TEAM_ID)

    def ids(self) -> set[str]:
        return {c.connection_id for c in self.connections.connections}


def test_disabling_a_user_removes_every_connection_of_theirs() -> None:
    # Given an agent connected in two teams, and a colleague connected
    world = Admin()
    # When an administrator disables the agent
    disabled = world.admin.disable(world.principal, "u")
    # Then the user is disabled, and none of their connections is left; the colleague's stays
    assert disabled.role is Role.DISABLED
    assert world.identity.roles["u@example.com"] is Role.DISABLED
    assert world.ids() == {"v-a"}


def test_removing_a_user_from_a_team_removes_that_teams_connections_only() -> None:
    world = Admin()
    # When the agent is removed from team a
    changed = world.admin.remove_from_team(world.principal, "a", "u")
    # Then their connections in a are gone, the one in b (still their team) stays, and so does the colleague's
    assert changed.team_ids == ("b",)
    assert world.ids() == {"u-b", "v-a"}


def test_setting_the_teams_removes_the_connections_of_every_team_left() -> None:
    world = Admin()
    world.admin.set_teams(world.principal, "u", ["c"])
    assert world.ids() == {"v-a"}


@pytest.mark.parametrize("role", [Role.WATCHER, Role.ADMINISTRATOR, Role.AGENT])
def test_a_role_change_that_keeps_the_teams_removes_nothing(role: Role) -> None:
    # Given an agent connected in their two teams
    world = Admin()
    # When their role changes and their teams stay
    world.admin.change_role(world.principal, "u", role)
    # Then every connection stays, and none was even read (no team can have been lost)
    assert world.ids() == {"u-a-1", "u-a-2", "u-b", "v-a"}
    assert world.connections.reads == 0


def test_adding_a_team_reads_no_connection() -> None:
    world = Admin()
    world.admin.add_to_team(world.principal, "c", "u")
    assert world.connections.reads == 0
    assert world.ids() == {"u-a-1", "u-a-2", "u-b", "v-a"}


def test_an_account_wide_user_removed_from_a_team_may_still_act_there_and_keeps_the_connection() -> None:
    # Given a supervisor (every team) connected in a, one of their teams
    world = Admin(role=Role.SUPERVISOR)
    # When they are removed from team a
    world.admin.remove_from_team(world.principal, "a", "u")
    # Then they may still act in a (account-wide), so the connection stays
    assert world.ids() == {"u-a-1", "u-a-2", "u-b", "v-a"}


def test_an_account_wide_user_made_an_agent_loses_the_connections_outside_their_teams() -> None:
    # Given a supervisor of teams a and b connected also in c, which is not theirs (account-wide role)
    world = Admin(role=Role.SUPERVISOR)
    world.connections.connections.append(Connection("u-c", "u", "c"))
    # When they become an agent (their own teams only)
    world.admin.change_role(world.principal, "u", Role.AGENT)
    # Then the connection in c goes, the ones in their teams stay
    assert world.ids() == {"u-a-1", "u-a-2", "u-b", "v-a"}


def test_a_failure_to_withdraw_does_not_fail_the_change() -> None:
    # Given the connection store failing
    world = Admin()
    world.connections.broken = True
    # When the agent is disabled
    disabled = world.admin.disable(world.principal, "u")
    # Then the change is made and answered (the connections' next heartbeat removes them: below)
    assert disabled.role is Role.DISABLED
    assert world.users.require("u").role is Role.DISABLED
    assert world.identity.roles["u@example.com"] is Role.DISABLED


class HeartbeatStore:
    def __init__(self, connection: Connection) -> None:
        self.connection: Connection | None = connection

    def get(self, connection_id: str) -> Connection | None:
        return self.connection

    def remove(self, connection: Connection) -> None:
        self.connection = None


def test_a_heartbeat_of_a_user_disabled_since_connecting_is_refused_and_removes_the_connection() -> None:
    # Given a connection the withdrawal missed, of a user disabled since
    world = Admin()
    world.users.change_role(world.users.require("u"), Role.DISABLED)
    store = HeartbeatStore(Connection("u-a-1", "u", "a"))
    push = PushConnections(store, lambda _: "u", world.users.get, world.teams.exists,  # type: ignore[arg-type]
                           presence=None, notices=None, clock=None)  # type: ignore[arg-type]
    # When its heartbeat arrives: Then it is refused, and the connection is gone
    with pytest.raises(Forbidden):
        push.message("u-a-1", '{"action": "heartbeat"}')
    assert store.connection is None
