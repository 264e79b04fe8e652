"""PynamoDB models of the administration's items (see ``items.py`` for the base and the
conversation side). Like every item model they never leave ``storage``.

=======================  ==========================  ==================================  ==================
entity                   pk                          sk                                  collection_pk
=======================  ==========================  ==================================  ==================
service settings         SETTINGS                    SERVICE
team membership          TEAM#<team>                 MEMBER#<user>
round-robin cursor       TEAM#<team>                 ROUND_ROBIN
user profile             USER#<user>                 PROFILE
presence                 PRESENCE#<team>             USER#<user>                         PRESENCE#<team>
routing rule             ROUTING                     RULE#<account>#<priority>#<id>
out-of-office messages   ACCOUNT#<account>           OUT_OF_OFFICE
out-of-office marker     CONV#<conversation>         OOO#<closed period id>
=======================  ==========================  ==================================  ==================

Users, teams and channel accounts (``items.py``) carry ``collection_pk`` = USERS / TEAMS /
ACCOUNTS, so the administrator's lists are one Query on the ``collection`` index.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from .items import CollectionIndex, TableItem


class ServiceSettingsItem(TableItem, discriminator="service_settings"):
    """The service settings, and the seat counter they bound: one item, so a role change can
    take a seat with a condition on both (``seats_used < seats``) in its transaction."""

    agents_may_create_tags = BooleanAttribute()
    reopen_days = NumberAttribute()
    seats = NumberAttribute()
    auto_delete_days = NumberAttribute(null=True)
    seats_used = NumberAttribute(default=0)
    # --- customers ---
    one_open_conversation = BooleanAttribute(null=True)
    # JSON of {channel: ConsentKeywords}.
    consent_keywords = UnicodeAttribute(null=True)
    # --- accounts ---
    mfa_required = UnicodeAttribute(null=True)
    away_after_minutes = NumberAttribute(null=True)


class TeamMemberItem(TableItem, discriminator="team_member"):
    team_id = UnicodeAttribute()
    user_id = UnicodeAttribute()


class RoundRobinItem(TableItem, discriminator="round_robin"):
    """The agent who got the team's last automatic assignment."""

    last_user_id = UnicodeAttribute()


class ProfileItem(TableItem, discriminator="profile"):
    language = UnicodeAttribute(null=True)
    time_zone = UnicodeAttribute(null=True)
    dark_mode = BooleanAttribute(default=False)
    notifications = UnicodeAttribute(default="all")


class PresenceItem(TableItem, discriminator="presence"):
    user_id = UnicodeAttribute()
    team_id = UnicodeAttribute()
    last_seen = UTCDateTimeAttribute()
    # available | away | offline, as the heartbeat said (absent on older items: available).
    status = UnicodeAttribute(null=True)
    expires_at = NumberAttribute()
    collection_pk = UnicodeAttribute()
    collection_sk = UnicodeAttribute()
    collection = CollectionIndex()


class RoutingRuleItem(TableItem, discriminator="routing_rule"):
    rule_id = UnicodeAttribute()
    account_id = UnicodeAttribute()
    team_id = UnicodeAttribute()
    priority = NumberAttribute()
    language = UnicodeAttribute(null=True)
    keyword = UnicodeAttribute(null=True)


class OutOfOfficeItem(TableItem, discriminator="out_of_office"):
    """JSON of the account's list of OutOfOfficeMessage."""

    messages = UnicodeAttribute()


class AutoReplyMarkerItem(TableItem, discriminator="auto_reply_marker"):
    """The out-of-office reply for one closed period went to this conversation, as these messages."""

    closed_period_id = UnicodeAttribute()
    # The customer message that triggered it: a redelivery of that one record publishes again.
    trigger_message_id = UnicodeAttribute()
    message_ids = ListAttribute[str](of=UnicodeAttribute, default=list)  # type: ignore[arg-type]
    sent_at = UTCDateTimeAttribute()
