"""Users and roles, and each user's own profile."""

from __future__ import annotations

from chalice import Response  # type: ignore[attr-defined]
from chalicelib import wiring
from chalicelib.api.kit import (
    ADMIN,
    ANYONE,
    READERS,
    SELF,
    RouteBlueprint,
    has_body,
    json_answer,
    no_content,
    page_answer,
    page_query,
    parse_body,
    request,
)
from chalicelib.api.schemas.accounts import ChangePasswordInput, TotpCodeInput, TotpEnrolmentOut
from chalicelib.api.schemas.admin_inputs import (
    EnableInput,
    InviteUserInput,
    RoleInput,
    TeamIdsInput,
)
from chalicelib.api.schemas.admin_outputs import UserPage
from chalicelib.api.schemas.paging import PageQuery
from chalicelib.domain import errors
from chalicelib.domain.admin_models import Profile
from chalicelib.domain.identity import Principal
from chalicelib.domain.models import User
from chalicelib.domain.patches import ProfilePatch

blueprint = RouteBlueprint(__name__)
documented = blueprint.documented
ACCESS_TOKEN_HEADER = "x-access-token"  # noqa: S105 - a header name


@documented("/me/profile", "GET", "My profile", access=SELF, response=Profile)
def get_profile(principal: Principal) -> Response:
    return json_answer(wiring.users_admin().profile(principal))


@documented("/me/profile", "PATCH", "Change my profile", access=ANYONE, body=ProfilePatch, response=Profile)
def patch_profile(principal: Principal) -> Response:
    return json_answer(wiring.users_admin().update_profile(principal, parse_body(ProfilePatch)))


# --- my own account: Cognito's calls for it take the session's access token (X-Access-Token) ---


def _access_token() -> str:
    token = request().headers.get(ACCESS_TOKEN_HEADER)
    if not token:
        raise errors.InvalidInput("this call needs the session's access token in the X-Access-Token header",
                                  field="X-Access-Token")
    return str(token)


@documented("/me/password", "POST", "Change my password (the session's access token in X-Access-Token)",
            access=SELF, body=ChangePasswordInput, status=204)
def change_password(principal: Principal) -> Response:
    body = parse_body(ChangePasswordInput)
    wiring.accounts().change_password(principal, _access_token(), body.current_password, body.new_password)
    return no_content()


@documented("/me/mfa/totp", "POST", "Start setting up an authenticator app: its secret and otpauth URI (for a QR "
            "code); X-Access-Token", access=SELF, response=TotpEnrolmentOut, status=201)
def begin_totp(principal: Principal) -> Response:
    return json_answer(TotpEnrolmentOut.of(wiring.accounts().begin_totp(principal, _access_token())), status=201)


@documented("/me/mfa/totp", "PUT", "Finish setting up the authenticator app with its first code (400 wrong_code); "
            "sign-in asks for a code from then on; X-Access-Token", access=SELF, body=TotpCodeInput,
            response=User)
def confirm_totp(principal: Principal) -> Response:
    code = parse_body(TotpCodeInput).code
    return json_answer(wiring.accounts().confirm_totp(principal, _access_token(), code))


@documented("/users/{user_id}/invitation", "POST", "Send the invitation again (a new temporary password; 409 "
            "when the user has signed in already)", access=ADMIN, response=User)
def resend_invitation(principal: Principal, user_id: str) -> Response:
    return json_answer(wiring.accounts().resend_invitation(principal, user_id))


@documented("/users/{user_id}/mfa", "DELETE", "Reset a user's MFA (lost authenticator): they set it up again",
            access=ADMIN, response=User)
def reset_user_mfa(principal: Principal, user_id: str) -> Response:
    return json_answer(wiring.accounts().reset_mfa(principal, user_id))


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
