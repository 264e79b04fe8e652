"""The agents' email replies through the local runtime (SES on moto, the simulator standing in
for SNS): attachments go in the mail as MIME parts, within SES's per-message limit; a Delivery
notification marks the reply delivered, a permanent bounce fails it with the receiving server's
reason, a late Delivery never undoes that, and a complaint opts the address out."""

import email
import email.message
import email.policy
import secrets
from typing import Any

import pytest
import requests
from chalicelib import wiring
from chalicelib.domain import capabilities
from chalicelib.domain.models import Channel

from local.simulator import moto_sent_mail
from local.simulator.model import SentRecord
from tests.integration.conftest import drain
from tests.integration.inbox_support import picked_up_from_simulator
from tests.integration.test_inbox_compose import upload
from tests.integration.test_message_pipeline import messages_of
from tests.support import HTTP_TIMEOUT, find, wait_for


def email_conversation(runtime: Any, api: str, agent: dict[str, str], demo: dict[str, Any]) -> tuple[str, str]:
    """A customer mails the demo account and the agent picks the conversation up: (customer,
    conversation id)."""
    customer = f"customer.{secrets.token_hex(4)}@example.net"
    return customer, picked_up_from_simulator(runtime, api, agent, demo, "email", customer, "Where is my parcel?")


def email_reply(runtime: Any, api: str, agent: dict[str, str], demo: dict[str, Any],
                feedback: str = "") -> tuple[str, str, str]:
    """The agent answers a customer's mail; the simulator is to answer the reply with ``feedback``
    ("" delivery, "bounce" or "complaint"). Returns (customer, conversation id, SES message id)."""
    simulator = runtime.info.simulator_url
    customer, conversation_id = email_conversation(runtime, api, agent, demo)
    if feedback:
        requests.post(f"{simulator}/control/email/failures", json={"mode": feedback, "count": 1},
                      timeout=HTTP_TIMEOUT).raise_for_status()
    requests.post(f"{api}/conversations/{conversation_id}/messages", json={"text": "It left today."},
                  headers=agent, timeout=HTTP_TIMEOUT).raise_for_status()
    drain(runtime, "outbound", "send")
    reply = find(messages_of(api, agent, conversation_id), direction="outbound")
    assert reply is not None
    assert reply["status"] == "sent"
    return customer, conversation_id, str(reply["provider_message_id"])


def settled_reply(runtime: Any, api: str, agent: dict[str, str], conversation_id: str,
                  status: str) -> dict[str, Any]:
    def reached() -> dict[str, Any] | None:
        drain(runtime, "inbound", "statuses", "media")
        reply = find(messages_of(api, agent, conversation_id), direction="outbound")
        return reply if reply is not None and reply["status"] == status else None

    return wait_for(reached, timeout=10, interval=0.2, what=f"the reply {status}")


def test_ses_delivery_marks_an_email_reply_delivered(runtime, api, agent1, demo):
    # Given an agent's email reply that SES sent
    _, conversation_id, ses_id = email_reply(runtime, api, agent1, demo)
    # When SES's Delivery notification arrives through SNS, Then the reply is delivered
    reply = settled_reply(runtime, api, agent1, conversation_id, "delivered")
    assert reply["provider_message_id"] == ses_id


def test_a_permanent_bounce_fails_the_reply_and_a_late_delivery_does_not_undo_it(runtime, api, agent1, demo):
    # Given an email reply that SES will report as bounced
    customer, conversation_id, ses_id = email_reply(runtime, api, agent1, demo, feedback="bounce")
    # When the Bounce notification arrives
    reply = settled_reply(runtime, api, agent1, conversation_id, "failed")
    # Then the reply failed with the receiving server's reason
    assert reply["error"]["code"] == "bounce.General"
    assert "550 5.1.1" in reply["error"]["message"]
    # And a Delivery notification for it that arrives late (SNS keeps no order) changes nothing
    account = runtime.simulator.account("email", demo["accounts"]["email"]["account_id"])
    record = SentRecord("email", account.account_id, customer, "It left today.", {}, ses_id)
    late = runtime.simulator.providers["email"].status_call(account, record, "Delivery")
    assert requests.post(late.url, data=late.body, headers=dict(late.headers), timeout=HTTP_TIMEOUT).ok
    drain(runtime, "inbound", "statuses", "media")
    assert find(messages_of(api, agent1, conversation_id), direction="outbound")["status"] == "failed"
    # And a bounce is no opt-out
    assert wiring.consent_store().state(Channel.EMAIL, customer) is None or \
        not wiring.consent_store().state(Channel.EMAIL, customer).opted_out


def test_a_complaint_fails_the_reply_and_opts_the_address_out(runtime, api, agent1, demo):
    # Given an email reply that is delivered and then reported as spam
    customer, conversation_id, _ = email_reply(runtime, api, agent1, demo, feedback="complaint")
    # When SES's Delivery and Complaint notifications arrive
    reply = settled_reply(runtime, api, agent1, conversation_id, "failed")
    # Then the reply shows the complaint, and the address is opted out as the provider said
    assert reply["error"]["code"] == "complaint.abuse"
    state = wiring.consent_store().state(Channel.EMAIL, customer)
    assert state is not None
    assert (state.opted_out, state.source.value if state.source else None) == (True, "provider")
    # And the agent's next reply is refused
    again = requests.post(f"{api}/conversations/{conversation_id}/messages", json={"text": "Sorry!"},
                          headers=agent1, timeout=HTTP_TIMEOUT)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "opted_out")


def test_an_email_reply_carries_the_agents_uploads_as_mime_parts(runtime, api, agent1, demo):
    # Given an email conversation and two files the agent uploaded for it
    _, conversation_id = email_conversation(runtime, api, agent1, demo)
    png = b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(3000)
    pdf = b"%PDF-1.4\n" + secrets.token_bytes(5000)
    keys = [upload(api, agent1, conversation_id, "label.png", "image/png", png),
            upload(api, agent1, conversation_id, "invoice.pdf", "application/pdf", pdf)]
    # When the agent replies with both
    answer = requests.post(f"{api}/conversations/{conversation_id}/messages", headers=agent1, timeout=HTTP_TIMEOUT,
                           json={"text": "Label and invoice attached.", "attachments": [{"key": k} for k in keys]})
    assert answer.status_code == 202, answer.text
    drain(runtime, "outbound", "send")
    # Then SES sent one mail with the text and both files, byte for byte
    reply = find(messages_of(api, agent1, conversation_id), direction="outbound")
    assert reply is not None
    assert reply["status"] == "sent"
    [raw] = [raw for ses_id, raw in moto_sent_mail(runtime.config.region)() if ses_id == reply["provider_message_id"]]
    mail = email.message_from_string(raw, policy=email.policy.default)
    assert isinstance(mail, email.message.EmailMessage)
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    assert body.get_content().strip() == "Label and invoice attached."
    assert [(p.get_content_type(), p.get_filename(), p.get_payload(decode=True)) for p in mail.iter_attachments()] \
        == [("image/png", "label.png", png), ("application/pdf", "invoice.pdf", pdf)]


def test_attachments_over_the_per_message_total_are_refused_before_anything_is_stored(
        runtime, api, agent1, demo, monkeypatch: pytest.MonkeyPatch):
    # Given an email conversation, two uploads, and a per-message total (made small here) below their sum
    _, conversation_id = email_conversation(runtime, api, agent1, demo)
    keys = [upload(api, agent1, conversation_id, f"part{n}.pdf", "application/pdf", b"%PDF" + b"0" * 600)
            for n in range(2)]
    monkeypatch.setitem(capabilities.TOTAL_MEDIA_LIMITS, Channel.EMAIL, 1000)
    # When the agent replies with both, Then the reply is refused naming the limit, and nothing is queued
    answer = requests.post(f"{api}/conversations/{conversation_id}/messages", headers=agent1, timeout=HTTP_TIMEOUT,
                           json={"attachments": [{"key": k} for k in keys]})
    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == "attachments"
    assert "1000 bytes" in answer.json()["error"]["message"]
    assert find(messages_of(api, agent1, conversation_id), direction="outbound") is None
