"""The webhooks' HTTP API hands the intake function payload format 1.0 events: the REST proxy
event's fields, but ``"version": "1.0"``, the path as called in ``path`` (no stage on ``$default``,
a named stage's name, an API mapping's key on a custom domain), ``requestContext.stage`` of
``$default`` and a form body base64-encoded. A signed Twilio delivery in such an event goes
through the intake's handler as Lambda calls it, and its signature holds over the URL Twilio called."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from chalice.local import LambdaContext
from chalicelib import wiring
from chalicelib.channels import adapter_for
from chalicelib.channels.twilio_sms import sign
from chalicelib.core.api_gateway import api_base_url, called_url
from chalicelib.core.clock import utc_now
from chalicelib.core.resources import INBOUND_QUEUE, STATUSES_QUEUE
from chalicelib.domain.intake import WebhookIntake
from chalicelib.domain.models import Channel, ChannelAccount, DeliveryStatus, StatusEnvelope

from local.runtime import load_functions_app
from tests.fakes.directory import InMemoryChannelAccounts
from tests.fakes.integrations import RecordingPublisher

pytestmark = pytest.mark.unit

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "apigateway" / "http_api_webhook.json"
ACCOUNT = "sms-1"
TOKEN = "4f1c0b8e2d7a6935c1e0f4b3a2d9e8c7"
EXECUTE_API = "h7tq4m2z9c.execute-api.eu-west-1.amazonaws.com"
# How each way of reaching the HTTP API shows in the event: (host, path before the route, stage).
SHAPES = {
    "default_stage": (EXECUTE_API, "", "$default"),
    "named_stage": (EXECUTE_API, "/live", "live"),
    "custom_domain_mapping": ("hooks.example.com", "/contact", "$default"),
    "custom_domain_root": ("hooks.example.com", "", "$default"),
}


class _Credentials:
    def get(self, channel: str, account_id: str) -> dict[str, str]:
        assert (channel, account_id) == ("sms", ACCOUNT)
        return {"account_sid": "AC" + "1" * 32, "auth_token": TOKEN}


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> RecordingPublisher:
    """The intake's use case on in-memory stores: the SMS account and what it queues."""
    accounts = InMemoryChannelAccounts()
    accounts.accounts[ACCOUNT] = ChannelAccount(
        id=ACCOUNT, channel=Channel.SMS, name="SMS", provider_account_id="+14155552671",
        api_base_url="https://api.twilio.com", team_id="default", enabled=True)
    publisher = RecordingPublisher()
    intake = WebhookIntake(accounts, _Credentials(), publisher, adapter_for=adapter_for, clock=utc_now)
    monkeypatch.setattr(wiring, "intake", lambda: intake)
    return publisher


def http_api_event(shape: str, body: bytes, signature: str) -> dict[str, Any]:
    """The fixture event as the HTTP API sends it for that way in, with a base64 form body."""
    host, prefix, stage = SHAPES[shape]
    event: dict[str, Any] = json.loads(FIXTURE.read_text().replace("ACCOUNT", ACCOUNT))
    called = f"{prefix}/webhooks/sms/{ACCOUNT}"
    event["path"] = called
    # AWS documents the API mapping's key in ``path``; requestContext.path is not promised to have it.
    event["requestContext"]["path"] = called if host == EXECUTE_API else f"/webhooks/sms/{ACCOUNT}"
    event["requestContext"]["stage"] = stage
    event["requestContext"]["domainName"] = host
    event["headers"].update({"host": host, "content-length": str(len(body)), "x-twilio-signature": signature})
    event["body"] = base64.b64encode(body).decode()
    return event


def handle(event: dict[str, Any]) -> dict[str, Any]:
    load_functions_app()
    from chalicelib.api.webhook_intake import webhook_intake
    answer: dict[str, Any] = webhook_intake(event, LambdaContext("open-contact-webhook_intake", memory_size=512))
    return answer


def url_of(shape: str) -> str:
    host, prefix, _ = SHAPES[shape]
    return f"https://{host}{prefix}/webhooks/sms/{ACCOUNT}"


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_delivery_signed_over_the_url_twilio_called_is_queued(fixture_bytes, queued, shape):
    # Given a Twilio delivery signed over the URL it called on the webhooks' HTTP API
    body = fixture_bytes("sms/inbound_text.txt")
    signature = sign(url_of(shape), parse_qsl(body.decode(), keep_blank_values=True), TOKEN)
    # When the HTTP API hands it to the intake function in payload format 1.0
    answer = handle(http_api_event(shape, body, signature))
    # Then the signature holds, the body is read decoded, and the message is queued
    assert answer["statusCode"] == 200, answer
    [queued_body] = queued.bodies(INBOUND_QUEUE)
    assert "never arrived" in queued_body


def test_a_status_callback_goes_on_the_statuses_queue_and_a_message_on_the_ordered_one(fixture_bytes, queued):
    # Given a Twilio status callback and a Twilio message, each signed over the URL Twilio called
    for name in ("sms/status_delivered.txt", "sms/inbound_text.txt"):
        body = fixture_bytes(name)
        signature = sign(url_of("default_stage"), parse_qsl(body.decode(), keep_blank_values=True), TOKEN)
        # When each reaches the intake
        assert handle(http_api_event("default_stage", body, signature))["statusCode"] == 200
    # Then the status is on the standard statuses queue (no order, no group), as a status envelope
    [(_, status)] = [(key, message) for key, message in queued.sent if key == STATUSES_QUEUE.key]
    assert (status.group_id, status.deduplication_id) == (None, None)
    assert StatusEnvelope.model_validate_json(status.body).event.status is DeliveryStatus.DELIVERED
    # And the message alone is on the ordered inbound queue, in its customer's group
    [(_, message)] = [(key, message) for key, message in queued.sent if key == INBOUND_QUEUE.key]
    assert "never arrived" in message.body
    assert message.group_id is not None
    assert message.deduplication_id is not None


def test_a_sent_callback_is_answered_and_not_queued(fixture_bytes, queued):
    # Given Twilio's "sent" for a reply: our send marked it sent when Twilio accepted it
    body = fixture_bytes("sms/status_sent.txt")
    signature = sign(url_of("default_stage"), parse_qsl(body.decode(), keep_blank_values=True), TOKEN)
    # When it reaches the intake
    answer = handle(http_api_event("default_stage", body, signature))
    # Then Twilio gets its 200 and nothing is queued: the status could never change the message
    assert answer["statusCode"] == 200, answer
    assert queued.sent == []


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_url_is_rebuilt_with_nothing_added_or_lost(shape):
    # Given the event of each way in
    event = http_api_event(shape, b"", "")
    # Then the called URL is the one Twilio called, and the base is what precedes /webhooks
    assert called_url(event) == url_of(shape)
    assert api_base_url(event) == url_of(shape).removesuffix(f"/webhooks/sms/{ACCOUNT}")


@pytest.mark.parametrize("wrong", [
    f"https://{EXECUTE_API}/$default/webhooks/sms/{ACCOUNT}",  # the default stage's name put in the path
    f"https://{EXECUTE_API}/api/webhooks/sms/{ACCOUNT}",  # the agents' REST API stage
])
def test_a_signature_over_another_url_is_refused(fixture_bytes, queued, wrong):
    body = fixture_bytes("sms/inbound_text.txt")
    signature = sign(wrong, parse_qsl(body.decode(), keep_blank_values=True), TOKEN)
    answer = handle(http_api_event("default_stage", body, signature))
    assert answer["statusCode"] == 401, answer
    assert json.loads(answer["body"])["error"]["code"] == "invalid_signature"
    assert queued.sent == []
