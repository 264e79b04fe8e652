"""The service settings item, and the seat counter that lives on it.

``get_service_settings()`` is what the inbox's use cases call (cached per container, see
storage/admin_cache.py); the administration reads ``read_service_settings()``, the table as it
is now. A missing item means the defaults. The seat counter is never cached.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.domain.errors import Conflict
from chalicelib.domain.service_settings import ServiceSettings
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.update import Action

from . import keys
from .admin_cache import SERVICE_KEY, SERVICE_SETTINGS
from .admin_items import ServiceSettingsItem


def _read() -> ServiceSettingsItem | None:
    try:
        return ServiceSettingsItem.get(keys.SETTINGS_PK, keys.SERVICE_SETTINGS_SK, consistent_read=True)
    except ServiceSettingsItem.DoesNotExist:
        return None


def _to_settings(item: ServiceSettingsItem) -> ServiceSettings:
    return ServiceSettings(
        agents_may_create_tags=bool(item.agents_may_create_tags), reopen_days=int(item.reopen_days),
        seats=int(item.seats),
        auto_delete_days=None if item.auto_delete_days is None else int(item.auto_delete_days),
        one_open_conversation=bool(item.one_open_conversation),
        consent_keywords=json.loads(item.consent_keywords) if item.consent_keywords else {},
        mfa_required=item.mfa_required or "nobody",
        **({} if item.away_after_minutes is None else {"away_after_minutes": int(item.away_after_minutes)}),
    )


def read_service_settings() -> ServiceSettings:
    item = _read()
    return ServiceSettings() if item is None else _to_settings(item)


def get_service_settings() -> ServiceSettings:
    return SERVICE_SETTINGS.get(SERVICE_KEY, read_service_settings)


def seats_used() -> int:
    item = _read()
    return 0 if item is None else int(item.seats_used or 0)


def ensure_settings_item() -> None:
    """Create the item with the defaults once, so the seat counter's condition has a limit to
    compare with; a second call (or a concurrent one) changes nothing."""
    defaults = ServiceSettings()
    item = ServiceSettingsItem(
        keys.SETTINGS_PK, keys.SERVICE_SETTINGS_SK, agents_may_create_tags=defaults.agents_may_create_tags,
        reopen_days=defaults.reopen_days, seats=defaults.seats, auto_delete_days=defaults.auto_delete_days,
        seats_used=0,
    )
    try:
        item.save(condition=ServiceSettingsItem.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def update_service_settings(changes: dict[str, Any]) -> ServiceSettings:
    """Apply the changed fields (already validated). Lowering ``seats`` below the seats in use
    is refused in the same conditional update, so it cannot race with a promotion."""
    ensure_settings_item()
    item = ServiceSettingsItem(keys.SETTINGS_PK, keys.SERVICE_SETTINGS_SK)
    actions: list[Action] = []
    condition = None
    for name, value in changes.items():
        attribute = getattr(ServiceSettingsItem, name)
        if name == "consent_keywords" and value is not None:
            value = json.dumps(value)  # a map of lists: stored as one JSON attribute
        actions.append(attribute.remove() if value is None else attribute.set(value))
        if name == "seats":
            condition = ServiceSettingsItem.seats_used <= value
    if not actions:
        return read_service_settings()
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict(f"{seats_used()} seats are in use; change roles to watcher first, then lower "
                           "the number of seats", field="seats") from error
        raise
    finally:
        SERVICE_SETTINGS.invalidate()
    return _to_settings(item)
