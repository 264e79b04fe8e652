"""The service's settings (seats, auto-deletion, ...)."""

from __future__ import annotations

from chalice import Response  # type: ignore[attr-defined]
from chalicelib import wiring
from chalicelib.api.kit import (
    ADMIN,
    READERS,
    RouteBlueprint,
    json_answer,
    parse_body,
)
from chalicelib.api.schemas.admin_outputs import ServiceSettingsOut
from chalicelib.domain.identity import Principal
from chalicelib.domain.patches import ServiceSettingsPatch

blueprint = RouteBlueprint(__name__)
documented = blueprint.documented


@documented("/settings/service", "GET", "Service settings and seats in use", access=READERS,
            response=ServiceSettingsOut)
def get_service_settings(principal: Principal) -> Response:
    return json_answer(ServiceSettingsOut.of(wiring.service_admin().get(principal)))


@documented("/settings/service", "PATCH", "Change service settings (a new auto_delete_days applies to "
            "conversations already archived: their dates move in the background, rescheduling=true)",
            access=ADMIN, body=ServiceSettingsPatch, response=ServiceSettingsOut)
def patch_service_settings(principal: Principal) -> Response:
    patch = parse_body(ServiceSettingsPatch)
    return json_answer(ServiceSettingsOut.of(wiring.service_admin().update(principal, patch)))
