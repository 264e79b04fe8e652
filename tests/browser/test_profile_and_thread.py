"""The profile's time zone and language on every time shown, and a long thread that opens at
its end and reads older pages as the agent scrolls up."""

import json
import re
import secrets
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.conftest import (
    ROOT,
    USER_PASSWORD,
    api_call,
    api_headers,
    customer_says,
    new_user_with_password,
    screenshot,
    sign_in,
    sign_in_as,
)
from tests.support import new_wa_id


def test_times_are_shown_in_the_profiles_time_zone_and_language(system, browser):
    info = system.info
    # Given a user whose profile says Tokyo and Dutch, in a browser whose own zone is New York
    email = new_user_with_password(info, "watcher")
    api_call(info, "PATCH", "/me/profile", api_headers(info, email, USER_PASSWORD),
             {"time_zone": "Asia/Tokyo", "language": "nl"})
    wa_id = new_wa_id()
    customer_says(info, wa_id=wa_id, name="Tomo Tokyo", text=f"Konnichiwa {wa_id}")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, timezone_id="America/New_York",
                                  locale="en-US")
    page = context.new_page()
    try:
        # When they open the customer's conversation
        sign_in_as(page, info, email, USER_PASSWORD)
        page.get_by_test_id("conversation-row").filter(has_text="Tomo Tokyo").click()
        stamp = page.get_by_test_id("message").filter(has_text=f"Konnichiwa {wa_id}").locator("time")
        expect(stamp).to_be_visible()
        sent_at = datetime.fromisoformat(stamp.get_attribute("datetime") or "")
        tokyo = sent_at.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%H:%M")
        new_york = sent_at.astimezone(ZoneInfo("America/New_York")).strftime("%I:%M")
        # Then the message time is Tokyo's, written the Dutch way (24-hour clock, no AM/PM)
        expect(stamp).to_have_text(re.compile(rf"(^|\s){tokyo}$"))
        assert new_york not in (stamp.text_content() or "")
        # And the full time in its tooltip is Tokyo's too
        assert tokyo in (stamp.get_attribute("title") or "")
        screenshot(page, "conversation-tokyo-time")
    finally:
        context.close()


def seed_thread(ready_file, messages):
    """Given: a conversation of many customer messages, written in bulk (local/bulk.py)."""
    output = subprocess.run(
        [sys.executable, "-m", "local.bulk", "--ready-file", str(ready_file), "--thread", str(messages),
         "--prefix", "3168" + str(secrets.randbelow(90) + 10)],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=120).stdout
    return json.loads(output.strip().splitlines()[-1])["thread"]


def test_a_long_thread_opens_at_its_end_and_reads_older_pages_on_scroll_up(system, page):
    info = system.info
    conversation_id = seed_thread(system.ready_file, 120)
    sign_in(page, info)

    # When the agent opens the conversation of 120 messages
    with page.expect_request(lambda request: f"/conversations/{conversation_id}/messages?" in request.url
                             and "order=desc" in request.url):
        page.goto(f"{info['web_url']}/#/new/{conversation_id}")
    messages = page.get_by_test_id("message")
    texts = messages.locator(".bubble__text")
    # Then its newest page shows, scrolled to the end, without the oldest messages
    expect(texts.last).to_have_text("Thread message 120")
    expect(messages).to_have_count(50)
    expect(messages.last).to_be_in_viewport()

    # When they scroll to the top, the page before it is read and put above
    thread = page.get_by_role("region", name="Messages")
    thread.evaluate("element => { element.scrollTop = 0; }")
    expect(messages).to_have_count(100)
    expect(texts.first).to_have_text("Thread message 21")
    # And the message that was at the top stays in view (the view does not jump to the new top)
    expect(texts.filter(has_text=re.compile(r"^Thread message 71$"))).to_be_in_viewport()

    # And the last page comes with the button; then the thread starts at its first message
    page.get_by_test_id("load-older").click()
    expect(messages).to_have_count(120)
    expect(texts.first).to_have_text("Thread message 1")
    expect(page.get_by_test_id("load-older")).to_have_count(0)
    screenshot(page, "conversation-long-thread")
