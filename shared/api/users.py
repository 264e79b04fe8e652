"""Users and roles, and each user's own profile."""

from __future__ import annotations

from chalice import Response  # type: ignore[attr-defined]
from chalicelib import wiring
from chalicelib.api.kit import (
    ADMIN,
    ANYONE,
    READERS,
    RouteBlueprint,
    has_body,
    json_answer,
    page_answer,
    page_query,
    parse_body,
)
from chalicelib.api.schemas.admin_inputs import (
    EnableInput,
    InviteUserInput,
    PageQuery,
    RoleInput,
    TeamIdsInput,
)
from chalicelib.api.schemas.admin_outputs import UserPage
from chalicelib.domain.admin_models import Profile
from chalicelib.domain.identity import Principal
from chalicelib.domain.models import User
from chalicelib.domain.patches import ProfilePatch

blueprint = RouteBlueprint(__name__)
documented = blueprint.documented


@documented("/me/profile", "GET", "My profile", access=ANYONE, response=Profile)
def get_profile(principal: Principal) -> Response:
    return json_answer(wiring.users_admin().profile(principal))


@documented("/me/profile", "PATCH", "Change my profile", access=ANYONE, body=ProfilePatch, response=Profile)
def patch_profile(principal: Principal) -> Response:
    return json_answer(wiring.users_admin().update_profile(principal, parse_body(ProfilePatch)))


@documented("/users", "GET", "List users", access=READERS, query=PageQuery, response=UserPage)
def list_users(principal: Principal) -> Response:
    query = page_query()
    page = wiring.users_admin().list_users(principal, limit=query.limit, cursor=query.cursor)
    return page_answer(UserPage, page)


@documented("/users", "POST", "Invite a user (without a role: agent while a seat is free, else watcher)",
            access=ADMIN, body=InviteUserInput, response=User, status=201)
def invite_user(principal: Principal) -> Response:
    body = parse_body(InviteUserInput)
    user = wiring.users_admin().invite(principal, email=body.email, display_name=body.display_name,
                                       role=body.role, team_ids=body.team_ids)
    return json_answer(user, status=201)


@documented("/users/{user_id}", "GET", "One user", access=READERS, response=User)
def get_user(principal: Principal, user_id: str) -> Response:
    return json_answer(wiring.users_admin().get(principal, user_id))


@documented("/users/{user_id}/role", "PUT", "Change a user's role (409 no_free_seat when the role needs a "
            "seat and none is free)", access=ADMIN, body=RoleInput, response=User)
def change_role(principal: Principal, user_id: str) -> Response:
    return json_answer(wiring.users_admin().change_role(principal, user_id, parse_body(RoleInput).role))


@documented("/users/{user_id}/disable", "POST", "Disable a user: no sign-in, no API, seat freed",
            access=ADMIN, response=User)
def disable_user(principal: Principal, user_id: str) -> Response:
    return json_answer(wiring.users_admin().disable(principal, user_id))


@documented("/users/{user_id}/enable", "POST", "Enable a disabled user", access=ADMIN, body=EnableInput,
            response=User)
def enable_user(principal: Principal, user_id: str) -> Response:
    role = parse_body(EnableInput).role if has_body() else None
    return json_answer(wiring.users_admin().enable(principal, user_id, role))


@documented("/users/{user_id}/teams", "PUT", "Set a user's teams", access=ADMIN, body=TeamIdsInput, response=User)
def set_user_teams(principal: Principal, user_id: str) -> Response:
    return json_answer(wiring.users_admin().set_teams(principal, user_id, parse_body(TeamIdsInput).team_ids))
