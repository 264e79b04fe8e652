"""Truthful cross-channel threads (issue 16, point 4): with one open conversation per customer, a
customer who writes on WhatsApp and then by SMS has one thread whose every message shows the
channel and account it came or went on; the header says where the next reply goes, and the agent
chooses another of the customer's channels before writing."""

import requests
from playwright.sync_api import expect

from tests.browser.conftest import api_call, api_headers, customer_says, customer_writes, screenshot, sign_in
from tests.support import HTTP_TIMEOUT, new_wa_id, wait_for


def test_a_thread_on_two_channels_marks_each_message_and_replies_where_the_agent_chooses(system, page):
    info = system.info
    admin = api_headers(info)
    sms_account = info["demo"]["accounts"]["sms"]
    whatsapp_name = info["demo"]["accounts"]["whatsapp"]["name"]
    api_call(info, "PATCH", "/settings/service", admin, {"one_open_conversation": True})
    try:
        # Given a customer who wrote on WhatsApp and then, while it was open, by SMS
        wa_id = new_wa_id()
        customer_says(info, wa_id=wa_id, name="Xena Cross", text=f"WhatsApp first {wa_id}")
        conversation = wait_for(lambda: (api_call(info, "GET", f"/conversations?view=all&customer=%2B{wa_id}",
                                                  admin)["items"] or [None])[0], what="conversation")
        customer_writes(info, "sms", f"+{wa_id}", f"SMS second {wa_id}")
        wait_for(lambda: len(api_call(info, "GET", f"/conversations/{conversation['id']}/messages",
                                      admin)["items"]) == 2, what="the SMS joined")
    finally:
        api_call(info, "PATCH", "/settings/service", admin, {"one_open_conversation": False})

    # When the agent opens the conversation and picks it up
    sign_in(page, info)
    page.goto(f"{info['web_url']}/#/new/{conversation['id']}")
    page.get_by_role("button", name="Pick up").click()

    # Then each message shows the channel and account it came on
    first = page.get_by_test_id("message").filter(has_text=f"WhatsApp first {wa_id}")
    second = page.get_by_test_id("message").filter(has_text=f"SMS second {wa_id}")
    expect(first.get_by_test_id("message-route")).to_have_attribute("data-channel", "whatsapp")
    expect(first.get_by_test_id("message-route")).to_contain_text(whatsapp_name)
    expect(second.get_by_test_id("message-route")).to_have_attribute("data-channel", "sms")
    expect(second.get_by_test_id("message-route")).to_contain_text(sms_account["name"])
    # And the header says the next reply goes by SMS (the customer's latest), to their number
    next_route = page.get_by_test_id("next-route")
    expect(next_route).to_have_attribute("data-channel", "sms")
    expect(next_route).to_contain_text(f"+{wa_id}")
    screenshot(page, "cross-channel-thread")

    # When the agent chooses WhatsApp and replies
    page.get_by_test_id("reply-route").select_option(label=f"WhatsApp · {whatsapp_name} · +{wa_id}")
    expect(next_route).to_have_attribute("data-channel", "whatsapp")
    page.get_by_label("Reply").fill(f"Answer on WhatsApp {wa_id}")
    page.get_by_label("Reply").press("Enter")

    # Then the reply shows it went on WhatsApp, and the customer got it there, not by SMS
    reply = page.locator('[data-testid="message"][data-direction="outbound"]').filter(
        has_text=f"Answer on WhatsApp {wa_id}")
    expect(reply.get_by_test_id("message-route")).to_have_attribute("data-channel", "whatsapp")

    def outbox(channel):
        return requests.get(f"{info['simulator_url']}/control/outbox", params={"channel": channel},
                            timeout=HTTP_TIMEOUT).json()["items"]

    sent = wait_for(lambda: [item for item in outbox("whatsapp") if item.get("to") == wa_id], what="WhatsApp send")
    assert sent[0]["payload"]["text"]["body"] == f"Answer on WhatsApp {wa_id}"
    assert not [item for item in outbox("sms") if f"Answer on WhatsApp {wa_id}" in str(item)]
