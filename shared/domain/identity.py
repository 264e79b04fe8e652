"""Who is calling, and what they may do. Every use case takes a Principal and checks it.

The roles, as the service defines them:

=============  ==================================  ============  ======  ===============  ==========
role           scope                               conversations assign  settings         statistics
=============  ==================================  ============  ======  ===============  ==========
administrator  every team                          handle        yes     read and change  yes
agent          own work and their teams' work      handle        yes     no access        no
watcher        every team                          read only     no      read only        yes
supervisor     every team                          read, assign  yes     read only        yes
disabled       nothing: cannot sign in or call the API
=============  ==================================  ============  ======  ===============  ==========

Administrators, agents and supervisors take a seat (``domain/seats.py``): the seed's rule is that
whoever acts on conversations takes one and read-only users do not; a supervisor assigns.
A supervisor does not pick up or reply (not a working role) and is never auto-assigned work.
Only supervisors and administrators take a conversation away from the colleague it is assigned
to; an agent assigns New conversations and passes on their own (``lifecycle.ConversationLifecycle.assign``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.domain.errors import Forbidden, Unauthenticated

from .models import Conversation, Role, User

WORKING_ROLES = frozenset({Role.ADMINISTRATOR, Role.AGENT})
# Roles whose scope is the entire account rather than their own teams.
ACCOUNT_WIDE_ROLES = frozenset({Role.ADMINISTRATOR, Role.WATCHER, Role.SUPERVISOR})
SETTINGS_READERS = frozenset({Role.ADMINISTRATOR, Role.WATCHER, Role.SUPERVISOR})
STATISTICS_READERS = frozenset({Role.ADMINISTRATOR, Role.WATCHER, Role.SUPERVISOR})
# Who may assign a conversation to a colleague (the assignee must still have a working role).
ASSIGNING_ROLES = WORKING_ROLES | {Role.SUPERVISOR}
# Cognito groups: one per role that signs in ("disabled" is a state of the user record).
USER_GROUPS = tuple(role.value for role in Role if role is not Role.DISABLED)


@dataclass(frozen=True)
class Principal:
    user: User
    team_id: str

    @property
    def id(self) -> str:
        return self.user.id


def principal_for(user: User | None, requested_team: str | None,
                  team_exists: Callable[[str], bool] | None = None) -> Principal:
    """The signed-in user acting in one of their teams (the first one unless they chose with
    ``?team=``). Administrators and watchers may choose any existing team. The user record is
    read on every request, so disabling a user stops their still-valid token at once."""
    if user is None:
        raise Unauthenticated("this user is unknown")
    if user.role is Role.DISABLED:
        raise Forbidden("this user is disabled")
    if not user.team_ids:
        raise Forbidden("this user belongs to no team")
    team_id = requested_team or user.team_ids[0]
    if team_id not in user.team_ids:
        account_wide = user.role in ACCOUNT_WIDE_ROLES and team_exists is not None and team_exists(team_id)
        if not account_wide:
            raise Forbidden(f"you are not a member of team {team_id}", field="team")
    return Principal(user=user, team_id=team_id)


def may_act_in(user: User, team_id: str, team_exists: Callable[[str], bool]) -> bool:
    """Whether ``principal_for`` lets the user act in the team (what every request and ``$connect`` check)."""
    try:
        principal_for(user, team_id, team_exists)
    except Forbidden:
        return False
    return True


def require_administrator(principal: Principal) -> None:
    if principal.user.role is not Role.ADMINISTRATOR:
        raise Forbidden(f"role {principal.user.role.value} may not change this; administrators only")


def require_settings_reader(principal: Principal) -> None:
    if principal.user.role not in SETTINGS_READERS:
        raise Forbidden(f"role {principal.user.role.value} has no access to settings")


def require_statistics_reader(principal: Principal) -> None:
    if principal.user.role not in STATISTICS_READERS:
        raise Forbidden(f"role {principal.user.role.value} has no access to statistics")


def require_team_member(principal: Principal, conversation: Conversation) -> None:
    if principal.user.role in ACCOUNT_WIDE_ROLES:
        return
    if conversation.team_id not in principal.user.team_ids:
        # Same answer as a conversation that does not exist would get elsewhere is tempting,
        # but agents need to know they lack access rather than think it was deleted.
        raise Forbidden(f"conversation {conversation.id} belongs to another team")


def require_working_role(principal: Principal) -> None:
    if principal.user.role not in WORKING_ROLES:
        raise Forbidden(f"role {principal.user.role.value} may not handle conversations")


def require_assigning_role(principal: Principal) -> None:
    if principal.user.role not in ASSIGNING_ROLES:
        raise Forbidden(f"role {principal.user.role.value} may not assign conversations")


def require_owner(principal: Principal, conversation: Conversation) -> None:
    if conversation.owner_id != principal.id:
        raise Forbidden(f"conversation {conversation.id} is not assigned to you; pick it up first")


def require_owner_or_administrator(principal: Principal, conversation: Conversation) -> None:
    if conversation.owner_id != principal.id and principal.user.role is not Role.ADMINISTRATOR:
        raise Forbidden(f"conversation {conversation.id} is assigned to someone else")
