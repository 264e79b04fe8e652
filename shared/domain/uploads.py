"""Uploads to the media bucket through presigned PUTs, checked against what a channel carries.

Two kinds of upload use this: an agent's attachment for a reply (under the conversation's
``keys.upload_prefix``, compose.py) and an administrator's out-of-office media (under the channel
account's ``keys.out_of_office_upload_prefix``, channel_admin.py). Both are checked twice: the
declared type and size before the URL is handed out, and what S3 actually stored before the
object is used.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from chalicelib.adapters.media import UPLOAD_URL_SECONDS, MediaStore
from chalicelib.domain.errors import InvalidInput

from .capabilities import media_limit
from .models import Attachment, Channel

_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Upload:
    key: str
    url: str
    method: str
    headers: Mapping[str, str]
    expires_in: int


def check_media(channel: Channel, content_type: str, size: int, *, what: str, field: str = "content_type") -> None:
    """Refuse (400, naming ``field``) media the channel cannot carry: its type, or its size."""
    limit = media_limit(channel, content_type)
    if limit is None:
        raise InvalidInput(f"{channel.value} cannot carry {content_type} ({what})", field=field)
    if size <= 0 or size > limit:
        raise InvalidInput(f"{what} is {size} bytes; {channel.value} takes {content_type} up to {limit} bytes",
                           field="size" if field == "content_type" else field)


def presigned_upload(media: MediaStore, channel: Channel, key_for: Callable[[str, str], str], *, filename: str,
                     content_type: str, size: int) -> Upload:
    """A presigned PUT for one file the channel takes, at ``key_for(random token, safe filename)``
    (the token keeps two files of the same name apart)."""
    check_media(channel, content_type, size, what=filename)
    safe = _UNSAFE_FILENAME.sub("_", filename).strip("._")[:100] or "file"
    key = key_for(uuid.uuid4().hex, safe)
    return Upload(key=key, url=media.upload_url(key, content_type), method="PUT",
                  headers={"Content-Type": content_type}, expires_in=UPLOAD_URL_SECONDS)


def uploaded(media: MediaStore, channel: Channel, prefix: str, key: str, filename: str | None, *,
             field: str, whose: str) -> Attachment:
    """The object uploaded under ``prefix`` as an attachment, once S3 has it and the channel
    takes what S3 stored (type and size as stored, not as the uploader declared)."""
    if not key.startswith(prefix):
        raise InvalidInput(f"{key!r} was not uploaded for {whose}", field=field)
    stored = media.head(key)
    if stored is None:
        raise InvalidInput(f"{key!r} has not been uploaded (PUT it to the upload URL first)", field=field)
    check_media(channel, stored.content_type, stored.size, what=filename or key, field=field)
    return Attachment(key=key, content_type=stored.content_type, size=stored.size,
                      filename=filename or key.rsplit("/", 1)[-1])
