"""What each channel's credentials must hold, checked when an administrator stores them (on
create and on rotation): the keys the adapter reads, each at least as long as the provider
issues them, and nothing else. An empty or short signing secret would let anyone who guesses it
sign webhooks, so it is refused here rather than trusted at the webhook.

The generic API channel's credentials are ours to define (``api_channel.check_credentials``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import Channel


@dataclass(frozen=True)
class Key:
    min_length: int = 1
    # The whole value must match (None: any text of that length).
    pattern: str | None = None
    what: str = ""


@dataclass(frozen=True)
class CredentialRule:
    required: Mapping[str, Key]
    optional: Mapping[str, Key] = field(default_factory=dict)
    # Keys only the local runtime may store (they point the adapter at a stand-in on loopback).
    local_only: frozenset[str] = frozenset()


# Meta issues 32-hex-character app secrets and long access tokens; the verify token is ours.
_META = CredentialRule(required={
    "app_secret": Key(16, what="the app secret Meta signs webhooks with"),
    "access_token": Key(16, what="the access token"),
    "verify_token": Key(8, what="the token Meta's subscription check echoes"),
})
# WhatsApp also names its business account (WABA), whose approved templates a sync reads.
_WHATSAPP = CredentialRule(required=_META.required, optional={
    "business_account_id": Key(pattern=r"\d{5,32}", what="the WhatsApp Business Account id (digits)")})
_ARN = r"arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}"

RULES: dict[Channel, CredentialRule] = {
    Channel.WHATSAPP: _WHATSAPP,
    Channel.MESSENGER: _META,
    Channel.INSTAGRAM: _META,
    Channel.TELEGRAM: CredentialRule(required={
        "bot_token": Key(20, pattern=r"\d+:[A-Za-z0-9_-]+", what="the bot token BotFather gave (<id>:<secret>)"),
        # Telegram's secret_token: 1-256 of A-Z a-z 0-9 _ -; we ask for enough to be unguessable.
        "secret_token": Key(16, pattern=r"[A-Za-z0-9_-]{16,256}", what="the webhook's secret token"),
    }),
    Channel.SMS: CredentialRule(
        required={
            "account_sid": Key(34, pattern=r"AC[0-9a-fA-F]{32}", what="the Twilio account SID (AC + 32 hex)"),
            "auth_token": Key(16, what="the Twilio auth token Twilio signs webhooks with"),
        },
        optional={"status_callback_url": Key(pattern=r"https?://\S+", what="the status callback URL")}),
    Channel.VIBER: CredentialRule(
        required={"auth_token": Key(16, what="the Viber auth token Viber signs webhooks with")},
        optional={"sender_name": Key(what="the sender name")}),
    Channel.EMAIL: CredentialRule(
        required={"topic_arn": Key(pattern=_ARN, what="the SNS topic ARN SES publishes to")},
        optional={"feedback_topic_arn": Key(pattern=_ARN, what="the SNS topic ARN of bounces and complaints"),
                  "from_address": Key(pattern=r"[^@\s]+@[^@\s]+\.[^@\s]+", what="the sender address"),
                  "from_name": Key(what="the sender name"), "default_subject": Key(what="the default subject"),
                  "sns_local_host": Key(what="the local SNS stand-in's host:port")},
        local_only=frozenset({"sns_local_host"})),
}


def check_provider_credentials(channel: Channel, values: Mapping[str, str], *, local_runtime: bool) -> None:
    """Raise InvalidInput naming the first key that is missing, too short, malformed or unknown."""
    rule = RULES.get(channel)
    if rule is None:
        return
    for name, needed in rule.required.items():
        if not values.get(name, "").strip():
            raise InvalidInput(f"a {channel.value} account needs {name} ({needed.what})", field=f"credentials.{name}")
    for name, value in values.items():
        key = rule.required.get(name) or rule.optional.get(name)
        if key is None:
            allowed = ", ".join([*rule.required, *rule.optional])
            raise InvalidInput(f"unknown {channel.value} credential {name!r}; the channel takes {allowed}",
                               field=f"credentials.{name}")
        if name in rule.local_only and not local_runtime:
            raise InvalidInput(f"{name} is only for the local runtime", field=f"credentials.{name}")
        if len(value) < key.min_length:
            raise InvalidInput(f"{name} is {len(value)} characters; {key.what} has at least {key.min_length}",
                               field=f"credentials.{name}")
        if key.pattern is not None and not re.fullmatch(key.pattern, value):
            raise InvalidInput(f"{name} is not {key.what}", field=f"credentials.{name}")
