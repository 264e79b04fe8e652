"""SNS's side of the email channel: the signed HTTPS notifications an SES receipt rule (and SES
feedback) arrive in, and their checks.

SNS messages must be SignatureVersion 2 (SHA256withRSA) with the certificate from an
``sns.<region>.amazonaws.com`` URL, checked before it is fetched. A valid signature only proves
the message came from *some* SNS topic, so the topic must be the account's, and the message
recent. SNS's subscription handshake is a signed POST, confirmed here once verified.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import urllib3
from chalicelib.channels.base import Credentials, invalid_payload
from chalicelib.core.model_base import Model
from chalicelib.domain.errors import InvalidInput, SignatureRejected
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pydantic import ConfigDict, ValidationError

MAX_NOTICE_AGE = timedelta(hours=1)
# Where SNS publishes its signing certificates (and subscription confirmation links).
SNS_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")
_NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_SUBSCRIPTION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")


class SnsNotice(Model):
    model_config = ConfigDict(extra="allow")

    Type: str
    MessageId: str
    TopicArn: str
    Message: str
    Timestamp: str
    # Missing signature fields are an authentication failure (401), not malformed input.
    SignatureVersion: str = ""
    Signature: str = ""
    SigningCertURL: str = ""
    Subject: str | None = None
    SubscribeURL: str | None = None
    Token: str | None = None


def parse_notice(body: bytes) -> SnsNotice:
    try:
        return SnsNotice.model_validate_json(body)
    except ValidationError as error:
        raise invalid_payload(error, "not an SNS message") from error


def string_to_sign(notice: dict[str, Any]) -> bytes:
    """The text SNS signs: ``Name\\nvalue\\n`` for each signed field present, in a fixed order."""
    fields = _NOTIFICATION_FIELDS if notice.get("Type") == "Notification" else _SUBSCRIPTION_FIELDS
    return "".join(f"{name}\n{notice[name]}\n" for name in fields if notice.get(name) is not None).encode()


def sns_url_allowed(url: str, local_host: str | None) -> bool:
    """An https URL on SNS's own host, or (local runtime only) the configured stand-in host."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and SNS_HOST.match(host) and not parts.username:
        return True
    return local_host is not None and parts.scheme in {"http", "https"} and parts.netloc.lower() == local_host


@lru_cache(maxsize=1)
def _http() -> urllib3.PoolManager:
    return urllib3.PoolManager(timeout=urllib3.Timeout(connect=3.0, read=5.0), retries=False)


@lru_cache(maxsize=16)
def fetch_certificate(url: str) -> bytes:
    """The PEM certificate at an (already checked) SNS URL; cached per container."""
    response = _http().request("GET", url, redirect=False)
    if response.status != 200:
        raise SignatureRejected(f"signing certificate not available (HTTP {response.status})",
                                field="SigningCertURL")
    return bytes(response.data)


def visit_subscribe_url(url: str) -> None:
    response = _http().request("GET", url, redirect=False)
    if response.status != 200:
        raise InvalidInput(f"confirming the subscription failed (HTTP {response.status})", field="SubscribeURL")


class SnsVerifier:
    """Authenticates one SNS POST for a channel account and confirms a verified subscription."""

    def __init__(self, *, certificates: Callable[[str], bytes], clock: Callable[[], datetime],
                 confirm: Callable[[str], None]) -> None:
        self._certificates = certificates
        self._clock = clock
        self._confirm = confirm

    def authenticate(self, body: bytes, credentials: Credentials) -> None:
        notice = parse_notice(body)
        # Feedback may be published to a topic of its own (optional ``feedback_topic_arn``).
        topics = {credentials["topic_arn"], *filter(None, [credentials.get("feedback_topic_arn")])}
        if notice.TopicArn not in topics:
            raise SignatureRejected("the message comes from another SNS topic than this account's",
                                    field="TopicArn")
        if notice.SignatureVersion != "2":
            raise SignatureRejected("only SignatureVersion 2 (SHA256withRSA) is accepted", field="SignatureVersion")
        local_host = credentials.get("sns_local_host")
        if not sns_url_allowed(notice.SigningCertURL, local_host):
            raise SignatureRejected("SigningCertURL is not an https URL on sns.<region>.amazonaws.com",
                                    field="SigningCertURL")
        self._verify(notice, body)
        try:
            sent_at = datetime.fromisoformat(notice.Timestamp.replace("Z", "+00:00"))
        except ValueError as error:
            raise SignatureRejected("Timestamp is not ISO 8601", field="Timestamp") from error
        if abs(self._clock() - sent_at) > MAX_NOTICE_AGE:
            raise SignatureRejected("the message is stale (older than an hour) or from the future", field="Timestamp")
        if notice.Type == "SubscriptionConfirmation":
            if not notice.SubscribeURL or not sns_url_allowed(notice.SubscribeURL, local_host):
                raise SignatureRejected("SubscribeURL is not on SNS's host", field="SubscribeURL")
            self._confirm(notice.SubscribeURL)

    def _verify(self, notice: SnsNotice, body: bytes) -> None:
        try:
            signature = base64.b64decode(notice.Signature, validate=True)
            certificate = x509.load_pem_x509_certificate(self._certificates(notice.SigningCertURL))
        except (binascii.Error, ValueError) as error:
            raise SignatureRejected(f"signature or certificate unreadable: {error}", field="Signature") from error
        key = certificate.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise SignatureRejected("the signing certificate has no RSA key", field="SigningCertURL")
        try:
            key.verify(signature, string_to_sign(json.loads(body)), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature as error:
            raise SignatureRejected("the SNS signature does not verify", field="Signature") from error
