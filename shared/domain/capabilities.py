"""What each channel can carry."""

from __future__ import annotations

from .models import Channel

TEXT_LIMITS: dict[Channel, int] = {
    Channel.WHATSAPP: 4096,
    Channel.MESSENGER: 2000,
    Channel.INSTAGRAM: 1000,
    Channel.TELEGRAM: 4096,
    Channel.SMS: 1600,
    Channel.VIBER: 7000,
    Channel.EMAIL: 100_000,
}


# Channels whose replies thread to the customer's last message (In-Reply-To / References).
THREADED_CHANNELS = frozenset({Channel.EMAIL})


def text_limit(channel: Channel) -> int:
    return TEXT_LIMITS[channel]
