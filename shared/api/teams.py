"""Teams, their office hours and their members."""

from __future__ import annotations

from chalice import Response  # type: ignore[attr-defined]
from chalicelib import wiring
from chalicelib.api.kit import (
    ADMIN,
    READERS,
    RouteBlueprint,
    json_answer,
    no_content,
    page_answer,
    page_query,
    parse_body,
)
from chalicelib.api.schemas.admin_inputs import (
    TeamInput,
    TeamPatch,
)
from chalicelib.api.schemas.admin_outputs import (
    TeamPage,
    UserPage,
)
from chalicelib.api.schemas.paging import PageQuery
from chalicelib.domain.admin_models import TeamSettings
from chalicelib.domain.identity import Principal
from chalicelib.domain.models import User
from chalicelib.domain.office_hours import OfficeHours

blueprint = RouteBlueprint(__name__)
documented = blueprint.documented


@documented("/teams", "GET", "List teams", access=READERS, query=PageQuery, response=TeamPage)
def list_teams(principal: Principal) -> Response:
    query = page_query()
    page = wiring.teams_admin().list_teams(principal, limit=query.limit, cursor=query.cursor)
    return page_answer(TeamPage, page)


@documented("/teams", "POST", "Create a team", access=ADMIN, body=TeamInput, response=TeamSettings, status=201)
def create_team(principal: Principal) -> Response:
    body = parse_body(TeamInput)
    team = wiring.teams_admin().create(principal, name=body.name, team_id=body.id,
                                       assignment=body.assignment, office_hours=body.office_hours)
    return json_answer(team, status=201)


@documented("/teams/{team_id}", "GET", "One team", access=READERS, response=TeamSettings)
def get_team(principal: Principal, team_id: str) -> Response:
    return json_answer(wiring.teams_admin().get(principal, team_id))


@documented("/teams/{team_id}", "PATCH", "Rename a team or change its assignment policy", access=ADMIN,
            body=TeamPatch, response=TeamSettings)
def patch_team(principal: Principal, team_id: str) -> Response:
    body = parse_body(TeamPatch)
    return json_answer(wiring.teams_admin().update(principal, team_id, name=body.name, assignment=body.assignment))


@documented("/teams/{team_id}", "DELETE", "Delete a team without members (not the default team)", access=ADMIN,
            status=204)
def delete_team(principal: Principal, team_id: str) -> Response:
    wiring.teams_admin().delete(principal, team_id)
    return no_content()


@documented("/teams/{team_id}/office-hours", "PUT", "Set a team's office hours", access=ADMIN, body=OfficeHours,
            response=TeamSettings)
def put_office_hours(principal: Principal, team_id: str) -> Response:
    return json_answer(wiring.teams_admin().set_office_hours(principal, team_id, parse_body(OfficeHours)))


@documented("/teams/{team_id}/office-hours", "DELETE", "Remove a team's office hours (always open)",
            access=ADMIN, response=TeamSettings)
def delete_office_hours(principal: Principal, team_id: str) -> Response:
    return json_answer(wiring.teams_admin().set_office_hours(principal, team_id, None))


@documented("/teams/{team_id}/members", "GET", "Members of a team (agents: their own teams)",
            access=f"{READERS}; agents of the team", query=PageQuery, response=UserPage)
def list_members(principal: Principal, team_id: str) -> Response:
    query = page_query()
    page = wiring.teams_admin().members(principal, team_id, limit=query.limit, cursor=query.cursor)
    return page_answer(UserPage, page)


@documented("/teams/{team_id}/members/{user_id}", "PUT", "Add a user to a team", access=ADMIN, response=User)
def add_member(principal: Principal, team_id: str, user_id: str) -> Response:
    return json_answer(wiring.users_admin().add_to_team(principal, team_id, user_id))


@documented("/teams/{team_id}/members/{user_id}", "DELETE", "Remove a user from a team (not from their last)",
            access=ADMIN, response=User)
def remove_member(principal: Principal, team_id: str, user_id: str) -> Response:
    return json_answer(wiring.users_admin().remove_from_team(principal, team_id, user_id))
