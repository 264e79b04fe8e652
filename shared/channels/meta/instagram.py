"""Instagram messaging: the Messenger Platform's webhook and Send API for an Instagram
professional account (``object: instagram``; the account id is the Instagram account's id, and
with Instagram Login the API host is graph.instagram.com).

Differences from Messenger: no delivery receipts; ``messaging_seen`` names the message read
(``read.mid``), so reads are tied to provider ids; messages may be flagged ``is_unsupported``
(kept as unsupported) or ``is_deleted`` (ignored); text up to 1000 characters; images, videos
and audio can be sent (no files). The HUMAN_AGENT tag allows replies for 7 days, as on Messenger.
"""

from __future__ import annotations

from typing import ClassVar

from chalicelib.domain.models import Channel

from .messenger import MessengerAdapter


class InstagramAdapter(MessengerAdapter):
    channel = Channel.INSTAGRAM
    webhook_object: ClassVar[str] = "instagram"
    text_limit: ClassVar[int] = 1000
    # Instagram serves attachments from lookaside.fbsbx.com (ig_messaging_cdn) and its own CDNs.
    media_hosts: ClassVar[frozenset[str]] = frozenset({".fbsbx.com", ".fbcdn.net", ".cdninstagram.com"})
    send_attachment_types: ClassVar[frozenset[str]] = frozenset({"image", "video", "audio"})
