"""Channel fidelity, per adapter: a reply chosen from buttons or a list is stored as its title
with its payload; one part of a delivery that cannot be read is kept (with its reason) while the
rest is read; a customer who blocks a Telegram bot is an opt-out signal."""

import pytest
from chalicelib.channels.base import WebhookRequest
from chalicelib.channels.meta.messenger import MessengerAdapter
from chalicelib.channels.meta.whatsapp import WhatsAppAdapter
from chalicelib.channels.telegram import TelegramAdapter
from chalicelib.domain.models import (
    Channel,
    ChannelAccount,
    ConsentSignal,
    ContentKind,
    InboundMessage,
    UnreadableEvent,
)


def account(channel: Channel, provider_id: str) -> ChannelAccount:
    return ChannelAccount(id=f"{channel.value}-1", channel=channel, name=channel.value, provider_account_id=provider_id,
                          api_base_url="http://127.0.0.1:9", team_id="default", enabled=True)


def request(body: bytes) -> WebhookRequest:
    return WebhookRequest(method="POST", url="https://example.test/webhooks", headers={}, query={}, body=body)


WHATSAPP = account(Channel.WHATSAPP, "1065400000")
MESSENGER = account(Channel.MESSENGER, "104578231098765")
TELEGRAM = account(Channel.TELEGRAM, "7000000001")


def test_whatsapp_buttons_lists_and_template_quick_replies_keep_title_and_payload(fixture_bytes):
    # Given a reply button, a list row and a template quick-reply button the customer chose
    events = WhatsAppAdapter().parse(request(fixture_bytes("whatsapp/interactive_replies.json")), WHATSAPP)
    # Then each is a text message: the title as text, the option's id or payload as payload
    assert [(e.kind, e.text, e.reply_payload) for e in events if isinstance(e, InboundMessage)] == [
        (ContentKind.TEXT, "Change the date", "reschedule-delivery"),
        (ContentKind.TEXT, "Thursday morning", "slot-thu-am"),
        (ContentKind.TEXT, "No more updates", "STOP"),
    ]


def test_whatsapp_unreadable_status_next_to_a_message_costs_nothing(fixture_bytes):
    # Given a status without its timestamp batched with a customer message in another entry
    events = WhatsAppAdapter().parse(request(fixture_bytes("whatsapp/batch_with_unreadable.json")), WHATSAPP)
    # Then the message is read and the status is kept with where it was and why
    kept, message = events
    assert isinstance(kept, UnreadableEvent)
    assert kept.location == "entry[0].changes[0].value.statuses[0]"
    assert "timestamp" in kept.reason
    assert "wamid.OUT-NO-TIME" in kept.raw
    assert isinstance(message, InboundMessage)
    assert message.text == "Still there?"


def test_messenger_unreadable_receipt_next_to_messages_and_a_quick_reply(fixture_bytes):
    events = MessengerAdapter().parse(request(fixture_bytes("messenger/batch_with_unreadable.json")), MESSENGER)
    kept, message, quick = events
    assert isinstance(kept, UnreadableEvent)
    assert kept.location == "entry[0].messaging[0]"
    assert kept.customer_id == "6123456789012345"
    assert isinstance(message, InboundMessage)
    assert message.text == "Are you open on Sunday?"
    assert isinstance(quick, InboundMessage)
    assert (quick.text, quick.reply_payload) == ("Stop", "STOP")


def test_the_same_unreadable_part_has_the_same_id_on_redelivery(fixture_bytes):
    body = fixture_bytes("whatsapp/batch_with_unreadable.json")
    first = WhatsAppAdapter().parse(request(body), WHATSAPP)[0]
    again = WhatsAppAdapter().parse(request(body), WHATSAPP)[0]
    assert isinstance(first, UnreadableEvent)
    assert isinstance(again, UnreadableEvent)
    assert first.provider_event_id == again.provider_event_id


def test_telegram_callback_query_is_the_pressed_buttons_title_and_data(fixture_bytes):
    [event] = TelegramAdapter().parse(request(fixture_bytes("telegram/callback_query.json")), TELEGRAM)
    assert isinstance(event, InboundMessage)
    assert (event.customer_id, event.kind, event.text, event.reply_payload) == (
        "5512345678", ContentKind.TEXT, "Yes, call me", "callback-yes")
    assert event.provider_message_id == "5512345678:callback:4382bfdwdsb323b2d9"


def test_telegram_blocked_bot_is_an_opt_out_and_restart_an_opt_in(fixture_bytes):
    body = fixture_bytes("telegram/my_chat_member_kicked.json")
    [blocked] = TelegramAdapter().parse(request(body), TELEGRAM)
    assert isinstance(blocked, ConsentSignal)
    assert (blocked.customer_id, blocked.opted_out) == ("5512345678", True)
    restarted_body = body.replace(b'"status":"kicked","until_date":0', b'"status":"member"')
    [restarted] = TelegramAdapter().parse(request(restarted_body), TELEGRAM)
    assert isinstance(restarted, ConsentSignal)
    assert restarted.opted_out is False
    assert restarted.provider_event_id != blocked.provider_event_id


@pytest.mark.parametrize("fixture", ["telegram/unreadable_message.json"])
def test_telegram_update_that_cannot_be_read_is_kept(fixture_bytes, fixture):
    [kept] = TelegramAdapter().parse(request(fixture_bytes(fixture)), TELEGRAM)
    assert isinstance(kept, UnreadableEvent)
    assert kept.location == "update 730115004"
    assert "message_id" in kept.reason


def test_instagram_unreadable_event_next_to_a_message(fixture_bytes):
    # Given a seen event without its sender batched with a customer's message
    from chalicelib.channels.meta.instagram import InstagramAdapter

    instagram = account(Channel.INSTAGRAM, "17841400000000001")
    kept, message = InstagramAdapter().parse(request(fixture_bytes("instagram/batch_with_unreadable.json")), instagram)
    assert isinstance(kept, UnreadableEvent)
    assert "sender" in kept.reason
    assert isinstance(message, InboundMessage)
    assert message.text == "Do you ship to Belgium?"


def test_messages_of_one_second_sort_in_the_providers_order():
    # Given Telegram messages 9, 10 and 100 of one chat, all dated to the same second
    from datetime import UTC, datetime

    from chalicelib.storage import keys

    second = datetime(2026, 12, 4, 12, 0, 0, tzinfo=UTC)
    ids = [keys.message_id(second, f"42:{n}", n) for n in (100, 9, 10)]
    # Then their ids (the order of the thread's Query and of the web app) follow the sequence
    assert sorted(ids) == [ids[1], ids[2], ids[0]]


def test_a_batch_numbers_its_messages_in_order(fixture_bytes):
    events = WhatsAppAdapter().parse(request(fixture_bytes("whatsapp/interactive_replies.json")), WHATSAPP)
    assert [e.sequence for e in events if isinstance(e, InboundMessage)] == [0, 1, 2]
