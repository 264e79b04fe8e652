"""The subject of an agent's email: a conversation started from the wizard goes out with the
subject the agent wrote (not the account's default "Your message"), a reply that starts a new
thread too, a reply to the customer's mail keeps "Re: <their subject>", and a subject on any
other channel is refused by name."""

import email
import email.message
import email.policy
import secrets
from typing import Any

import requests

from local.simulator import moto_sent_mail
from tests.integration.conftest import drain
from tests.integration.inbox_support import picked_up_from_simulator
from tests.integration.test_message_pipeline import messages_of
from tests.support import HTTP_TIMEOUT, find


def sent_mail(runtime: Any, api: str, agent: dict[str, str], conversation_id: str) -> email.message.EmailMessage:
    """The mail SES sent for the conversation's newest outbound message."""
    drain(runtime, "outbound", "send")
    replies = [m for m in messages_of(api, agent, conversation_id) if m["direction"] == "outbound"]
    assert replies, "no outbound message"
    reply = replies[-1]
    assert reply["status"] == "sent", reply
    [raw] = [raw for ses_id, raw in moto_sent_mail(runtime.config.region)() if ses_id == reply["provider_message_id"]]
    mail = email.message_from_string(raw, policy=email.policy.default)
    assert isinstance(mail, email.message.EmailMessage)
    return mail


def test_an_email_started_from_the_wizard_goes_out_with_its_subject(runtime, api, agent1, demo):
    # Given a customer's email address the agent starts a conversation with, with a subject
    customer = f"start.{secrets.token_hex(4)}@example.net"
    started = requests.post(f"{api}/conversations", headers=agent1, timeout=HTTP_TIMEOUT, json={
        "account_id": demo["accounts"]["email"]["account_id"], "customer_id": customer,
        "text": "Your order is ready.", "subject": "Order 1234 is ready for pick-up"})
    assert started.status_code == 201, started.text
    conversation_id = started.json()["conversation"]["id"]
    # When it is sent
    mail = sent_mail(runtime, api, agent1, conversation_id)
    # Then it carries that subject, to that address, and the message shows it
    assert mail["Subject"] == "Order 1234 is ready for pick-up"
    assert mail["To"] == customer
    assert find(messages_of(api, agent1, conversation_id), direction="outbound")["subject"] == \
        "Order 1234 is ready for pick-up"
    # And a follow-up that starts a new thread (the customer has not written) takes its own subject
    follow = requests.post(f"{api}/conversations/{conversation_id}/messages", headers=agent1, timeout=HTTP_TIMEOUT,
                           json={"text": "A reminder.", "subject": "Reminder: order 1234"})
    assert follow.status_code == 202, follow.text
    assert sent_mail(runtime, api, agent1, conversation_id)["Subject"] == "Reminder: order 1234"


def test_a_reply_to_the_customers_mail_keeps_the_thread_subject(runtime, api, agent1, demo):
    # Given a customer's mail the agent picked up
    customer = f"thread.{secrets.token_hex(4)}@example.net"
    conversation_id = picked_up_from_simulator(runtime, api, agent1, demo, "email", customer, "Where is my parcel?")
    # When the agent replies (with or without a subject of their own)
    answer = requests.post(f"{api}/conversations/{conversation_id}/messages", headers=agent1, timeout=HTTP_TIMEOUT,
                           json={"text": "It left today.", "subject": "Something else"})
    assert answer.status_code == 202, answer.text
    mail = sent_mail(runtime, api, agent1, conversation_id)
    # Then the reply stays in the customer's thread
    assert str(mail["Subject"]).startswith("Re: ")
    assert mail["In-Reply-To"]


def test_a_subject_on_another_channel_or_over_two_lines_is_refused(runtime, api, agent1, demo):
    # Given a WhatsApp start and an email start with a two-line subject
    whatsapp = requests.post(f"{api}/conversations", headers=agent1, timeout=HTTP_TIMEOUT, json={
        "account_id": demo["whatsapp"]["account_id"], "phone": "+31612345670", "text": "Hi", "subject": "Hello"})
    two_lines = requests.post(f"{api}/conversations", headers=agent1, timeout=HTTP_TIMEOUT, json={
        "account_id": demo["accounts"]["email"]["account_id"], "customer_id": "x@example.net", "text": "Hi",
        "subject": "Hello\r\nBcc: victim@example.com"})
    # Then both are refused, naming the subject
    for refused in (whatsapp, two_lines):
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["field"] == "subject"
