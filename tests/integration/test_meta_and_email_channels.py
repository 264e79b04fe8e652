"""Messenger, Instagram and email through the webhook route into storage: signed deliveries are
stored with their media copied into the bucket; forged ones are refused and queue nothing."""

import json
import secrets
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from chalicelib.channels.meta.graph import sign
from chalicelib.domain.models import Channel, ChannelAccount
from chalicelib.storage.unreadable_events import UnreadableEventStore

from local.seed import create_channel_account
from tests.integration.conftest import drain, queue_depth
from tests.loopback import Answer, loopback_server
from tests.sns_signing import TOPIC_ARN, new_signer, ses_received, sns_notification
from tests.support import HTTP_TIMEOUT, find

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MAIL_WITH_PHOTO = (FIXTURES / "email" / "reply_with_attachment.eml").read_bytes()
PHOTO = b"\xff\xd8\xff\xe0JFIF" + secrets.token_bytes(200)


@pytest.fixture(scope="module")
def graph():
    """Plays Meta's Graph API and CDN for the accounts of this module."""
    with loopback_server() as server:
        server.answer("GET", "/cdn/photo.jpg", Answer(200, PHOTO, {"Content-Type": "image/jpeg"}))
        yield server


def meta_account(runtime, channel: Channel, base_url: str) -> tuple[ChannelAccount, str]:
    app_secret = secrets.token_hex(16)
    account = ChannelAccount(id=f"{channel.value}-{uuid.uuid4().hex[:8]}", channel=channel, name=channel.value,
                             provider_account_id=str(10**14 + secrets.randbelow(10**14)), api_base_url=base_url,
                             team_id="default", enabled=True)
    create_channel_account(runtime.resources, account,
                           {"app_secret": app_secret, "access_token": "EAA" + secrets.token_hex(8),
                            "verify_token": "verify"})
    return account, app_secret


def messaging_body(account: ChannelAccount, sender: str, event: dict[str, Any]) -> bytes:
    document = {"object": "page" if account.channel is Channel.MESSENGER else "instagram", "entry": [{
        "id": account.provider_account_id, "time": int(time.time() * 1000), "messaging": [{
            "sender": {"id": sender}, "recipient": {"id": account.provider_account_id},
            "timestamp": int(time.time() * 1000), **event}]}]}
    return json.dumps(document, separators=(",", ":")).encode()


def post(runtime, account: ChannelAccount, body: bytes, headers: dict[str, str]) -> requests.Response:
    url = f"{runtime.info.webhook_base_url}/{account.channel.value}/{account.id}"
    return requests.post(url, data=body, headers=headers, timeout=HTTP_TIMEOUT)


def conversation_of(api, headers, customer_id, view="new"):
    items = requests.get(f"{api}/conversations", params={"view": view, "limit": 100}, headers=headers,
                         timeout=HTTP_TIMEOUT).json()["items"]
    return find(items, customer_id=customer_id)


def messages_of(api, headers, conversation_id):
    return requests.get(f"{api}/conversations/{conversation_id}/messages", headers=headers,
                        timeout=HTTP_TIMEOUT).json()["items"]


def test_messenger_photo_is_stored_with_its_media_and_a_reply_gets_its_receipt(
        runtime, api, agent1, graph, sqs, inbound_url):
    # Given a Messenger page whose Graph API and CDN are the loopback server
    account, app_secret = meta_account(runtime, Channel.MESSENGER, graph.base_url)
    psid = str(secrets.randbelow(10**16))
    body = messaging_body(account, psid, {"message": {"mid": f"m_{uuid.uuid4().hex}", "text": "see photo",
                                                      "attachments": [{"type": "image", "payload": {
                                                          "url": f"{graph.base_url}/cdn/photo.jpg?oh=sig"}}]}})
    # When a forged delivery arrives, nothing is queued
    forged = post(runtime, account, body, {"Content-Type": "application/json",
                                           "X-Hub-Signature-256": sign(body, "not-the-secret")})
    assert forged.status_code == 401
    assert queue_depth(sqs, inbound_url) == 0
    # When the signed delivery arrives (twice: Meta redelivers)
    for _ in range(2):
        response = post(runtime, account, body, {"Content-Type": "application/json",
                                                 "X-Hub-Signature-256": sign(body, app_secret)})
        assert response.status_code == 200
        drain(runtime, "inbound", "statuses", "media", "assignment", "out-of-office")
    # Then one message is stored, with the photo copied into the bucket behind a signed URL
    conversation = conversation_of(api, agent1, psid)
    [message] = messages_of(api, agent1, conversation["id"])
    assert (message["kind"], message["text"]) == ("image", "see photo")
    [attachment] = message["attachments"]
    assert attachment["content_type"] == "image/jpeg"
    assert requests.get(attachment["url"], timeout=HTTP_TIMEOUT).content == PHOTO
    assert len([r for r in graph.requests if r.path.startswith("/cdn/photo.jpg")]) == 1

    # When an agent answers, the Send API gets a RESPONSE
    graph.answer("POST", f"/v21.0/{account.provider_account_id}/messages",
                 Answer(200, {"recipient_id": psid, "message_id": "m_reply_" + psid}))
    assert requests.post(f"{api}/conversations/{conversation['id']}/pickup", headers=agent1,
                         timeout=HTTP_TIMEOUT).status_code == 200
    assert requests.post(f"{api}/conversations/{conversation['id']}/messages", json={"text": "Sorry!"},
                         headers=agent1, timeout=HTTP_TIMEOUT).status_code == 202
    drain(runtime, "outbound", "send")
    sent = [r.json() for r in graph.requests if r.method == "POST"][-1]
    assert sent == {"recipient": {"id": psid}, "message": {"text": "Sorry!"}, "messaging_type": "RESPONSE"}
    # And a read watermark (no message ids) marks it read
    read = messaging_body(account, psid, {"read": {"watermark": int(time.time() * 1000) + 1000}})
    assert post(runtime, account, read, {"Content-Type": "application/json",
                                         "X-Hub-Signature-256": sign(read, app_secret)}).status_code == 200
    drain(runtime, "inbound", "statuses", "media")
    reply = next(m for m in messages_of(api, agent1, conversation["id"]) if m["direction"] == "outbound")
    assert reply["status"] == "read"


def test_instagram_text_is_stored_and_a_forged_one_refused(runtime, api, agent1, graph, sqs, inbound_url):
    account, app_secret = meta_account(runtime, Channel.INSTAGRAM, graph.base_url)
    igsid = str(secrets.randbelow(10**16))
    body = messaging_body(account, igsid, {"message": {"mid": "aWdf" + uuid.uuid4().hex, "text": "Open today?"}})
    assert post(runtime, account, body, {"Content-Type": "application/json"}).status_code == 401
    assert queue_depth(sqs, inbound_url) == 0
    assert post(runtime, account, body, {"Content-Type": "application/json",
                                         "X-Hub-Signature-256": sign(body, app_secret)}).json() == {"queued": 1}
    drain(runtime, "inbound", "statuses", "media", "assignment", "out-of-office")
    conversation = conversation_of(api, agent1, igsid)
    assert conversation["channel"] == "instagram"
    assert [m["text"] for m in messages_of(api, agent1, conversation["id"])] == ["Open today?"]


@dataclass(frozen=True)
class MailSetup:
    signer: Any
    cert_url: str
    account: ChannelAccount
    sender: str
    received: str  # the SES notification of the stored mail (the SNS Message)
    now: datetime


@contextmanager
def email_with_a_stored_mail(runtime) -> Iterator[MailSetup]:
    """An email account whose SNS certificate is served on loopback (the local stand-in for SNS),
    and a customer's mail with a photo that SES's S3 action stored in the media bucket."""
    signer = new_signer()
    with loopback_server() as sns:
        sns.answer("GET", "/cert.pem", Answer(200, signer.certificate_pem))
        account = ChannelAccount(id=f"mail-{uuid.uuid4().hex[:8]}", channel=Channel.EMAIL, name="Support",
                                 provider_account_id="support@example.com", api_base_url=runtime.moto_url,
                                 team_id="default", enabled=True)
        create_channel_account(runtime.resources, account, {"topic_arn": TOPIC_ARN, "sns_local_host": sns.netloc})
        ses_id = uuid.uuid4().hex
        key = f"inbound-mail/{account.id}/{ses_id}"
        sender = f"Customer.{ses_id[:6]}@Example.NL"
        mail = MAIL_WITH_PHOTO.replace(b"Ana de Vries <Ana.de.Vries@Example.NL>", f"Customer <{sender}>".encode())
        s3 = boto3.client("s3", endpoint_url=runtime.moto_url, region_name=runtime.config.region)
        s3.put_object(Bucket=runtime.resources.media_bucket, Key=key, Body=mail)
        now = datetime.now(UTC)
        yield MailSetup(signer, f"{sns.base_url}/cert.pem", account, sender, ses_received(
            bucket=runtime.resources.media_bucket, key=key, ses_message_id=ses_id, source=sender, timestamp=now),
            now)


def test_an_email_from_ses_is_stored_with_its_attachment(runtime, api, agent1, sqs, inbound_url):
    # Given an email account and a mail SES stored in the media bucket
    with email_with_a_stored_mail(runtime) as setup:
        account, sender = setup.account, setup.sender
        signed = setup.signer.sign(sns_notification(setup.received, timestamp=setup.now), cert_url=setup.cert_url)
        body = json.dumps(signed).encode()
        # When a tampered copy arrives, it is refused
        tampered = body.replace(b"PASS", b"FAIL", 1)
        assert post(runtime, account, tampered, {"Content-Type": "text/plain"}).status_code == 401
        assert queue_depth(sqs, inbound_url) == 0
        # When SNS delivers the notification
        response = post(runtime, account, body, {"Content-Type": "text/plain; charset=UTF-8"})
    assert response.json() == {"queued": 1}
    drain(runtime, "inbound", "statuses", "media", "assignment", "out-of-office")
    # Then the mail is a message from the lower-cased address, with the photo attached
    conversation = conversation_of(api, agent1, sender.lower())
    assert conversation["channel"] == "email"
    [stored] = messages_of(api, agent1, conversation["id"])
    assert stored["text"].startswith("The package arrived damaged")
    [attachment] = stored["attachments"]
    assert (attachment["content_type"], attachment["filename"]) == ("image/png", "box.png")
    assert requests.get(attachment["url"], timeout=HTTP_TIMEOUT).content.startswith(b"\x89PNG")


def test_an_ses_notification_that_cannot_be_read_is_kept_and_the_next_mail_stored(runtime, api, agent1):
    with email_with_a_stored_mail(runtime) as setup:
        # Given an authentic SNS notification whose SES content lacks the receipt SES documents
        odd = json.loads(setup.received)
        del odd["receipt"]
        odd["mail"]["messageId"] = uuid.uuid4().hex
        for number, content in enumerate((json.dumps(odd), setup.received)):
            notice = sns_notification(content, timestamp=setup.now, message_id=str(uuid.uuid4()))
            body = json.dumps(setup.signer.sign(notice, cert_url=setup.cert_url)).encode()
            # Then each is answered 200 (SNS would otherwise redeliver the odd one for hours)
            response = post(runtime, setup.account, body, {"Content-Type": "text/plain; charset=UTF-8"})
            assert response.status_code == 200, (number, response.text)
    drain(runtime, "inbound", "statuses", "media", "assignment", "out-of-office")
    # And the mail after it is stored, the odd one kept with its reason
    conversation = conversation_of(api, agent1, setup.sender.lower())
    assert conversation is not None
    [stored] = messages_of(api, agent1, conversation["id"])
    assert stored["text"].startswith("The package arrived damaged")
    [kept] = UnreadableEventStore().recent(setup.account.id, limit=50)
    assert "receipt" in kept.reason
