"""Response bodies of the administration API."""

from __future__ import annotations

from chalicelib.core.model_base import Model
from chalicelib.domain.admin_models import ChannelAccountView, OutOfOfficeMessage, RoutingRule, TeamSettings
from chalicelib.domain.consent import ConsentKeywords
from chalicelib.domain.models import Channel, Page, User
from chalicelib.domain.service_admin import SettingsView
from chalicelib.domain.service_settings import MfaRequirement


class UserPage(Page[User]):
    pass


class TeamPage(Page[TeamSettings]):
    pass


class ChannelAccountPage(Page[ChannelAccountView]):
    pass


class RoutingRulePage(Page[RoutingRule]):
    pass


class RoutingRuleList(Model):
    items: list[RoutingRule]


class OutOfOfficeOut(Model):
    account_id: str
    messages: list[OutOfOfficeMessage]


class ServiceSettingsOut(Model):
    agents_may_create_tags: bool
    reopen_days: int
    seats: int
    auto_delete_days: int | None
    one_open_conversation: bool
    consent_keywords: dict[Channel, ConsentKeywords]
    mfa_required: MfaRequirement
    away_after_minutes: int
    seats_used: int
    seats_free: int
    # True when this change moves the deletion dates of the conversations already archived: that
    # happens in the background, within moments (each conversation's date is on the conversation).
    rescheduling: bool

    @classmethod
    def of(cls, view: SettingsView) -> ServiceSettingsOut:
        return cls(**view.settings.model_dump(), seats_used=view.seats_used,
                   seats_free=max(0, view.settings.seats - view.seats_used), rescheduling=view.rescheduling)
