"""An agent answers a WhatsApp customer in the web app, in headless Chromium."""

import re

import requests
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.support import HTTP_TIMEOUT, find, new_wa_id, wait_for


def test_agent_signs_in_picks_up_replies_and_sees_the_status(system, page):
    info = system.info
    wa_id = new_wa_id()
    customer_text = "My parcel <b>never</b> arrived"
    requests.post(f"{info['simulator_url']}/control/whatsapp/{info['demo']['whatsapp']['phone_number_id']}/messages",
                  json={"from": wa_id, "name": "Ana <script>alert(1)</script>", "text": customer_text},
                  timeout=HTTP_TIMEOUT).raise_for_status()

    # Sign in
    page.goto(info["web_url"])
    page.get_by_label("Email").fill("agent1@example.com")
    page.get_by_label("Password").fill(info["demo"]["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("current-user")).to_have_text(re.compile("Alex Agent"))

    # The customer's conversation shows in New (live, without reloading)
    page.get_by_role("tab", name="New").click()
    row = page.get_by_test_id("conversation-row").filter(has_text=customer_text)
    expect(row).to_be_visible(timeout=15_000)
    screenshot(page, "inbox-new")
    row.click()

    # Customer text is shown as text, never as markup
    expect(page.get_by_test_id("message").filter(has_text=customer_text)).to_be_visible()
    assert page.locator("b", has_text="never").count() == 0

    # Pick up and reply with Enter
    page.get_by_role("button", name="Pick up").click()
    reply_box = page.get_by_label("Reply")
    expect(reply_box).to_be_enabled()
    reply_box.fill("We are on it, Ana 📦")
    reply_box.press("Enter")

    outbound = page.locator('[data-testid="message"][data-direction="outbound"]').filter(has_text="We are on it")
    expect(outbound).to_be_visible()
    expect(outbound).to_have_attribute("data-status", "read", timeout=20_000)
    screenshot(page, "conversation-replied")

    sent = wait_for(lambda: find(requests.get(f"{info['simulator_url']}/control/outbox",
                                              timeout=HTTP_TIMEOUT).json()["items"], to=wa_id), what="send")
    assert sent["payload"]["text"]["body"] == "We are on it, Ana 📦"
