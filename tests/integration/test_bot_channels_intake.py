"""Telegram, Twilio SMS and Viber through the real webhook route into storage: an authenticated
delivery is queued, routed and stored once; a forged one is refused and leaves nothing queued."""

import json
import secrets
import time
from urllib.parse import parse_qsl, urlencode

import pytest
import requests
from chalicelib.channels.twilio_sms import sign as twilio_sign
from chalicelib.channels.viber import sign as viber_sign
from chalicelib.domain.models import Channel, ChannelAccount

from local.seed import create_channel_account
from tests.integration.conftest import drain, queue_depth
from tests.support import HTTP_TIMEOUT, find

TELEGRAM_SECRET = "tg_secret-" + secrets.token_hex(8)
TWILIO_TOKEN = secrets.token_hex(16)
VIBER_TOKEN = "-".join(secrets.token_hex(8) for _ in range(3))


@pytest.fixture(scope="module")
def accounts(runtime):
    """One account per channel, created as the administration will: the account item plus its
    credentials secret."""
    suffix = secrets.token_hex(4)
    base = runtime.info.webhook_base_url
    made = {}
    for channel, provider_id, credentials in [
        (Channel.TELEGRAM, "7012345678", {"bot_token": "7012345678:AA-test", "secret_token": TELEGRAM_SECRET}),
        (Channel.SMS, "+14155552671", {"account_sid": "AC" + "0" * 32, "auth_token": TWILIO_TOKEN}),
        (Channel.VIBER, "pa:kettleshop", {"auth_token": VIBER_TOKEN}),
    ]:
        account_id = f"{channel.value}-{suffix}"
        if channel is Channel.SMS:
            credentials = {**credentials, "status_callback_url": f"{base}/sms/{account_id}"}
        create_channel_account(runtime.resources, ChannelAccount(
            id=account_id, channel=channel, name=f"{channel.value} test", provider_account_id=provider_id,
            api_base_url="http://127.0.0.1:9", team_id="default", enabled=True), credentials)
        made[channel] = f"{base}/{channel.value}/{account_id}"
    return made


def stored_texts(api, headers, customer_id):
    items = requests.get(f"{api}/conversations", params={"view": "new", "limit": 100, "customer": customer_id},
                         headers=headers, timeout=HTTP_TIMEOUT).json()["items"]
    conversation = find(items, customer_id=customer_id)
    assert conversation is not None, f"no conversation for {customer_id}"
    messages = requests.get(f"{api}/conversations/{conversation['id']}/messages", headers=headers,
                            timeout=HTTP_TIMEOUT).json()["items"]
    return conversation, [(m["kind"], m["text"]) for m in messages]


def telegram_update(chat_id: int, text: str) -> bytes:
    return json.dumps({"update_id": secrets.randbelow(10**9), "message": {
        "message_id": 55, "from": {"id": chat_id, "is_bot": False, "first_name": "Sofia"},
        "chat": {"id": chat_id, "first_name": "Sofia", "type": "private"}, "date": int(time.time()),
        "text": text}}).encode()


def post_telegram(url: str, body: bytes, secret: str | None) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return requests.post(url, data=body, headers=headers, timeout=HTTP_TIMEOUT)


def sms_form(sender: str, text: str, sid: str) -> bytes:
    return urlencode({"ToCountry": "US", "SmsMessageSid": sid, "NumMedia": "0", "SmsSid": sid,
                      "SmsStatus": "received", "Body": text, "To": "+14155552671", "NumSegments": "1",
                      "MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": sender,
                      "ApiVersion": "2010-04-01"}).encode()


def post_sms(url: str, body: bytes, token: str | None) -> requests.Response:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if token is not None:
        headers["X-Twilio-Signature"] = twilio_sign(url, parse_qsl(body.decode()), token)
    return requests.post(url, data=body, headers=headers, timeout=HTTP_TIMEOUT)


def viber_message(sender_id: str, text: str, token: int) -> bytes:
    return json.dumps({"event": "message", "timestamp": int(time.time() * 1000), "message_token": token,
                       "sender": {"id": sender_id, "name": "Olena", "api_version": 10},
                       "message": {"type": "text", "text": text}, "silent": False}).encode()


def post_viber(url: str, body: bytes, token: str | None) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["X-Viber-Content-Signature"] = viber_sign(body, token)
    return requests.post(url, data=body, headers=headers, timeout=HTTP_TIMEOUT)


def test_telegram_update_is_stored_once(runtime, api, agent1, accounts, inbound_url):
    # Given an update Telegram delivers twice (a retry)
    chat_id = 10**9 + secrets.randbelow(10**9)
    body = telegram_update(chat_id, "Where is my order?")
    for _ in range(2):
        response = post_telegram(accounts[Channel.TELEGRAM], body, TELEGRAM_SECRET)
        assert response.status_code == 200
        assert response.json() == {"queued": 1}
    # When the queues are drained
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")
    # Then one conversation holds the message once, keyed by the chat
    conversation, texts = stored_texts(api, agent1, str(chat_id))
    assert conversation["channel"] == "telegram"
    assert conversation["customer_name"] == "Sofia"
    assert texts == [("text", "Where is my order?")]


def test_sms_is_stored_under_the_e164_sender_and_twilio_gets_twiml(runtime, api, agent1, accounts, inbound_url):
    sender = "+3161" + str(secrets.randbelow(10**7)).zfill(7)
    body = sms_form(sender, "Hi, parcel #4411?", "SM" + secrets.token_hex(16))
    for _ in range(2):
        response = post_sms(accounts[Channel.SMS], body, TWILIO_TOKEN)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/xml"
        assert response.text.endswith("<Response></Response>")
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")
    conversation, texts = stored_texts(api, agent1, sender)
    assert conversation["channel"] == "sms"
    assert texts == [("text", "Hi, parcel #4411?")]


def test_viber_message_is_stored_and_the_webhook_check_answered(runtime, api, agent1, accounts, inbound_url):
    # Given the check Viber sends when the webhook is set
    check = json.dumps({"event": "webhook", "timestamp": int(time.time() * 1000),
                        "message_token": 5741301803571721000}).encode()
    response = post_viber(accounts[Channel.VIBER], check, VIBER_TOKEN)
    assert (response.status_code, response.json()) == (200, {"queued": 0})
    # When a customer writes (delivered twice)
    sender_id = secrets.token_urlsafe(12) + "="
    body = viber_message(sender_id, "Is the blue kettle back?", 5741311803571721087 + secrets.randbelow(10**6))
    for _ in range(2):
        assert post_viber(accounts[Channel.VIBER], body, VIBER_TOKEN).status_code == 200
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")
    conversation, texts = stored_texts(api, agent1, sender_id)
    assert conversation["channel"] == "viber"
    assert texts == [("text", "Is the blue kettle back?")]


@pytest.mark.parametrize("channel", [Channel.TELEGRAM, Channel.SMS, Channel.VIBER])
def test_forged_deliveries_are_refused_and_nothing_is_queued(accounts, sqs, inbound_url, channel):
    url = accounts[channel]
    if channel is Channel.TELEGRAM:
        response = post_telegram(url, telegram_update(123, "forged"), "guessed-secret")
    elif channel is Channel.SMS:
        response = post_sms(url, sms_form("+31612345678", "forged", "SM" + "f" * 32), "not-the-auth-token")
    else:
        response = post_viber(url, viber_message("x=", "forged", 1), "not-the-auth-token")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_signature"
    assert queue_depth(sqs, inbound_url) == 0


@pytest.mark.parametrize("channel", [Channel.TELEGRAM, Channel.SMS, Channel.VIBER])
def test_a_get_on_the_webhook_is_not_found(accounts, channel):
    assert requests.get(accounts[channel], timeout=HTTP_TIMEOUT).status_code == 404


def test_an_agent_starts_a_telegram_conversation_only_with_someone_who_wrote_to_the_bot(runtime, api, agent1,
                                                                                       accounts):
    account_id = accounts[Channel.TELEGRAM].rsplit("/", 1)[1]

    def start(chat_id: int) -> requests.Response:
        return requests.post(f"{api}/conversations", json={"account_id": account_id, "customer_id": str(chat_id),
                                                           "text": "Your parcel is here"},
                             headers=agent1, timeout=HTTP_TIMEOUT)

    # Given a chat that never wrote to the bot: Telegram would refuse the message, so we do first
    stranger = 10**9 + secrets.randbelow(10**9)
    refused = start(stranger)
    assert refused.status_code == 400
    assert refused.json()["error"]["field"] == "customer_id"
    assert "never written" in refused.json()["error"]["message"]
    # Given a customer who wrote, whose conversation was then archived
    customer = 10**9 + secrets.randbelow(10**9)
    assert post_telegram(accounts[Channel.TELEGRAM], telegram_update(customer, "hello"), TELEGRAM_SECRET).ok
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")
    conversation, _ = stored_texts(api, agent1, str(customer))
    for action in ("pickup", "archive"):
        answer = requests.post(f"{api}/conversations/{conversation['id']}/{action}", json={}, headers=agent1,
                               timeout=HTTP_TIMEOUT)
        assert answer.ok, answer.text
    # Then the agent may start a new conversation with them
    started = start(customer)
    assert started.status_code == 201, started.text
    assert started.json()["conversation"]["customer_id"] == str(customer)
