"""A stand-in for Amazon SNS in tests: a throwaway RSA key and self-signed certificate, and
messages signed the way SNS signs them (SignatureVersion 2, SHA256withRSA)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.channels.ses.sns import string_to_sign
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:open-contact-mail-support"
CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem"


@dataclass
class SnsSigner:
    key: rsa.RSAPrivateKey
    certificate_pem: bytes

    def sign(self, notice: dict[str, Any], *, cert_url: str = CERT_URL) -> dict[str, Any]:
        signed = {**notice, "SignatureVersion": "2", "SigningCertURL": cert_url}
        signature = self.key.sign(string_to_sign(signed), padding.PKCS1v15(), hashes.SHA256())
        return {**signed, "Signature": base64.b64encode(signature).decode()}


def new_signer() -> SnsSigner:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.now(UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=1)).sign(key, hashes.SHA256()))
    return SnsSigner(key, certificate.public_bytes(serialization.Encoding.PEM))


def ses_received(*, bucket: str, key: str, ses_message_id: str, source: str, timestamp: datetime,
                 virus: str = "PASS") -> str:
    """The SES notification (the SNS Message) for a mail stored by an S3 action."""
    return json.dumps({
        "notificationType": "Received",
        "receipt": {"timestamp": timestamp.isoformat().replace("+00:00", "Z"), "processingTimeMillis": 420,
                    "recipients": ["support@example.com"], "spamVerdict": {"status": "PASS"},
                    "virusVerdict": {"status": virus}, "spfVerdict": {"status": "PASS"},
                    "dkimVerdict": {"status": "PASS"}, "dmarcVerdict": {"status": "PASS"},
                    "action": {"type": "S3", "topicArn": TOPIC_ARN, "bucketName": bucket, "objectKey": key}},
        "mail": {"timestamp": timestamp.isoformat().replace("+00:00", "Z"), "source": source,
                 "messageId": ses_message_id, "destination": ["support@example.com"], "headersTruncated": False,
                 "headers": [], "commonHeaders": {"from": [source], "to": ["support@example.com"]}},
    })


def sns_notification(message: str, *, timestamp: datetime, message_id: str = "b1d3a5e0-0000-4000-8000-000000000001",
                     topic_arn: str = TOPIC_ARN) -> dict[str, Any]:
    return {"Type": "Notification", "MessageId": message_id, "TopicArn": topic_arn,
            "Subject": "Amazon SES Email Receipt Notification", "Message": message,
            "Timestamp": timestamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")}
