"""Service settings: tags by agents, reopen period, seats and auto-deletion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.domain.errors import Conflict

from .accounts import mfa_required_of
from .identity import Principal, require_administrator, require_settings_reader
from .service_settings import ServiceSettings

if TYPE_CHECKING:
    from .patches import ServiceSettingsPatch
    from .ports.directory import ServiceSettingsStore
    from .retention import AutoDeletion


@dataclass(frozen=True)
class SettingsView:
    settings: ServiceSettings
    seats_used: int
    # The change moves the deletion dates of archived conversations (in the reschedule worker).
    rescheduling: bool = False


class ServiceAdministration:
    def __init__(self, settings: ServiceSettingsStore, auto_deletion: AutoDeletion) -> None:
        self._settings = settings
        self._auto_deletion = auto_deletion

    def get(self, principal: Principal) -> SettingsView:
        require_settings_reader(principal)
        return SettingsView(self._settings.read(), self._settings.seats_used())

    def update(self, principal: Principal, patch: ServiceSettingsPatch) -> SettingsView:
        """Change some settings (validated as a whole first). A new auto-deletion period applies
        to the conversations already archived too: their deletion dates move in the background."""
        require_administrator(principal)
        changes = patch.changed()
        before = self._settings.read()
        wanted = ServiceSettings.model_validate({**before.model_dump(), **changes})
        if mfa_required_of(wanted, principal.user) and not principal.user.mfa_enabled:
            raise Conflict("set up your own authenticator app (profile) first: this rule would lock you out",
                           field="mfa_required")
        after = self._settings.update(changes)
        rescheduling = after.auto_delete_days != before.auto_delete_days
        if rescheduling:
            self._auto_deletion.request_reschedule()
        return SettingsView(after, self._settings.seats_used(), rescheduling)
