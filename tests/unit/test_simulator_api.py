"""The channel simulator's provider APIs, served on loopback, as each adapter calls them: a reply
is accepted and recorded for the customer, the planned failures come back as the provider's
transient or permanent errors, the sample image is downloadable through the adapter's media
lookup, and the status callbacks reach the webhook signed."""

import json

import boto3
import pytest
from chalicelib.adapters.media import download, simulator_host
from chalicelib.channels import adapter_for
from chalicelib.channels.base import SendFailed
from chalicelib.channels.ses import EmailAdapter
from chalicelib.core.settings import get_settings
from chalicelib.domain.models import OutboundContent, StatusUpdate
from moto import mock_aws

from local.simulator import ChannelSimulator, CustomerMessage, moto_sent_mail, serve
from local.simulator.model import WebhookCall
from local.simulator.sample import sample_png
from tests.loopback import Answer, loopback_server
from tests.support import wait_for
from tests.unit.simulated_accounts import BUCKET, CUSTOMERS, as_request, both_sides

HTTP_CHANNELS = ["whatsapp", "messenger", "instagram", "telegram", "sms", "viber"]
RECIPIENT = {**CUSTOMERS, "whatsapp": "31612345678"}
STATUS_COUNT = {"whatsapp": 3, "messenger": 2, "instagram": 1, "telegram": 0, "sms": 2, "viber": 2}


@pytest.fixture(scope="module")
def webhooks():
    """Our webhooks, answering 200 to whatever the simulator posts."""
    with loopback_server() as server:
        yield server


@pytest.fixture(scope="module")
def simulator():
    simulated = ChannelSimulator(status_delay_seconds=0)
    server = serve(simulated, "127.0.0.1", 0)
    yield simulated
    server.shutdown()
    server.server_close()


def outbox_of(simulator, sides):
    return [r for r in simulator.outbox(sides.ours.channel.value) if r["account"] == sides.ours.id]


def posted_to(webhooks, sides):
    return [r for r in webhooks.requests if r.method == "POST" and r.path.endswith(f"/{sides.ours.id}")]


def account_on(simulator, webhooks, channel):
    sides = both_sides(channel, simulator_url=simulator.url, webhook_base=f"{webhooks.base_url}/webhooks")
    simulator.add_account(sides.simulated)
    webhooks.answer("POST", f"/webhooks/{channel}/{sides.ours.id}", Answer(200, {"queued": 1}))
    return sides


@pytest.mark.parametrize("channel", HTTP_CHANNELS)
def test_a_reply_is_recorded_for_the_customer_and_its_statuses_reach_the_webhook(simulator, webhooks, channel):
    # Given an account whose API is the simulator
    sides = account_on(simulator, webhooks, channel)
    adapter = adapter_for(channel)
    # When the adapter sends a reply
    sent = adapter.send(sides.ours, sides.credentials, RECIPIENT[channel], OutboundContent(text="On its way!"))
    # Then the simulator recorded it for that customer under the id it answered with
    [record] = outbox_of(simulator, sides)
    assert (record["account"], record["to"], record["text"], record["id"]) == (
        sides.ours.id, RECIPIENT[channel], "On its way!", sent.provider_message_id)
    # And each status it reports back is signed and names the reply (or its watermark)
    def posted():
        return posted_to(webhooks, sides)

    if STATUS_COUNT[channel]:
        wait_for(lambda: len(posted()) >= STATUS_COUNT[channel], timeout=5, what="status callbacks")
    assert len(posted()) == STATUS_COUNT[channel]
    for call in posted():
        request = as_request_from(call, f"{webhooks.base_url}{call.path}")
        adapter.authenticate(request, sides.credentials)
        [update] = adapter.parse(request, sides.ours)
        assert isinstance(update, StatusUpdate)
        assert update.provider_message_id == sent.provider_message_id or update.watermark is not None
    assert wait_for(lambda: outbox_of(simulator, sides)[0]["status"] or not STATUS_COUNT[channel],
                    timeout=5, what="status recorded")


def as_request_from(recorded, url):
    return as_request(WebhookCall(url, recorded.headers, recorded.body))


@pytest.mark.parametrize("channel", HTTP_CHANNELS)
@pytest.mark.parametrize(("mode", "permanent"), [("500", False), ("429", False), ("permanent", True)])
def test_a_planned_failure_fails_one_send_as_the_provider_would(simulator, webhooks, channel, mode, permanent):
    sides = account_on(simulator, webhooks, channel)
    adapter = adapter_for(channel)
    # Given the next send is to fail
    simulator.fail_next(channel, mode, 1)
    # When the adapter sends, it fails as transient or permanent
    with pytest.raises(SendFailed) as raised:
        adapter.send(sides.ours, sides.credentials, RECIPIENT[channel], OutboundContent(text="hello"))
    assert raised.value.permanent is permanent
    assert outbox_of(simulator, sides) == []
    # And the send after it goes through
    adapter.send(sides.ours, sides.credentials, RECIPIENT[channel], OutboundContent(text="hello"))
    assert len(outbox_of(simulator, sides)) == 1


OTHER_RECIPIENT = {"whatsapp": "31687654321", "messenger": "6024000000000002", "instagram": "5024000000000002",
                   "telegram": "987654321", "sms": "+31687654321", "viber": "01234567890B="}


@pytest.mark.parametrize("channel", HTTP_CHANNELS)
def test_a_failure_planned_for_one_recipient_is_not_used_up_by_a_send_to_another(simulator, webhooks, channel):
    sides = account_on(simulator, webhooks, channel)
    adapter = adapter_for(channel)
    # Given the next send to one customer is to fail
    simulator.fail_next(channel, "500", 1, to=RECIPIENT[channel])
    # When a send to another customer goes first, it goes through
    adapter.send(sides.ours, sides.credentials, OTHER_RECIPIENT[channel], OutboundContent(text="not you"))
    assert len(outbox_of(simulator, sides)) == 1
    # Then the send to the planned customer still fails
    with pytest.raises(SendFailed):
        adapter.send(sides.ours, sides.credentials, RECIPIENT[channel], OutboundContent(text="you"))
    assert len(outbox_of(simulator, sides)) == 1


def test_a_wrong_token_is_refused(simulator, webhooks):
    sides = account_on(simulator, webhooks, "telegram")
    other = both_sides("telegram").credentials
    with pytest.raises(SendFailed) as raised:
        adapter_for("telegram").send(sides.ours, other, "123", OutboundContent(text="hi"))
    assert raised.value.permanent
    assert outbox_of(simulator, sides) == []


@pytest.mark.parametrize("channel", HTTP_CHANNELS)
def test_the_sample_image_is_downloaded_through_the_adapters_media_lookup(simulator, webhooks, channel):
    # Given a customer sent the sample image through the simulator
    sides = account_on(simulator, webhooks, channel)
    status, _ = simulator.customer_says(channel, sides.ours.id, CustomerMessage(CUSTOMERS[channel], "Ana", "",
                                                                                image=True))
    assert status == 200
    [delivered] = posted_to(webhooks, sides)
    events = adapter_for(channel).parse(as_request_from(delivered, f"{webhooks.base_url}{delivered.path}"),
                                        sides.ours)
    [ref] = [ref for event in events for ref in event.media]
    # When the adapter resolves it and our downloader fetches it
    source = adapter_for(channel).media_source(sides.ours, sides.credentials, ref)
    media = download(source, trusted_loopback=simulator_host(sides.ours), declared_type=ref.content_type)
    # Then it is the sample image
    assert (media.data, media.content_type) == (sample_png(), "image/png")


@pytest.fixture
def ses(monkeypatch):
    monkeypatch.setenv("CONTACT_MEDIA_BUCKET", BUCKET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    get_settings.cache_clear()
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        yield boto3.client("sesv2", region_name="us-east-1")
    get_settings.cache_clear()


def test_an_email_reply_sent_through_ses_shows_as_received_by_the_customer(ses):
    # Given an email account with its address verified in SES
    simulated = ChannelSimulator(sent_mail=moto_sent_mail("us-east-1"))
    sides = both_sides("email")
    simulated.add_account(sides.simulated)
    ses.create_email_identity(EmailIdentity=sides.ours.provider_account_id)
    # When the adapter sends a reply through SES (and SES sends another account's mail too)
    sent = EmailAdapter(sesv2=lambda: ses).send(sides.ours, sides.credentials, "ana@example.net",
                                                OutboundContent(text="We will replace it."))
    ses.create_email_identity(EmailIdentity="other@example.org")
    ses.send_email(FromEmailAddress="other@example.org", Destination={"ToAddresses": ["bo@example.net"]},
                   Content={"Simple": {"Subject": {"Data": "x"}, "Body": {"Text": {"Data": "not ours"}}}})
    # Then the simulator shows it for the customer, once, under SES's message id
    [record] = simulated.outbox("email")
    assert (record["to"], record["text"], record["id"]) == ("ana@example.net", "We will replace it.",
                                                            sent.provider_message_id)
    assert simulated.outbox("email") == [record]
    with pytest.raises(ValueError, match="bounce, complaint"):
        simulated.fail_next("email", "429", 1)


@pytest.mark.parametrize(("mode", "expected"), [
    ("", [("Delivery", "delivered")]),
    ("bounce", [("Bounce", "failed")]),
    ("complaint", [("Delivery", "delivered"), ("Complaint", "failed")]),
])
def test_ses_feedback_on_a_sent_mail_reaches_the_webhook_signed_through_sns(ses, webhooks, mode, expected):
    # Given a served simulator (it watches what SES sends) with an email account
    simulated = ChannelSimulator(sent_mail=moto_sent_mail("us-east-1"), status_delay_seconds=0)
    server = serve(simulated, "127.0.0.1", 0)
    try:
        sides = account_on(simulated, webhooks, "email")
        ses.create_email_identity(EmailIdentity=sides.ours.provider_account_id)
        if mode:
            simulated.fail_next("email", mode, 1)
        # When the adapter sends a reply through SES
        sent = EmailAdapter(sesv2=lambda: ses).send(sides.ours, sides.credentials, "ana@example.net",
                                                    OutboundContent(text="Here it is."))
        # Then SES's feedback reaches the account's webhook, without anyone reading the outbox
        wait_for(lambda: len(posted_to(webhooks, sides)) >= len(expected), timeout=5, what="SES feedback")
        calls = posted_to(webhooks, sides)
        assert [json.loads(json.loads(call.body)["Message"])["notificationType"] for call in calls] == [
            kind for kind, _ in expected]
        # And each is an SNS notification our adapter verifies (certificate from the simulator) and
        # reads as the reply's status
        statuses = []
        for call in calls:
            request = as_request_from(call, f"{webhooks.base_url}{call.path}")
            EmailAdapter().authenticate(request, sides.credentials)
            [update] = EmailAdapter().parse(request, sides.ours)
            assert isinstance(update, StatusUpdate)
            assert update.provider_message_id == sent.provider_message_id
            statuses.append(update.status.value)
        assert statuses == [status for _, status in expected]
    finally:
        simulated.close()
        server.shutdown()
        server.server_close()
