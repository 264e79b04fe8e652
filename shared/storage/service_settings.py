"""Service settings: one small item per setting, its value as JSON.

The administrators' settings API writes them; the use cases read them with a default, so an
installation works before anyone configured anything.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from . import keys
from .items import SettingItem

T = TypeVar("T")


class SettingsRepository:
    def get(self, name: str, default: T) -> T:
        """The stored value, or ``default`` when unset or of another JSON type than the default."""
        try:
            item = SettingItem.get(keys.setting_pk(name), keys.SETTING_SK)
        except SettingItem.DoesNotExist:
            return default
        value: Any = json.loads(item.value)
        if isinstance(default, bool) != isinstance(value, bool):
            return default
        if default is not None and not isinstance(value, type(default)):
            return default
        return value  # type: ignore[no-any-return]

    def put(self, name: str, value: Any) -> None:
        SettingItem(keys.setting_pk(name), keys.SETTING_SK, name=name, value=json.dumps(value)).save()
