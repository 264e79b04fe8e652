"""Who the signed-in user is, as the web app reads it once after signing in: the user, the team
they act in, their teams' names (the team switcher) and whether they may create tags."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .accounts import mfa_required_of
from .models import Team, User
from .service_settings import ServiceSettings

if TYPE_CHECKING:
    from .identity import Principal
    from .ports.directory import TeamDirectory
    from .tags_and_notes import TagsAndNotes


@dataclass(frozen=True)
class SelfView:
    user: User
    team_id: str
    # The user's teams in their order; a team deleted meanwhile shows its id as its name.
    teams: list[Team]
    may_create_tags: bool
    # The service requires an authenticator app of this user (set up or not: user.mfa_enabled).
    mfa_required: bool = False
    # Minutes idle in the web app before the user turns Away (0: never).
    away_after_minutes: int = 0


class Myself:
    def __init__(self, teams: TeamDirectory, tags_and_notes: TagsAndNotes,
                 settings: Callable[[], ServiceSettings] = ServiceSettings) -> None:
        self._teams = teams
        self._tags_and_notes = tags_and_notes
        self._settings = settings

    def view(self, principal: Principal) -> SelfView:
        names = self._teams.names(principal.user.team_ids)
        teams = [Team(id=team_id, name=names.get(team_id, team_id)) for team_id in principal.user.team_ids]
        settings = self._settings()
        return SelfView(user=principal.user, team_id=principal.team_id, teams=teams,
                        may_create_tags=self._tags_and_notes.may_create(principal),
                        mfa_required=mfa_required_of(settings, principal.user),
                        away_after_minutes=settings.away_after_minutes)
