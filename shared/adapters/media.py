"""The media bucket: inbound media copied from the providers, agents' uploads, and the
short-lived signed URLs through which agents and providers reach them (the bucket is private).

Uploads: an agent asks for a presigned POST (``MediaStore.upload_form``, Signature Version 4) under
the conversation's ``ids.upload_prefix``, whose policy binds the key, the Content-Type and the
declared size (``content-length-range``); the reply names the key, and ``MediaStore.head`` reads
back the size and type S3 stored before the reply is accepted. Inbound: the routing worker copies what a customer
sent from the provider (``InboundMedia``).

The payload of a webhook names the media, so the download is where an attacker would aim our
servers at internal addresses. Every download is therefore checked, in this order:

- the URL's host must be one the adapter names for its provider (``MediaSource.allowed_hosts``);
- the host must resolve to public addresses only (IPv4 inside IPv6 decoded). The one exception
  is the account's own API host on loopback in the local runtime (``Settings.local_runtime``:
  the channel simulator); in AWS the rule is strict, whatever URL an account names;
- the connection goes to the address that was checked (no second DNS lookup to rebind);
- redirects are followed to the same scheme, host and port, or to a host the adapter names as
  its provider's redirect target (``MediaSource.redirect_hosts``: Twilio's API sends media on to
  its CDN), which then passes the same checks (https, public addresses); the provider's
  credentials (the source's headers) are not sent there;
- the size is capped (per channel, 25 MB by default) before and while reading;
- the content type must be on the allow-list (images, PDF and office documents, audio, video,
  vCards). SVG and HTML are not: they could run script when an agent opens them.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin, urlsplit

import boto3
import urllib3
from botocore.config import Config
from botocore.exceptions import ClientError
from chalicelib.channels.base import ChannelAdapter, Credentials, MediaSource, SendFailed
from chalicelib.channels.http import address_problem, pinned_pool
from chalicelib.core.settings import get_settings
from chalicelib.domain import ids
from chalicelib.domain.errors import DomainError
from chalicelib.domain.models import Attachment, Channel, ChannelAccount, MediaRef
from chalicelib.domain.ports.integrations import MediaRefused, StoredObject, UploadForm
from chalicelib.domain.uploads import UPLOAD_URL_SECONDS

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
# Documented inbound limits where a provider's is below our default.
MAX_BYTES_BY_CHANNEL: dict[Channel, int] = {
    Channel.WHATSAPP: 16 * 1024 * 1024,  # audio and video; images are 5 MB
}
SIGNED_URL_SECONDS = 300
# Providers fetch outbound media themselves, some minutes after the send call.
PROVIDER_URL_SECONDS = 3600
MAX_REDIRECTS = 3
CHUNK_BYTES = 64 * 1024
CONNECT_TIMEOUT_SECONDS = 3.0
READ_TIMEOUT_SECONDS = 20.0

ALLOWED_CONTENT_TYPES = frozenset({
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif", "image/bmp",
    "application/pdf",
    "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "text/plain", "text/csv", "text/vcard", "text/x-vcard",
})
ALLOWED_MAJOR_TYPES = frozenset({"audio", "video"})
_GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})

Resolver = Callable[[str, int], list[str]]



@dataclass(frozen=True)
class Downloaded:
    data: bytes
    content_type: str
    filename: str | None = None


def content_type_allowed(content_type: str) -> bool:
    major = content_type.split("/", 1)[0]
    return content_type in ALLOWED_CONTENT_TYPES or major in ALLOWED_MAJOR_TYPES


def simulator_host(account: ChannelAccount) -> str | None:
    """host:port of the account's API when it is on loopback and this is the local runtime (the
    channel simulator), else None. Never trusted because of the URL alone: in AWS a loopback
    URL is refused, whatever an account names."""
    if not get_settings().local_runtime:
        return None
    parts = urlsplit(account.api_base_url)
    return parts.netloc.lower() if (parts.hostname or "").lower() in _LOOPBACK_NAMES else None


def _resolve(host: str, port: int) -> list[str]:
    try:
        return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
    except (socket.gaierror, UnicodeError) as error:
        raise MediaRefused(f"cannot resolve {host}: {error}", permanent=False) from error


def _host_allowed(host: str, netloc: str, allowed: frozenset[str]) -> bool:
    for entry in allowed:
        entry = entry.lower()
        if entry.startswith("."):
            if host.endswith(entry):
                return True
        elif entry in {host, netloc}:
            return True
    return False


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    netloc: str
    port: int
    address: str
    path: str


def _check_url(url: str, allowed: frozenset[str], trusted_loopback: frozenset[str], resolve: Resolver) -> _Target:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    netloc = parts.netloc.lower().rsplit("@", 1)[-1]
    if parts.username or parts.password:
        raise MediaRefused("media URLs with credentials are refused")
    trusted = netloc in trusted_loopback
    if parts.scheme != "https" and not (parts.scheme == "http" and trusted):
        raise MediaRefused(f"media URL scheme {parts.scheme!r} is not https")
    if not host or not _host_allowed(host, netloc, allowed):
        raise MediaRefused(f"media host {host or '(none)'} is not one of the provider's media hosts")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise MediaRefused(f"media URL port is invalid: {error}") from error
    addresses = resolve(host, port)
    if not addresses:
        raise MediaRefused(f"{host} has no address", permanent=False)
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if address_problem(address) is not None and not (trusted and ip.is_loopback):
            raise MediaRefused(f"media host {host} resolves to a non-public address")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(parts.scheme, host, netloc, port, addresses[0], path)


def _open(target: _Target, headers: dict[str, str]) -> urllib3.BaseHTTPResponse:
    pool = pinned_pool(target.scheme, target.host, target.address, target.port,
                       urllib3.Timeout(connect=CONNECT_TIMEOUT_SECONDS, read=READ_TIMEOUT_SECONDS))
    try:
        return pool.urlopen("GET", target.path, headers={**headers, "Host": target.netloc}, redirect=False,
                            retries=False, preload_content=False)
    except urllib3.exceptions.HTTPError as error:
        raise MediaRefused(f"media download failed: {type(error).__name__}", permanent=False) from error


def _read_limited(response: urllib3.BaseHTTPResponse, max_bytes: int) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise MediaRefused(f"media is {declared} bytes; the limit is {max_bytes}")
    chunks: list[bytes] = []
    total = 0
    try:
        for chunk in response.stream(CHUNK_BYTES):
            total += len(chunk)
            if total > max_bytes:
                raise MediaRefused(f"media exceeds the limit of {max_bytes} bytes")
            chunks.append(chunk)
    except urllib3.exceptions.HTTPError as error:
        raise MediaRefused(f"media download broke off: {type(error).__name__}", permanent=False) from error
    return b"".join(chunks)


def download(source: MediaSource, *, max_bytes: int = DEFAULT_MAX_BYTES,
             trusted_loopback: str | frozenset[str] | None = None, declared_type: str | None = None,
             resolve: Resolver = _resolve) -> Downloaded:
    """Fetch one media object under the checks in the module docstring, or raise MediaRefused.
    ``trusted_loopback``: the loopback host:port (or several) of the local simulator."""
    trusted = frozenset({trusted_loopback}) if isinstance(trusted_loopback, str) else trusted_loopback or frozenset()
    url, hosts, headers = source.url, source.allowed_hosts, dict(source.headers)
    for _ in range(MAX_REDIRECTS + 1):
        target = _check_url(url, hosts, trusted, resolve)
        response = _open(target, headers)
        try:
            if response.status in _REDIRECTS:
                location = urljoin(url, response.headers.get("Location", ""))
                moved = urlsplit(location)
                if (moved.scheme, moved.netloc.lower()) != (target.scheme, target.netloc):
                    if not _host_allowed((moved.hostname or "").lower(), moved.netloc.lower(), source.redirect_hosts):
                        raise MediaRefused(f"media redirects to another host ({moved.hostname})")
                    # The provider's own redirect target: checked like any host from here on, and
                    # the credentials for the provider's API stay behind.
                    hosts, headers = source.allowed_hosts | source.redirect_hosts, {}
                url = location
                continue
            if response.status >= 500 or response.status == 429:
                raise MediaRefused(f"media host answered HTTP {response.status}", permanent=False)
            if response.status != 200:
                raise MediaRefused(f"media host answered HTTP {response.status}")
            data = _read_limited(response, max_bytes)
            content_type = (response.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        finally:
            response.release_conn()
        if source.mime_attachment is not None:
            return _mime_attachment(data, source.mime_attachment, max_bytes)
        if content_type in _GENERIC_TYPES and declared_type:
            content_type = declared_type.split(";", 1)[0].strip().lower()
        if not content_type_allowed(content_type):
            raise MediaRefused(f"content type {content_type or '(none)'} is not accepted")
        return Downloaded(data=data, content_type=content_type)
    raise MediaRefused(f"media redirects more than {MAX_REDIRECTS} times")


def _mime_attachment(document: bytes, index: int, max_bytes: int) -> Downloaded:
    # The mail parser loads with the first mail's attachment: the other workers that store media do not need it.
    import email
    import email.policy
    from email.message import EmailMessage
    message = email.message_from_bytes(document, policy=email.policy.default)
    if not isinstance(message, EmailMessage):
        raise MediaRefused("the mail is not a MIME message")
    parts = list(message.iter_attachments())
    if not 0 <= index < len(parts):
        raise MediaRefused(f"the mail has no attachment {index}")
    part = parts[index]
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    if len(data) > max_bytes:
        raise MediaRefused(f"attachment is {len(data)} bytes; the limit is {max_bytes}")
    content_type = part.get_content_type()
    if not content_type_allowed(content_type):
        raise MediaRefused(f"content type {content_type} is not accepted")
    return Downloaded(data=data, content_type=content_type, filename=part.get_filename())


@lru_cache(maxsize=1)
def _s3() -> S3Client:
    # Signature Version 4 for every presigned URL and POST policy (S3 refuses version 2 in newer
    # regions, and version 4 binds the signature to the region and the day).
    return boto3.client("s3", config=Config(signature_version="s3v4"))



class MediaStore:
    """The media bucket (keys from ``storage.keys``: inbound media by message, uploads under the
    conversation's prefix), read and written through presigned URLs that live a few minutes."""

    def __init__(self, bucket: str, client: Callable[[], Any] = _s3) -> None:
        self._bucket = bucket
        self._client = client

    def put(self, key: str, media: Downloaded, filename: str | None) -> Attachment:
        name = media.filename or filename
        extra: dict[str, str] = {}
        if name:
            # Shown as a download with its name, never rendered inline by the browser.
            extra["ContentDisposition"] = _attachment(name)
        self._client().put_object(Bucket=self._bucket, Key=key, Body=media.data, ContentType=media.content_type,
                                  **extra)
        return Attachment(key=key, content_type=media.content_type, filename=name, size=len(media.data))

    def signed_url(self, attachment: Attachment, expires_in: int = SIGNED_URL_SECONDS) -> str:
        url: str = self._client().generate_presigned_url(
            "get_object", ExpiresIn=expires_in, Params={
                "Bucket": self._bucket, "Key": attachment.key,
                # Opened by itself (not inside the app), a file is saved, never rendered in our
                # origin's neighbourhood; shown in an <img> or <video> it plays as before.
                "ResponseContentDisposition": "attachment",
                "ResponseContentType": attachment.content_type})
        return url

    def upload_form(self, key: str, content_type: str, size: int) -> UploadForm:
        """A presigned POST for one object of exactly ``size`` bytes of ``content_type`` at ``key``:
        S3 refuses an upload that breaks the signed policy (another key, type or size)."""
        post = self._client().generate_presigned_post(
            Bucket=self._bucket, Key=key, Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", size, size]],
            ExpiresIn=UPLOAD_URL_SECONDS)
        return UploadForm(url=str(post["url"]), fields={str(k): str(v) for k, v in post["fields"].items()})

    def head(self, key: str) -> StoredObject | None:
        """Size and type of an uploaded object, as S3 stored them (not as the client claimed)."""
        try:
            response = self._client().head_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise
        return StoredObject(size=int(response.get("ContentLength", 0)),
                            content_type=str(response.get("ContentType", "application/octet-stream")))


def _quote(name: str) -> str:
    return quote(name.replace("/", "_").replace("\\", "_"), safe="")


def _attachment(name: str) -> str:
    return f"attachment; filename*=UTF-8''{_quote(name)}"


class ExportFileStore:
    """Finished exports in the media bucket (``resources.EXPORTS_PREFIX``, expired by a lifecycle rule),
    handed out as presigned GETs that save the file under its name (domain/ports/exports.py)."""

    def __init__(self, bucket: str, client: Callable[[], Any] = _s3) -> None:
        self._bucket = bucket
        self._client = client

    def put(self, key: str, body: bytes, *, content_type: str, filename: str) -> None:
        self._client().put_object(Bucket=self._bucket, Key=key, Body=body, ContentType=content_type,
                                  ContentDisposition=_attachment(filename))

    def download_url(self, key: str, *, content_type: str, filename: str, expires_in: int) -> str:
        url: str = self._client().generate_presigned_url("get_object", ExpiresIn=expires_in, Params={
            "Bucket": self._bucket, "Key": key, "ResponseContentDisposition": _attachment(filename),
            "ResponseContentType": content_type})
        return url


class InboundMedia:
    """Copies the media of one inbound message into the bucket (the routing worker's step)."""

    def __init__(self, store: MediaStore, credentials: Callable[[ChannelAccount], Credentials],
                 adapter_for: Callable[[Channel], ChannelAdapter], *, resolve: Resolver = _resolve) -> None:
        self._store = store
        self._credentials = credentials
        self._adapter_for = adapter_for
        self._resolve = resolve

    def copy(self, account: ChannelAccount, message_id: str, refs: list[MediaRef],
             indexes: list[int] | None = None) -> list[Attachment | MediaRefused]:
        """Each media reference becomes an Attachment, or the MediaRefused saying why not.
        ``indexes``: the references' positions among the message's media (a retry copies some)."""
        adapter = self._adapter_for(account.channel)
        results: list[Attachment | MediaRefused] = []
        for index, ref in zip(indexes if indexes is not None else range(len(refs)), refs, strict=True):
            try:
                source = adapter.media_source(account, self._credentials(account), ref)
                media = download(source, max_bytes=MAX_BYTES_BY_CHANNEL.get(account.channel, DEFAULT_MAX_BYTES),
                                 trusted_loopback=simulator_host(account), declared_type=ref.content_type,
                                 resolve=self._resolve)
                key = ids.inbound_media_key(account.id, message_id, index)
                results.append(self._store.put(key, media, ref.filename))
            except MediaRefused as refused:
                results.append(refused)
            except SendFailed as failed:
                results.append(MediaRefused(f"{failed.code}: {failed.message}", permanent=failed.permanent))
            except DomainError as error:
                results.append(MediaRefused(error.message))
        return results
