"""The per-container caches of the administrators' settings that every customer message reads
(``chalicelib.adapters.read_cache`` says why a short staleness is acceptable and what is never cached).

The message pipeline reads through these; the administration reads the table directly, so what
an administrator sees is what the table holds. Every storage writer of these items drops the
entry in its own process, so a change applies at once there and within
``read_cache.MAX_AGE_SECONDS`` in every other Lambda container.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.adapters.read_cache import ReadCache

if TYPE_CHECKING:  # what the caches hold is named here only: a store loads the models it reads itself
    from chalicelib.domain.admin_models import OutOfOfficeMessage, RoutingRule, TeamSettings
    from chalicelib.domain.models import ChannelAccount
    from chalicelib.domain.service_settings import ServiceSettings
    from chalicelib.domain.subscription_models import EventSubscription

# By account id: webhooks (enabled?), routing, sending.
ACCOUNTS: ReadCache[str, ChannelAccount | None] = ReadCache("channel accounts")
# By account id: the routing rules in priority order.
ROUTING_RULES: ReadCache[str, list[RoutingRule]] = ReadCache("routing rules")
# By account id: the out-of-office texts.
OUT_OF_OFFICE: ReadCache[str, list[OutOfOfficeMessage]] = ReadCache("out-of-office messages")
# By team id: office hours and assignment policy (None: no such team).
TEAMS: ReadCache[str, TeamSettings | None] = ReadCache("teams")
# One entry (SERVICE_KEY): the service settings.
SERVICE_SETTINGS: ReadCache[str, ServiceSettings] = ReadCache("service settings")
SERVICE_KEY = "service"
# One entry (SUBSCRIPTIONS_KEY): every event subscription (at most 50), for the publishers'
# "does anyone want this event?" and the event worker's fan-out.
SUBSCRIPTIONS: ReadCache[str, tuple[EventSubscription, ...]] = ReadCache("event subscriptions")
SUBSCRIPTIONS_KEY = "all"
