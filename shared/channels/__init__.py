"""Channel adapters, one per provider, chosen by the channel named in the webhook URL."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from chalicelib.core.settings import get_settings
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.models import Channel, ChannelAccount
from chalicelib.domain.work_models import Template

from . import api_channel
from .base import ChannelAdapter, WebhookReply
from .credential_rules import check_provider_credentials
from .meta.instagram import InstagramAdapter
from .meta.messenger import MessengerAdapter
from .meta.whatsapp import WhatsAppAdapter
from .ses import EmailAdapter
from .telegram import TelegramAdapter
from .twilio_sms import EMPTY_TWIML, TwilioSmsAdapter
from .viber import ViberAdapter

_ADAPTERS: dict[Channel, ChannelAdapter] = {
    Channel.WHATSAPP: WhatsAppAdapter(),
    Channel.MESSENGER: MessengerAdapter(),
    Channel.INSTAGRAM: InstagramAdapter(),
    Channel.TELEGRAM: TelegramAdapter(),
    Channel.SMS: TwilioSmsAdapter(),
    Channel.VIBER: ViberAdapter(),
    Channel.EMAIL: EmailAdapter(),
    Channel.API: api_channel.ApiChannelAdapter(),
}
# Providers that read the body of the webhook's 200 answer; the others get our JSON.
_WEBHOOK_REPLIES: dict[Channel, WebhookReply] = {
    Channel.SMS: EMPTY_TWIML,
}
# The API channel's credentials are ours to define; the providers' follow credential_rules.RULES.
_CREDENTIAL_CHECKS: dict[Channel, Callable[[Mapping[str, str]], None]] = {
    Channel.API: api_channel.check_credentials,
}


def adapter_for(channel: Channel | str) -> ChannelAdapter:
    try:
        return _ADAPTERS[Channel(channel)]
    except (KeyError, ValueError) as error:
        raise NotFound(f"channel {channel!r} is not supported", field="channel") from error


def webhook_reply(channel: Channel | str) -> WebhookReply | None:
    """The answer body this channel's provider expects from its webhook, if it expects one."""
    try:
        return _WEBHOOK_REPLIES.get(Channel(channel))
    except ValueError:
        return None


def check_credentials(channel: Channel, values: Mapping[str, str]) -> None:
    """Raise InvalidInput if this channel cannot work with these credentials (on create and rotate)."""
    check = _CREDENTIAL_CHECKS.get(channel)
    if check is not None:
        check(values)
        return
    check_provider_credentials(channel, values, local_runtime=get_settings().local_runtime)


class ProviderTemplateReader:
    """The providers' approved templates of an account (domain port ``ProviderTemplates``):
    WhatsApp's business account list; the other channels have no templates."""

    def __init__(self, credentials: Callable[[ChannelAccount], Mapping[str, str]]) -> None:
        self._credentials = credentials

    def approved_templates(self, account: ChannelAccount) -> list[Template]:
        adapter = _ADAPTERS.get(account.channel)
        if not isinstance(adapter, WhatsAppAdapter):
            raise InvalidInput(f"{account.channel.value} has no message templates; only WhatsApp accounts do",
                               field="account_id")
        return adapter.approved_templates(account, dict(self._credentials(account)))
