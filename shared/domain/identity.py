"""Who is calling, and what they may do. Every use case takes a Principal and checks it."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.errors import Forbidden, Unauthenticated

from .models import Conversation, Role, User

WORKING_ROLES = frozenset({Role.ADMINISTRATOR, Role.AGENT})


@dataclass(frozen=True)
class Principal:
    user: User
    team_id: str

    @property
    def id(self) -> str:
        return self.user.id


def principal_for(user: User | None, requested_team: str | None) -> Principal:
    """The signed-in user acting in one of their teams (the first one unless they chose)."""
    if user is None or user.role is Role.DISABLED:
        raise Unauthenticated("this user is unknown or disabled")
    if not user.team_ids:
        raise Forbidden("this user belongs to no team")
    team_id = requested_team or user.team_ids[0]
    if team_id not in user.team_ids:
        raise Forbidden(f"you are not a member of team {team_id}", field="team")
    return Principal(user=user, team_id=team_id)


def require_team_member(principal: Principal, conversation: Conversation) -> None:
    if conversation.team_id not in principal.user.team_ids:
        # Same answer as a conversation that does not exist would get elsewhere is tempting,
        # but agents need to know they lack access rather than think it was deleted.
        raise Forbidden(f"conversation {conversation.id} belongs to another team")


def require_working_role(principal: Principal) -> None:
    if principal.user.role not in WORKING_ROLES:
        raise Forbidden(f"role {principal.user.role.value} may not handle conversations")


def require_owner(principal: Principal, conversation: Conversation) -> None:
    if conversation.owner_id != principal.id:
        raise Forbidden(f"conversation {conversation.id} is not assigned to you; pick it up first")


def require_administrator(principal: Principal) -> None:
    if principal.user.role is not Role.ADMINISTRATOR:
        raise Forbidden("only administrators may change this")


def require_statistics_reader(principal: Principal) -> None:
    """The seed's role table: administrators and watchers see statistics, agents do not."""
    if principal.user.role not in {Role.ADMINISTRATOR, Role.WATCHER}:
        raise Forbidden(f"role {principal.user.role.value} may not see statistics")


def require_owner_or_administrator(principal: Principal, conversation: Conversation) -> None:
    if conversation.owner_id != principal.id and principal.user.role is not Role.ADMINISTRATOR:
        raise Forbidden(f"conversation {conversation.id} is assigned to someone else")
