"""Uploads to the media bucket through presigned POSTs, checked against what a channel carries.

Two kinds of upload use this: an agent's attachment for a reply (under the conversation's
``ids.upload_prefix``, compose.py) and an administrator's out-of-office media (under the channel
account's ``ids.out_of_office_upload_prefix``, channel_admin.py). Both are checked twice: the
declared type and size before the form is handed out, and what S3 actually stored before the
object is used. The signed policy of the form binds the upload to the declared size
(``content-length-range``), type and key: S3 refuses a larger file, so the declared size is the
size stored, and the object's type carries no parameters.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.domain.errors import InvalidInput

from .capabilities import media_limit
from .models import Attachment, Channel

if TYPE_CHECKING:
    from .ports.integrations import MediaObjects

# How long a presigned upload URL lives.
UPLOAD_URL_SECONDS = 900

_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Upload:
    """POST a form to ``url`` with ``fields`` and then the file (last, as S3 wants it)."""

    key: str
    url: str
    method: str
    fields: Mapping[str, str]
    size: int
    expires_in: int


def check_media(channel: Channel, content_type: str, size: int, *, what: str, field: str = "content_type") -> None:
    """Refuse (400, naming ``field``) media the channel cannot carry: its type, or its size."""
    limit = media_limit(channel, content_type)
    if limit is None:
        raise InvalidInput(f"{channel.value} cannot carry {content_type} ({what})", field=field)
    if size <= 0 or size > limit:
        raise InvalidInput(f"{what} is {size} bytes; {channel.value} takes {content_type} up to {limit} bytes",
                           field="size" if field == "content_type" else field)


def presigned_upload(media: MediaObjects, channel: Channel, key_for: Callable[[str, str], str], *, filename: str,
                     content_type: str, size: int) -> Upload:
    """A presigned POST for one file the channel takes, exactly ``size`` bytes of ``content_type``,
    at ``key_for(random token, safe filename)`` (the token keeps two files of the same name apart)."""
    check_media(channel, content_type, size, what=filename)
    safe = _UNSAFE_FILENAME.sub("_", filename).strip("._")[:100] or "file"
    key = key_for(uuid.uuid4().hex, safe)
    form = media.upload_form(key, content_type, size)
    return Upload(key=key, url=form.url, method="POST", fields=form.fields, size=size,
                  expires_in=UPLOAD_URL_SECONDS)


def uploaded(media: MediaObjects, channel: Channel, prefix: str, key: str, filename: str | None, *,
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
