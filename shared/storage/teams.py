"""Teams for the administration: name, office hours and assignment policy on the team item;
the list is the TEAMS partition of the ``collection`` index."""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib.domain.admin_models import AssignmentPolicy, TeamSettings
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.models import Page
from chalicelib.domain.office_hours import OfficeHours
from pynamodb.exceptions import DeleteError, PutError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.pagination import ResultIterator

from . import keys
from .admin_cache import TEAMS
from .admin_items import RoundRobinItem
from .items import TableItem, TeamItem
from .repository import _decode_cursor, _encode_cursor

_UNSET = object()


def team_item(team: TeamSettings) -> TeamItem:
    return TeamItem(
        keys.team_pk(team.id), keys.TEAM_SK, team_id=team.id, name=team.name,
        office_hours=team.office_hours.model_dump_json() if team.office_hours else None,
        assignment=team.assignment.model_dump_json(),
        collection_pk=keys.TEAMS_COLLECTION, collection_sk=f"{team.name.lower()}#{team.id}",
    )


def _to_team(item: TeamItem) -> TeamSettings:
    return TeamSettings(
        id=item.team_id, name=item.name,
        office_hours=OfficeHours.model_validate_json(item.office_hours) if item.office_hours else None,
        assignment=AssignmentPolicy.model_validate_json(item.assignment) if item.assignment else AssignmentPolicy(),
    )


def _conditional_failure(error: PutError | UpdateError | DeleteError) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


class TeamStore:
    def get(self, team_id: str) -> TeamSettings | None:
        """Read now (the administration)."""
        try:
            return _to_team(TeamItem.get(keys.team_pk(team_id), keys.TEAM_SK))
        except TeamItem.DoesNotExist:
            return None

    def cached(self, team_id: str) -> TeamSettings | None:
        """The team as routing, assignment and out-of-office read it for every message: cached per
        container (storage/admin_cache.py)."""
        return TEAMS.get(team_id, lambda: self.get(team_id))

    def require(self, team_id: str) -> TeamSettings:
        team = self.get(team_id)
        if team is None:
            raise NotFound(f"team {team_id} does not exist", field="team_id")
        return team

    def names(self, team_ids: Sequence[str]) -> dict[str, str]:
        """The names of these teams by id, in one BatchGetItem; a team that does not exist is left out."""
        if not team_ids:
            return {}
        found = TeamItem.batch_get([(keys.team_pk(team_id), keys.TEAM_SK) for team_id in dict.fromkeys(team_ids)])
        return {item.team_id: item.name for item in found}

    def exists(self, team_id: str) -> bool:
        return self.get(team_id) is not None

    def create(self, team: TeamSettings) -> TeamSettings:
        try:
            team_item(team).save(condition=TeamItem.pk.does_not_exist())
        except PutError as error:
            if _conditional_failure(error):
                raise Conflict(f"team {team.id} exists already", field="id") from error
            raise
        finally:
            TEAMS.invalidate(team.id)
        return team

    def update(self, team_id: str, *, name: str | None = None, assignment: AssignmentPolicy | None = None,
               office_hours: OfficeHours | object | None = _UNSET) -> TeamSettings:
        """Change the given fields; ``office_hours=None`` removes them (always open)."""
        item = TeamItem(keys.team_pk(team_id), keys.TEAM_SK)
        actions: list[Action] = []
        if name is not None:
            actions += [TeamItem.name.set(name), TeamItem.collection_sk.set(f"{name.lower()}#{team_id}")]
        if assignment is not None:
            actions.append(TeamItem.assignment.set(assignment.model_dump_json()))
        if office_hours is None:
            actions.append(TeamItem.office_hours.remove())
        elif isinstance(office_hours, OfficeHours):
            actions.append(TeamItem.office_hours.set(office_hours.model_dump_json()))
        if actions:
            try:
                item.update(actions=actions, condition=TeamItem.pk.exists())
            except UpdateError as error:
                if _conditional_failure(error):
                    raise NotFound(f"team {team_id} does not exist", field="team_id") from error
                raise
            finally:
                TEAMS.invalidate(team_id)
        return self.require(team_id)

    def delete(self, team_id: str) -> None:
        try:
            TeamItem(keys.team_pk(team_id), keys.TEAM_SK).delete(condition=TeamItem.pk.exists())
        except DeleteError as error:
            if _conditional_failure(error):
                raise NotFound(f"team {team_id} does not exist", field="team_id") from error
            raise
        finally:
            TEAMS.invalidate(team_id)

    def list_teams(self, *, limit: int, cursor: str | None) -> Page[TeamSettings]:
        results: ResultIterator[TableItem] = TeamItem.collection.query(
            keys.TEAMS_COLLECTION, limit=limit, last_evaluated_key=_decode_cursor(cursor))
        items = [_to_team(item) for item in results if isinstance(item, TeamItem)]
        return Page[TeamSettings](items=items, next_cursor=_encode_cursor(results.last_evaluated_key))

    # --- round robin ------------------------------------------------------------------------

    def last_assigned(self, team_id: str) -> str | None:
        """The agent of the team's last automatic assignment (a consistent read: an assignment
        decided from it is written only if it still holds, ``ContactRepository.auto_assign``)."""
        try:
            return str(RoundRobinItem.get(keys.team_pk(team_id), keys.ROUND_ROBIN_SK,
                                          consistent_read=True).last_user_id)
        except RoundRobinItem.DoesNotExist:
            return None
