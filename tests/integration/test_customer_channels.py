"""One open conversation per customer across channels (the setting on and off, replies on the
channel of the message answered), and consent: STOP / START by SMS, Twilio's 21610 on a send."""

import secrets
from datetime import UTC, datetime

import pytest
from chalicelib import wiring
from chalicelib.domain.models import Channel, ConsentSignal, InboundEnvelope
from chalicelib.storage.customers import CustomerStore

from tests.integration.conftest import drain
from tests.integration.customer_support import (
    new_phone,
    new_sms_account,
    service_setting,
    texts,
    twilio_accepts,
    writes_on_whatsapp,
)
from tests.integration.inbox_support import delete, get, post, put
from tests.loopback import loopback_server


@pytest.fixture(scope="module")
def sms(runtime):
    with loopback_server(twilio_accepts()) as twilio:
        yield new_sms_account(runtime, twilio)


def conversations_of(api, headers, phone):
    return get(api, "/conversations", headers, view="all", customer=phone, limit=100).json()["items"]


def thread(api, headers, conversation_id):
    return get(api, f"/conversations/{conversation_id}/messages", headers, limit=100).json()["items"]


def sms_sent_to(sms, phone):
    return [dict(request.form()) for request in sms.twilio.requests if ("To", phone) in request.form()]


def whatsapp_sent_to(runtime, phone):
    return [item for item in runtime.simulator.outbox() if item["to"] == phone.removeprefix("+")]


def test_with_one_open_conversation_a_second_channel_joins_it_and_replies_follow(runtime, api, admin, agent1,
                                                                              webhook_url, demo, sms):
    with service_setting(api, admin, "one_open_conversation", True, False):
        # Given a customer's WhatsApp conversation, picked up by agent1
        phone = new_phone()
        writes_on_whatsapp(runtime, webhook_url, demo, phone, "my parcel is late")
        [conversation] = conversations_of(api, agent1, phone)
        assert post(api, f"/conversations/{conversation['id']}/pickup", agent1).status_code == 200
        # When the same customer (same number) writes by SMS while it is open
        texts(runtime, sms, phone, "also by SMS: order 4411")
        # Then the SMS lands in that same conversation, naming its channel
        assert [c["id"] for c in conversations_of(api, agent1, phone)] == [conversation["id"]]
        messages = thread(api, agent1, conversation["id"])
        assert [(m["text"], m["channel"]) for m in messages if m["direction"] != "system"] == [
            ("my parcel is late", "whatsapp"), ("also by SMS: order 4411", "sms")]
        # When agent1 replies without naming a message: it goes out by SMS (the customer's latest)
        reply = post(api, f"/conversations/{conversation['id']}/messages", agent1, {"text": "Checking 4411"})
        assert reply.status_code == 202, reply.text
        assert (reply.json()["channel"], reply.json()["account_id"]) == ("sms", sms.id)
        drain(runtime, "outbound", "send")
        assert [sent["Body"] for sent in sms_sent_to(sms, phone)] == ["Checking 4411"]
        # When agent1 answers the WhatsApp message by name: it goes out on WhatsApp
        answered = messages[0]["id"]
        reply = post(api, f"/conversations/{conversation['id']}/messages", agent1,
                     {"text": "Found it", "reply_to": answered})
        assert reply.status_code == 202, reply.text
        drain(runtime, "outbound", "send")
        assert [item["payload"]["text"]["body"] for item in whatsapp_sent_to(runtime, phone)] == ["Found it"]
        assert len(sms_sent_to(sms, phone)) == 1
        # And naming an agent's message as the one answered is refused
        outbound = next(m for m in thread(api, agent1, conversation["id"]) if m["direction"] == "outbound")
        refused = post(api, f"/conversations/{conversation['id']}/messages", agent1,
                       {"text": "x", "reply_to": outbound["id"]})
        assert refused.status_code == 400
        assert refused.json()["error"]["field"] == "reply_to"


def test_reply_routes_name_each_channel_the_customer_wrote_on_and_where_the_next_reply_goes(
        runtime, api, admin, agent1, outsider, webhook_url, demo, sms):
    with service_setting(api, admin, "one_open_conversation", True, False):
        # Given a customer's WhatsApp conversation, joined by their SMS
        phone = new_phone()
        writes_on_whatsapp(runtime, webhook_url, demo, phone, "on WhatsApp")
        [conversation] = conversations_of(api, agent1, phone)
        texts(runtime, sms, phone, "and by SMS")
        by_text = {m["text"]: m["id"] for m in thread(api, agent1, conversation["id"])}
        # When the agent asks where a reply can go
        routes = get(api, f"/conversations/{conversation['id']}/reply-routes", agent1).json()["items"]
        # Then both routes are named, the SMS one (the customer's latest) first as the next reply's
        assert [(r["channel"], r["account_id"], r["customer_id"], r["reply_to"], r["next"]) for r in routes] == [
            ("sms", sms.id, phone, by_text["and by SMS"], True),
            ("whatsapp", demo["whatsapp"]["account_id"], phone, by_text["on WhatsApp"], False)]
        assert [r["account_name"] for r in routes] == ["SMS test", demo["accounts"]["whatsapp"]["name"]]
        assert all(r["window_open"] and not r["opted_out"] for r in routes)
        # When the customer's WhatsApp address is opted out (recorded by an agent)
        customer_id = get(api, f"/conversations/{conversation['id']}/customer", agent1).json()["profile"]["id"]
        recorded = post(api, f"/customers/{customer_id}/consent", agent1,
                        {"channel": "whatsapp", "opted_out": True, "detail": "asked on the phone"})
        assert recorded.status_code == 201, recorded.text
        # Then that route says so before anyone writes; the SMS route does not
        routes = get(api, f"/conversations/{conversation['id']}/reply-routes", agent1).json()["items"]
        assert [(r["channel"], r["opted_out"]) for r in routes] == [("sms", False), ("whatsapp", True)]
        assert routes[1]["opted_out_at"] is not None
        # And an agent of another team may not read them
        assert get(api, f"/conversations/{conversation['id']}/reply-routes", outsider).status_code == 403


def test_a_customer_who_joins_by_sms_gets_the_sms_accounts_out_of_office_by_sms(runtime, api, admin, agent1,
                                                                                webhook_url, demo, sms):
    whatsapp = demo["whatsapp"]["account_id"]
    with service_setting(api, admin, "one_open_conversation", True, False):
        # Given a customer's WhatsApp conversation, written while the team was open
        phone = new_phone()
        writes_on_whatsapp(runtime, webhook_url, demo, phone, "morning question")
        [conversation] = conversations_of(api, agent1, phone)
        # And each account with its own out-of-office reply, and the team closed now (no open hours at all)
        for account, text in ((whatsapp, "WhatsApp: we are closed"), (sms.id, "SMS: we are closed")):
            assert put(api, f"/channel-accounts/{account}/out-of-office", admin,
                       {"messages": [{"text": text}]}).status_code == 200
        assert put(api, "/teams/default/office-hours", admin, {"time_zone": "UTC", "days": {}}).status_code == 200
        try:
            # When the customer writes by SMS and it joins the conversation
            texts(runtime, sms, phone, "evening, by SMS")
            drain(runtime, "outbound", "send")
        finally:
            delete(api, "/teams/default/office-hours", admin)
            for account in (whatsapp, sms.id):
                put(api, f"/channel-accounts/{account}/out-of-office", admin, {"messages": []})
        # Then the SMS account's reply went by SMS, and nothing went on WhatsApp
        assert [sent["Body"] for sent in sms_sent_to(sms, phone)] == ["SMS: we are closed"]
        assert whatsapp_sent_to(runtime, phone) == []
        # And the thread shows the reply on the SMS route (the system's, as the web app marks it)
        replies = [m for m in thread(api, agent1, conversation["id"]) if m["direction"] == "outbound"]
        assert [(m["text"], m["channel"], m["account_id"]) for m in replies] == [
            ("SMS: we are closed", "sms", sms.id)]


def test_without_the_setting_each_channel_has_its_conversation_on_one_profile(runtime, api, agent1, webhook_url,
                                                                             demo, sms):
    # Given the setting is off (the default), a customer writes on WhatsApp and by SMS
    assert get(api, "/settings/service", agent1).status_code == 403
    phone = new_phone()
    writes_on_whatsapp(runtime, webhook_url, demo, phone, "hi on WhatsApp")
    texts(runtime, sms, phone, "hi by SMS")
    # Then there are two conversations, one per channel
    conversations = conversations_of(api, agent1, phone)
    assert sorted(c["channel"] for c in conversations) == ["sms", "whatsapp"]
    # And both are on the one profile of that number
    profiles = {get(api, f"/conversations/{c['id']}/customer", agent1).json()["profile"]["id"] for c in conversations}
    assert len(profiles) == 1
    customer = get(api, f"/customers/{profiles.pop()}", agent1).json()
    assert sorted(c["channel"] for c in customer["conversations"]) == ["sms", "whatsapp"]


def start(api, headers, account_id, phone, text="Your order shipped"):
    return post(api, "/conversations", headers, {"account_id": account_id, "phone": phone, "text": text})


def archive_all(api, headers, phone, channel=None):
    for conversation in conversations_of(api, headers, phone):
        if conversation["state"] == "new" and channel in (None, conversation["channel"]):
            assert post(api, f"/conversations/{conversation['id']}/archive", headers).status_code == 200


def test_stop_refuses_an_outbound_start_and_start_allows_it_again(runtime, api, agent1, sms):
    # Given a customer texts STOP (and the conversation it opened is archived)
    phone = new_phone()
    texts(runtime, sms, phone, "Stop")
    archive_all(api, agent1, phone)
    # When an agent starts a conversation with them by SMS
    refused = start(api, agent1, sms.id, phone)
    # Then it is refused, naming the address, and nothing is written or sent
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "opted_out"
    assert phone in refused.json()["error"]["message"]
    assert all(c["state"] == "archived" for c in conversations_of(api, agent1, phone))
    # When the customer texts START (which reopens their conversation; archived again)
    texts(runtime, sms, phone, "START")
    archive_all(api, agent1, phone)
    # Then the start is allowed and goes out
    started = start(api, agent1, sms.id, phone)
    assert started.status_code == 201, started.text
    drain(runtime, "outbound", "send")
    assert [sent["Body"] for sent in sms_sent_to(sms, phone)] == ["Your order shipped"]
    # And the profile shows the state and both changes, latest first
    customer_id = get(api, f"/conversations/{started.json()['conversation']['id']}/customer", agent1).json()[
        "profile"]["id"]
    consent = get(api, f"/customers/{customer_id}/consent", agent1).json()
    assert [(s["channel"], s["opted_out"]) for s in consent["states"]] == [("sms", False)]
    assert [(c["opted_out"], c["source"]) for c in consent["history"]] == [(False, "keyword"), (True, "keyword")]


def test_twilio_21610_on_a_send_marks_the_address_opted_out(runtime, api, agent1, sms):
    # Given agent1's SMS conversation
    phone = new_phone()
    texts(runtime, sms, phone, "hello")
    [conversation] = conversations_of(api, agent1, phone)
    assert post(api, f"/conversations/{conversation['id']}/pickup", agent1).status_code == 200
    # When Twilio refuses the reply because the recipient replied STOP to Twilio itself
    sms.twilio.queue(400, {"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400})
    assert post(api, f"/conversations/{conversation['id']}/messages", agent1, {"text": "hi"}).status_code == 202
    drain(runtime, "outbound", "send")
    # Then the reply failed, and the address is opted out by the provider's word
    [reply] = [m for m in thread(api, agent1, conversation["id"]) if m["direction"] == "outbound"]
    assert (reply["status"], reply["error"]["code"]) == ("failed", "21610")
    customer_id = get(api, f"/conversations/{conversation['id']}/customer", agent1).json()["profile"]["id"]
    consent = get(api, f"/customers/{customer_id}/consent", agent1).json()
    assert [(s["channel"], s["opted_out"], s["source"]) for s in consent["states"]] == [("sms", True, "provider")]
    # And the next reply is refused before anything is sent
    sends = len(sms.twilio.requests)
    again = post(api, f"/conversations/{conversation['id']}/messages", agent1, {"text": "hello?"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "opted_out"
    drain(runtime, "outbound", "send")
    assert len(sms.twilio.requests) == sends


def test_an_opt_out_after_a_reply_was_accepted_stops_it_at_send_time(runtime, api, agent1, sms):
    # Given agent1's SMS conversation and a reply accepted (202) but not sent yet
    phone = new_phone()
    texts(runtime, sms, phone, "hello")
    [conversation] = conversations_of(api, agent1, phone)
    assert post(api, f"/conversations/{conversation['id']}/pickup", agent1).status_code == 200
    assert post(api, f"/conversations/{conversation['id']}/messages", agent1, {"text": "queued"}).status_code == 202
    sends = len(sms.twilio.requests)
    # When the customer opts out before the send worker gets to it
    customer_id = get(api, f"/conversations/{conversation['id']}/customer", agent1).json()["profile"]["id"]
    assert post(api, f"/customers/{customer_id}/consent", agent1,
                {"channel": "sms", "opted_out": True, "detail": "asked on the phone"}).status_code == 201
    drain(runtime, "outbound", "send")
    # Then nothing reached Twilio, and the reply failed saying why
    assert len(sms.twilio.requests) == sends
    [reply] = [m for m in thread(api, agent1, conversation["id"]) if m["direction"] == "outbound"]
    assert (reply["status"], reply["error"]["code"]) == ("failed", "opted_out")
    assert "opted out" in reply["error"]["message"]


def test_a_viber_unsubscribe_is_recorded_once(runtime):
    # Given Viber's unsubscribed callback, delivered twice (routing sees the same event id)
    user = secrets.token_hex(8) + "="
    event = ConsentSignal(channel=Channel.VIBER, account_id="vb", customer_id=user, opted_out=True,
                          occurred_at=datetime.now(UTC), provider_event_id="unsubscribed-1",
                          detail="Viber unsubscribed")
    # When routing handles it twice
    first = wiring.router().handle(InboundEnvelope(event=event))
    second = wiring.router().handle(InboundEnvelope(event=event))
    # Then the address is opted out, with one history item
    assert (first, second) == (True, False)
    assert wiring.consent_store().state(Channel.VIBER, user).opted_out is True
    assert len(wiring.consent_store().history(Channel.VIBER, user, limit=10, cursor=None).items) == 1


def test_a_second_channel_joins_the_open_conversation_behind_more_than_ten_archived_ones(
        runtime, api, admin, agent1, webhook_url, demo, sms):
    # Given a customer's open WhatsApp conversation, older than eleven SMS conversations of theirs
    # that each ended archived
    phone = new_phone()
    writes_on_whatsapp(runtime, webhook_url, demo, phone, "my first question, still open")
    with service_setting(api, admin, "reopen_days", 0, 7):
        for number in range(11):
            texts(runtime, sms, phone, f"another question {number}")
            archive_all(api, agent1, phone, channel="sms")
    [whatsapp] = [c for c in conversations_of(api, agent1, phone) if c["channel"] == "whatsapp"]
    assert len(conversations_of(api, agent1, phone)) == 12
    # (archiving took each SMS conversation off the customer's open ones)
    profile_id = get(api, f"/conversations/{whatsapp['id']}/customer", agent1).json()["profile"]["id"]
    assert CustomerStore().open_conversation_ids(profile_id) == [whatsapp["id"]]
    # When, with one open conversation per customer, the customer writes by SMS again
    with service_setting(api, admin, "one_open_conversation", True, False):
        texts(runtime, sms, phone, "about my first question")
    # Then the SMS joins the open WhatsApp conversation rather than opening a thirteenth
    assert len(conversations_of(api, agent1, phone)) == 12
    assert [(m["text"], m["channel"]) for m in thread(api, agent1, whatsapp["id"])] == [
        ("my first question, still open", "whatsapp"), ("about my first question", "sms")]
