"""Who the signed-in user is, as the web app reads it once after signing in: the user, the team
they act in, their teams' names (the team switcher) and whether they may create tags."""

from __future__ import annotations

from dataclasses import dataclass

from .identity import Principal
from .models import Team, User
from .ports.directory import TeamDirectory
from .tagging import Tagging


@dataclass(frozen=True)
class SelfView:
    user: User
    team_id: str
    # The user's teams in their order; a team deleted meanwhile shows its id as its name.
    teams: list[Team]
    may_create_tags: bool


class Myself:
    def __init__(self, teams: TeamDirectory, tagging: Tagging) -> None:
        self._teams = teams
        self._tagging = tagging

    def view(self, principal: Principal) -> SelfView:
        names = self._teams.names(principal.user.team_ids)
        teams = [Team(id=team_id, name=names.get(team_id, team_id)) for team_id in principal.user.team_ids]
        return SelfView(user=principal.user, team_id=principal.team_id, teams=teams,
                        may_create_tags=self._tagging.may_create(principal))
