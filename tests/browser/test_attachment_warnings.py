"""The reply box says before sending when files cannot go: SMS pictures to a number outside the
US and Canada, and files over the channel's total per message (the API refuses both with a 400)."""

import secrets
from urllib.parse import quote

from playwright.sync_api import expect

from tests.browser.conftest import api_call, api_headers, customer_writes, screenshot, sign_in
from tests.support import wait_for

MB = 1024 * 1024


def picture(name, size):
    return {"name": name, "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(size - 8)}


def open_picked_up_sms_conversation(page, info, customer):
    """Given: an SMS customer's conversation, picked up by the agent who has it open."""
    customer_writes(info, "sms", customer, f"Can you send a photo? {customer}")
    admin = api_headers(info)

    def listed():
        return api_call(info, "GET", f"/conversations?view=all&customer={quote(customer)}", admin)["items"]

    [conversation] = wait_for(listed, what="the SMS conversation")
    agent = api_headers(info, "agent1@example.com")
    api_call(info, "POST", f"/conversations/{conversation['id']}/pickup", agent)
    sign_in(page, info)
    page.goto(f"{info['web_url']}/#/mine/{conversation['id']}")
    expect(page.get_by_label("Reply")).to_be_enabled()
    page.get_by_label("Reply").fill("Here is the label")


def expect_send_blocked(page, *, files_say, reply_says, name):
    """Then: the files' panel says why they cannot go, the line by Send says it short, Send is off."""
    for text in files_say:
        expect(page.get_by_test_id("attachments-warning")).to_contain_text(text)
    expect(page.get_by_test_id("send-blocked")).to_contain_text(reply_says)
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_disabled()
    screenshot(page, name)


def expect_sendable_without(page, filename):
    """Then: with that file removed, the warnings go and the reply may be sent."""
    page.get_by_role("button", name=f"Remove {filename}").click()
    expect(page.get_by_test_id("attachments-warning")).to_have_count(0)
    expect(page.get_by_test_id("send-blocked")).to_have_count(0)
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_enabled()


def test_a_picture_to_a_customer_outside_the_us_and_canada_is_refused_before_sending(system, page):
    info = system.info
    open_picked_up_sms_conversation(page, info, "+3161" + str(secrets.randbelow(10**7)).zfill(7))
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_enabled()

    # When the agent attaches a picture to a reply to a Dutch number
    page.get_by_test_id("file-input").set_input_files([picture("label.png", 2000)])

    # Then the preview and the reply box say why, and Send is off
    expect_send_blocked(page, files_say=["from NL", "US and CA"], reply_says="files cannot go to this number",
                        name="attachment-outside-media-countries")
    # And removing the picture lets the text go
    expect_sendable_without(page, "label.png")


def test_files_over_the_channels_total_per_message_keep_send_off_until_one_is_removed(system, page):
    info = system.info
    open_picked_up_sms_conversation(page, info, "+1415555" + str(secrets.randbelow(10**4)).zfill(4))

    # When the agent attaches two pictures a US number may get, each within SMS's 5 MB but 6 MB together
    page.get_by_test_id("file-input").set_input_files([picture("front.png", 3 * MB), picture("back.png", 3 * MB)])

    # Then no file is refused alone, but together they are named too large, and Send is off
    expect(page.get_by_test_id("attachment")).to_have_count(2)
    expect(page.get_by_test_id("attachment-warning")).to_have_count(0)
    expect_send_blocked(page, files_say=["Too large together for SMS", "at most 5.0 MB per message"],
                        reply_says="more than SMS takes in one message", name="attachments-over-total")
    # And with one of them removed the reply may go
    expect_sendable_without(page, "back.png")
