"""What the channel simulator posts to our webhooks is what each adapter accepts from the real
provider: signed (or carrying the secret) as the provider does, parsed into the customer's
message or the status it reports; with another account's secret the same request is refused."""

import dataclasses
import json
import time
from datetime import UTC, datetime

import boto3
import pytest
from chalicelib.channels import adapter_for
from chalicelib.channels.ses import EmailAdapter
from chalicelib.core.settings import get_settings
from chalicelib.domain.errors import SignatureRejected
from chalicelib.domain.models import ConsentSignal, ContentKind, DeliveryStatus, InboundMessage, StatusUpdate
from moto import mock_aws

from local.simulator import ChannelSimulator, CustomerMessage
from local.simulator.model import ApiRequest, SentRecord
from local.simulator.sample import sample_png
from local.simulator.ses import SesProvider
from local.simulator.viber import ViberProvider
from tests.unit.simulated_accounts import BUCKET, CUSTOMERS, SIMULATOR_URL, as_request, both_sides

PROVIDERS = ChannelSimulator().providers
WEBHOOK_CHANNELS = ["whatsapp", "messenger", "instagram", "telegram", "sms", "viber"]
# The customer id each adapter stores for the simulator's customer (the E.164 number, the chat id...).
STORED_CUSTOMER = {**CUSTOMERS, "whatsapp": "31612345678", "sms": "+31612345678"}


def inbound_messages(events):
    assert all(isinstance(event, InboundMessage) for event in events)
    return events


@pytest.mark.parametrize("channel", WEBHOOK_CHANNELS)
def test_a_customers_text_is_accepted_and_parsed_by_the_channels_adapter(channel):
    # Given an account the simulator plays the provider for
    sides = both_sides(channel)
    adapter = adapter_for(channel)
    # When a customer writes through the simulator
    inbound = PROVIDERS[channel].customer_writes(
        sides.simulated, CustomerMessage(CUSTOMERS[channel], "Ana de Vries", "Is my order on its way? ✓"),
        SIMULATOR_URL)
    request = as_request(inbound.call)
    # Then the adapter authenticates the request and reads the customer's message from it
    adapter.authenticate(request, sides.credentials)
    [message] = inbound_messages(adapter.parse(request, sides.ours))
    assert (message.kind, message.text) == (ContentKind.TEXT, "Is my order on its way? ✓")
    assert message.customer_id == STORED_CUSTOMER[channel]
    assert message.provider_message_id == inbound.message_id
    assert abs(message.sent_at.timestamp() - time.time()) < 60


@pytest.mark.parametrize("channel", WEBHOOK_CHANNELS)
def test_the_same_delivery_is_refused_with_another_accounts_secret(channel):
    sides = both_sides(channel)
    inbound = PROVIDERS[channel].customer_writes(sides.simulated, CustomerMessage(CUSTOMERS[channel], "Ana", "hi"),
                                                 SIMULATOR_URL)
    with pytest.raises(SignatureRejected):
        adapter_for(channel).authenticate(as_request(inbound.call), both_sides(channel).credentials)


@pytest.mark.parametrize("channel", WEBHOOK_CHANNELS)
def test_the_sample_image_arrives_as_media_the_simulator_serves(channel):
    sides = both_sides(channel)
    inbound = PROVIDERS[channel].customer_writes(
        sides.simulated, CustomerMessage(CUSTOMERS[channel], "Ana", "see photo", image=True), SIMULATOR_URL)
    request = as_request(inbound.call)
    adapter_for(channel).authenticate(request, sides.credentials)
    events = inbound_messages(adapter_for(channel).parse(request, sides.ours))
    [photo] = [event for event in events if event.kind is ContentKind.IMAGE]
    [ref] = photo.media
    # The media is named by the id the simulator serves it under, or by a URL on the simulator
    served = ref.provider_media_id in inbound.media or (
        ref.url is not None and ref.url.startswith(SIMULATOR_URL)
        and any(media_id in ref.url for media_id in inbound.media))
    assert served, ref
    assert all(blob.data == sample_png() for blob in inbound.media.values())


STATUSES = {
    "whatsapp": {"sent": DeliveryStatus.SENT, "delivered": DeliveryStatus.DELIVERED, "read": DeliveryStatus.READ},
    "messenger": {"delivered": DeliveryStatus.DELIVERED, "read": DeliveryStatus.READ},
    "instagram": {"read": DeliveryStatus.READ},
    "sms": {"sent": DeliveryStatus.SENT, "delivered": DeliveryStatus.DELIVERED},
    "viber": {"delivered": DeliveryStatus.DELIVERED, "seen": DeliveryStatus.READ},
}
PROVIDER_IDS = {"whatsapp": "wamid.SIMTEST", "messenger": "m_test", "instagram": "aWdftest",
                "sms": "SM" + "0" * 32, "viber": "5741311803571721087"}


@pytest.mark.parametrize(("channel", "status"), [(c, s) for c, statuses in STATUSES.items() for s in statuses])
def test_each_status_callback_is_accepted_and_names_the_sent_message(channel, status):
    # Given a message the simulator accepted for the customer
    sides = both_sides(channel)
    record = SentRecord(channel, sides.ours.id, STORED_CUSTOMER[channel], "Hello", {"From": "+14155550123"},
                        PROVIDER_IDS[channel], status_callback=sides.simulated.webhook_url)
    provider = PROVIDERS[channel]
    assert provider.statuses(record) == list(STATUSES[channel])
    # When it reports the status
    request = as_request(provider.status_call(sides.simulated, record, status))
    # Then the adapter accepts it as that message's status
    adapter_for(channel).authenticate(request, sides.credentials)
    [update] = adapter_for(channel).parse(request, sides.ours)
    assert isinstance(update, StatusUpdate)
    assert update.status is STATUSES[channel][status]
    assert update.customer_id == STORED_CUSTOMER[channel]
    if update.watermark is None:  # a Messenger read names no message: everything before its watermark
        assert update.provider_message_id == PROVIDER_IDS[channel]
    else:
        assert update.watermark.timestamp() <= time.time()


def test_telegram_reports_no_statuses_and_ses_reports_delivery():
    for channel, statuses in (("telegram", []), ("email", ["Delivery"])):
        sides = both_sides(channel)
        record = SentRecord(channel, sides.ours.id, CUSTOMERS[channel], "Hello", {}, "x")
        assert PROVIDERS[channel].statuses(record) == statuses


@pytest.fixture
def media_bucket(monkeypatch):
    monkeypatch.setenv("CONTACT_MEDIA_BUCKET", BUCKET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    get_settings.cache_clear()
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        yield s3
    get_settings.cache_clear()


@pytest.mark.parametrize("image", [False, True])
def test_an_email_is_stored_as_ses_does_and_notified_as_sns_signs(media_bucket, image):
    # Given an email account whose SNS certificate host is the simulator
    sides = both_sides("email")
    provider = SesProvider()
    # When a customer mails it (SES stores the MIME, SNS notifies)
    inbound = provider.customer_writes(sides.simulated, CustomerMessage("Ana@Example.net", "Ana", "Broken lid",
                                                                        image=image), SIMULATOR_URL)
    assert inbound.mail is not None
    media_bucket.put_object(Bucket=BUCKET, Key=inbound.mail.key, Body=inbound.mail.data)
    fetched: list[str] = []

    def certificates(url: str) -> bytes:
        fetched.append(url)
        return bytes(provider.handle(_get(url), ChannelSimulator()).body)

    adapter = EmailAdapter(certificates=certificates, s3=lambda: media_bucket, clock=lambda: datetime.now(UTC))
    request = as_request(inbound.call)
    # Then the adapter verifies the signature with the certificate from the simulator
    adapter.authenticate(request, sides.credentials)
    [certificate_url] = fetched
    assert certificate_url.startswith(f"{SIMULATOR_URL}/sns/")
    # And reads the mail from the bucket
    [message] = inbound_messages(adapter.parse(request, sides.ours))
    assert (message.customer_id, message.text, message.provider_message_id) == (
        "ana@example.net", "Broken lid", inbound.message_id)
    assert [ref.content_type for ref in message.media] == (["image/png"] if image else [])
    # And a notification whose signed text was altered is refused
    with pytest.raises(SignatureRejected):
        adapter.authenticate(dataclasses.replace(request, body=request.body.replace(b"Broken", b"Fixed")),
                             sides.credentials)


def _get(url: str) -> ApiRequest:
    path = url.removeprefix(SIMULATOR_URL).strip("/").split("/")
    return ApiRequest("GET", path[1:], {}, {}, b"")


class _OneAccountSwitchboard:
    """The part of the simulator's core a send to Viber's API asks for."""

    def __init__(self, account):
        self.account = account
        self.sent = []

    def accounts(self, channel):
        return [self.account]

    def take_failure(self, channel, recipient=""):
        return ""

    def record_sent(self, account, record):
        self.sent.append(record)


def test_viber_sends_a_reply_buttons_action_body_with_the_bots_last_tracking_data():
    # Given a bot that sent the customer a message carrying tracking_data
    sides = both_sides("viber")
    provider = ViberProvider()
    switchboard = _OneAccountSwitchboard(sides.simulated)
    body = json.dumps({"receiver": CUSTOMERS["viber"], "min_api_version": 1, "sender": {"name": "Shop"},
                       "type": "text", "text": "Anything else?", "tracking_data": "order-4411"}).encode()
    answer = provider.handle(ApiRequest("POST", ["pa", "send_message"], {},
                                        {"x-viber-auth-token": sides.credentials["auth_token"]}, body), switchboard)
    assert json.loads(answer.body)["status"] == 0
    # When the customer taps a button showing "No more messages" whose ActionBody is STOP
    inbound = provider.customer_writes(sides.simulated, CustomerMessage(CUSTOMERS["viber"], "Olena", "No more messages",
                                                                        choice="STOP"), SIMULATOR_URL)
    # Then Viber posts an ordinary text message: the ActionBody, with the tracking data back
    callback = json.loads(inbound.call.body)
    assert callback["message"] == {"type": "text", "text": "STOP", "tracking_data": "order-4411"}
    [message] = inbound_messages(adapter_for("viber").parse(as_request(inbound.call), sides.ours))
    assert (message.text, message.reply_payload) == ("STOP", None)


def test_a_customer_who_blocks_a_viber_bot_unsubscribes():
    sides = both_sides("viber")
    inbound = PROVIDERS["viber"].customer_writes(sides.simulated, CustomerMessage(CUSTOMERS["viber"], "Olena", "",
                                                                                  blocks=True), SIMULATOR_URL)
    [signal] = adapter_for("viber").parse(as_request(inbound.call), sides.ours)
    assert isinstance(signal, ConsentSignal)
    assert signal.opted_out
