"""Channel adapters, one per provider, chosen by the channel named in the webhook URL."""

from __future__ import annotations

from chalicelib.domain.models import Channel
from chalicelib.errors import NotFound

from .base import ChannelAdapter
from .instagram import InstagramAdapter
from .mail import EmailAdapter
from .messenger import MessengerAdapter
from .whatsapp import WhatsAppAdapter

_ADAPTERS: dict[Channel, ChannelAdapter] = {
    Channel.WHATSAPP: WhatsAppAdapter(),
    Channel.MESSENGER: MessengerAdapter(),
    Channel.INSTAGRAM: InstagramAdapter(),
    Channel.EMAIL: EmailAdapter(),
}


def adapter_for(channel: Channel | str) -> ChannelAdapter:
    try:
        return _ADAPTERS[Channel(channel)]
    except (KeyError, ValueError) as error:
        raise NotFound(f"channel {channel!r} is not supported", field="channel") from error
