"""What each channel can carry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.core.model_base import Model

from .models import Channel
from .window import HUMAN_AGENT_WINDOW_BY_CHANNEL, TEMPLATE_CHANNELS, WINDOW_BY_CHANNEL

if TYPE_CHECKING:
    from .models import Conversation
    from .ports.directory import ChannelAccounts

TEXT_LIMITS: dict[Channel, int] = {
    Channel.WHATSAPP: 4096,
    Channel.MESSENGER: 2000,
    Channel.INSTAGRAM: 1000,
    Channel.TELEGRAM: 4096,
    Channel.SMS: 1600,
    Channel.VIBER: 7000,
    Channel.EMAIL: 100_000,
    # The generic API channel: the integrator's system takes what it documents; this bound only
    # keeps one reply a reasonable request.
    Channel.API: 32_000,
}


# Channels whose replies thread to the customer's last message (In-Reply-To / References).
THREADED_CHANNELS = frozenset({Channel.EMAIL})
# Channels that address customers by phone number: their ids are stored in E.164.
PHONE_CHANNELS = frozenset({Channel.WHATSAPP, Channel.SMS})
# Channels whose bots may write only to people who wrote to them first (Telegram: who started the
# bot; Viber: who subscribed to it). Messenger and Instagram too, within their window
# (window.py), which a conversation the business starts never has.
CUSTOMER_FIRST_CHANNELS = frozenset({Channel.TELEGRAM, Channel.VIBER})


def text_limit(channel: Channel) -> int:
    return TEXT_LIMITS[channel]


# --- media the agents may send, per channel ---------------------------------------------------
# Content types and size limits as the providers publish them (WhatsApp Cloud API media types,
# Messenger 25 MB, Instagram 8 MB images, Telegram bots 50 MB, Viber 50 MB files); a channel
# without an entry carries no media.
#
# Email: SES takes 40 MB per message, counted after encoding. Attachments travel in base64
# (4 bytes for 3, plus a line break every 76 characters), so 28 MB of files become about
# 38.3 MB, which leaves room for the headers and the text: that is the total per reply. Each file
# stays at 10 MB (about 13.7 MB encoded), because many receiving mail servers refuse messages
# above 10 to 25 MB, whatever SES accepts.
#
# SMS: media goes as MMS, which Twilio carries only between US and Canadian numbers (elsewhere
# the carriers have no MMS for it), up to 5 MB for the message and all its media together. The
# images Twilio fully supports (JPEG, PNG, GIF; it resizes them for the carriers) are the types
# listed; it accepts others, but carriers may drop them. Whether a reply may carry media depends
# on the two numbers, so the rule is per message (media_refusal below, checked on compose and in
# the adapter) rather than per account: a US number answering a Dutch customer sends text only.

MAX_ATTACHMENTS = 10
MB = 1024 * 1024

_DOCUMENTS = frozenset({
    "application/pdf", "text/plain", "application/msword", "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
})
_IMAGES = frozenset({"image/jpeg", "image/png"})

MEDIA_LIMITS: dict[Channel, dict[str, int]] = {
    Channel.WHATSAPP: {
        **dict.fromkeys(_IMAGES, 5 * MB),
        **dict.fromkeys(("video/mp4", "video/3gpp"), 16 * MB),
        **dict.fromkeys(("audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"), 16 * MB),
        **dict.fromkeys(_DOCUMENTS, 100 * MB),
    },
    Channel.MESSENGER: {
        **dict.fromkeys((*_IMAGES, "image/gif"), 25 * MB),
        **dict.fromkeys(("video/mp4", "audio/mpeg", "audio/mp4"), 25 * MB),
        **dict.fromkeys(_DOCUMENTS, 25 * MB),
    },
    Channel.INSTAGRAM: dict.fromkeys((*_IMAGES, "image/gif"), 8 * MB),
    Channel.TELEGRAM: {
        **dict.fromkeys((*_IMAGES, "image/gif"), 10 * MB),
        **dict.fromkeys(("video/mp4", "audio/mpeg", "audio/ogg", *_DOCUMENTS), 50 * MB),
    },
    Channel.VIBER: {
        **dict.fromkeys(_IMAGES, 1 * MB),
        **dict.fromkeys(("video/mp4", *_DOCUMENTS), 50 * MB),
    },
    Channel.EMAIL: dict.fromkeys((*_IMAGES, "image/gif", *_DOCUMENTS, "text/csv"), 10 * MB),
    Channel.SMS: dict.fromkeys((*_IMAGES, "image/gif"), 5 * MB),
    # The generic API channel: the integrator fetches each attachment from a signed URL.
    Channel.API: dict.fromkeys((*_IMAGES, "image/gif", "image/webp", *_DOCUMENTS, "text/csv", "video/mp4",
                                "audio/mpeg", "audio/ogg", "audio/mp4"), 25 * MB),
}


# What all attachments of one reply may weigh together, where the provider limits the message.
TOTAL_MEDIA_LIMITS: dict[Channel, int] = {
    Channel.EMAIL: 28 * MB,
    Channel.SMS: 5 * MB,
}
# Channels whose media goes only between numbers of these countries (ISO codes).
MEDIA_COUNTRIES: dict[Channel, tuple[str, ...]] = {
    Channel.SMS: ("US", "CA"),
}


def media_refusal(channel: Channel, sender: str, recipient: str) -> str | None:
    """Why this channel cannot carry media from ``sender`` (the account's number) to
    ``recipient``, or None when it can. A Twilio Messaging Service (``MG...``) picks its sender
    number itself, so only the recipient's country is known beforehand."""
    countries = MEDIA_COUNTRIES.get(channel)
    if countries is None:
        return None
    # Only SMS gets here: the phone number library loads with the first SMS media, not with every
    # module that asks a channel's limits.
    from .phone import region_of
    ends = [("the customer's number", recipient)]
    if not sender.startswith("MG"):
        ends.insert(0, ("the account's number", sender))
    for which, number in ends:
        region = region_of(number)
        if region not in countries:
            return (f"{channel.value} media (MMS) goes only between {' and '.join(countries)} numbers; "
                    f"{which} {number} is {'from ' + region if region else 'of no known country'}: send text only")
    return None


def media_limit(channel: Channel, content_type: str) -> int | None:
    """The largest size this channel takes for this content type, or None if it takes none."""
    return MEDIA_LIMITS.get(channel, {}).get(content_type.split(";")[0].strip().lower())


# --- the whole picture, for the web app ------------------------------------------------------



class MediaCapability(Model):
    content_type: str
    max_bytes: int


class ChannelCapabilities(Model):
    """What one channel can carry and when, so the web app warns before an agent sends what the
    channel cannot take; the same tables are enforced on send."""

    channel: Channel
    max_text_length: int
    max_attachments: int
    media: list[MediaCapability]
    # All attachments of one reply together, where the channel limits that (email, SMS).
    max_total_media_bytes: int | None
    # Media goes only between numbers of these countries (SMS: MMS in the US and Canada).
    media_countries: list[str] | None
    templates: bool
    window_hours: float | None
    human_agent_window_hours: float | None
    threaded_replies: bool


def channel_capabilities(channel: Channel) -> ChannelCapabilities:
    window = WINDOW_BY_CHANNEL.get(channel)
    human_agent = HUMAN_AGENT_WINDOW_BY_CHANNEL.get(channel)
    media = MEDIA_LIMITS.get(channel, {})
    return ChannelCapabilities(
        channel=channel, max_text_length=text_limit(channel),
        max_attachments=MAX_ATTACHMENTS if media else 0,
        media=[MediaCapability(content_type=kind, max_bytes=size) for kind, size in sorted(media.items())],
        max_total_media_bytes=TOTAL_MEDIA_LIMITS.get(channel),
        media_countries=list(MEDIA_COUNTRIES[channel]) if channel in MEDIA_COUNTRIES else None,
        templates=channel in TEMPLATE_CHANNELS,
        window_hours=window.total_seconds() / 3600 if window else None,
        human_agent_window_hours=human_agent.total_seconds() / 3600 if human_agent else None,
        threaded_replies=channel in THREADED_CHANNELS,
    )


def conversation_media_refusal(accounts: ChannelAccounts, conversation: Conversation) -> str | None:
    """Why media cannot go between this conversation's account number and its customer's, or
    None; the account is read only for channels whose media is limited to some countries."""
    if conversation.channel not in MEDIA_COUNTRIES:
        return None
    account = accounts.cached(conversation.account_id)
    sender = account.provider_account_id if account is not None else ""
    return media_refusal(conversation.channel, sender, conversation.customer_id)
