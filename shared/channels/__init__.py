"""Channel adapters, one per provider, chosen by the channel named in the webhook URL."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import TYPE_CHECKING

from chalicelib.core.settings import get_settings
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.models import Channel, ChannelAccount

if TYPE_CHECKING:
    from chalicelib.domain.work_models import Template

    from .base import ChannelAdapter, WebhookReply

# Each adapter's module is imported when its channel is first asked for, not with this package:
# a function that sends on WhatsApp, or only stores media, does not load the other providers'
# adapters, their payload models and their crypto (tests/unit/test_cold_imports.py).


@cache
def _adapter(channel: Channel) -> ChannelAdapter:
    if channel is Channel.WHATSAPP:
        from .meta.whatsapp import WhatsAppAdapter
        return WhatsAppAdapter()
    if channel is Channel.MESSENGER:
        from .meta.messenger import MessengerAdapter
        return MessengerAdapter()
    if channel is Channel.INSTAGRAM:
        from .meta.instagram import InstagramAdapter
        return InstagramAdapter()
    if channel is Channel.TELEGRAM:
        from .telegram import TelegramAdapter
        return TelegramAdapter()
    if channel is Channel.SMS:
        from .twilio_sms import TwilioSmsAdapter
        return TwilioSmsAdapter()
    if channel is Channel.VIBER:
        from .viber import ViberAdapter
        return ViberAdapter()
    if channel is Channel.EMAIL:
        from .ses import EmailAdapter
        return EmailAdapter()
    if channel is Channel.API:
        from .api_channel import ApiChannelAdapter
        return ApiChannelAdapter()
    raise NotFound(f"channel {channel.value!r} is not supported", field="channel")


def adapter_for(channel: Channel | str) -> ChannelAdapter:
    try:
        known = Channel(channel)
    except ValueError as error:
        raise NotFound(f"channel {channel!r} is not supported", field="channel") from error
    return _adapter(known)


def webhook_reply(channel: Channel | str) -> WebhookReply | None:
    """The answer body this channel's provider expects from its webhook, if it expects one:
    Twilio reads TwiML; the other providers get our JSON."""
    if channel != Channel.SMS:
        return None
    from .twilio_sms import EMPTY_TWIML
    return EMPTY_TWIML


def check_credentials(channel: Channel, values: Mapping[str, str]) -> None:
    """Raise InvalidInput if this channel cannot work with these credentials (on create and rotate).
    The API channel's credentials are ours to define; the providers' follow credential_rules.RULES."""
    if channel is Channel.API:
        from .api_channel import check_credentials as check_api_credentials
        check_api_credentials(values)
        return
    from .credential_rules import check_provider_credentials
    check_provider_credentials(channel, values, local_runtime=get_settings().local_runtime)


class ProviderTemplateReader:
    """The providers' approved templates of an account (domain port ``ProviderTemplates``):
    WhatsApp's business account list; the other channels have no templates."""

    def __init__(self, credentials: Callable[[ChannelAccount], Mapping[str, str]]) -> None:
        self._credentials = credentials

    def approved_templates(self, account: ChannelAccount) -> list[Template]:
        if account.channel is not Channel.WHATSAPP:
            raise InvalidInput(f"{account.channel.value} has no message templates; only WhatsApp accounts do",
                               field="account_id")
        from .meta.whatsapp import WhatsAppAdapter
        adapter = adapter_for(account.channel)
        assert isinstance(adapter, WhatsAppAdapter)
        return adapter.approved_templates(account, dict(self._credentials(account)))
