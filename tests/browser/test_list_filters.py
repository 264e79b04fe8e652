"""The filter dialog with several values per filter: channels ticked together list the
conversations of each, the active filters are named above the list, and "Load more" keeps them.

Named to run after the live-arrival tests (test_inbox_live.py): it fills a page of New in bulk and
archives it afterwards, and the pipeline is busy for a moment after that."""

import re
import secrets
import subprocess
import sys

from playwright.sync_api import expect

from tests.browser.conftest import ROOT, api_call, api_headers, customer_says, customer_writes, screenshot, sign_in
from tests.support import new_wa_id


def seed_whatsapp_conversations(ready_file, count):
    """Given: many WhatsApp conversations, written in bulk (local/bulk.py), so the list has pages."""
    subprocess.run([sys.executable, "-m", "local.bulk", "--ready-file", str(ready_file), "--conversations",
                    str(count), "--prefix", "3167" + str(secrets.randbelow(90) + 10)],
                   cwd=ROOT, capture_output=True, text=True, check=True, timeout=120)


def archive_new_conversations(info):
    """Archive the default team's New list: the conversations made here would otherwise fill the
    first page of New (oldest first) for the browser tests that follow."""
    admin = api_headers(info)
    while items := api_call(info, "GET", "/conversations?view=new&limit=100", admin)["items"]:
        for conversation in items:
            api_call(info, "POST", f"/conversations/{conversation['id']}/archive", admin, {"tags": []})


def test_two_channels_list_conversations_of_both_and_not_of_a_third_across_pages(system, page):
    info = system.info
    token = secrets.token_hex(3)
    try:
        check_two_channels(info, page, system.ready_file, token)
    finally:
        archive_new_conversations(info)


def check_two_channels(info, page, ready_file, token):
    # Given more WhatsApp conversations than one page, then a customer on each of three channels
    seed_whatsapp_conversations(ready_file, 55)
    customer_says(info, wa_id=new_wa_id(), name="Wanda Whatsapp", text=f"On WhatsApp {token}")
    customer_writes(info, "telegram", str(10**9 + secrets.randbelow(10**9)), f"On Telegram {token}")
    customer_writes(info, "sms", "+1415555" + str(secrets.randbelow(10**4)).zfill(4), f"On SMS {token}")

    # And an agent on the All tab who sees all three
    sign_in(page, info)
    page.get_by_role("tab", name=re.compile("^All")).click()
    rows = page.get_by_test_id("conversation-row")
    for channel in ("WhatsApp", "Telegram", "SMS"):
        expect(rows.filter(has_text=f"On {channel} {token}")).to_have_count(1, timeout=10_000)

    # When they tick WhatsApp and Telegram in the filter dialog
    page.get_by_role("button", name="Filter", exact=True).click()
    dialog = page.get_by_test_id("filter-dialog")
    channels = dialog.get_by_role("group", name="Channel")
    channels.get_by_label("WhatsApp").check()
    channels.get_by_label("Telegram").check()
    with page.expect_request(lambda r: "/conversations?" in r.url and "channel=whatsapp&channel=telegram" in r.url):
        dialog.get_by_role("button", name="Filter", exact=True).click()

    # Then the conversations of both channels are listed and the SMS one is not
    expect(rows.filter(has_text=f"On WhatsApp {token}")).to_have_count(1)
    expect(rows.filter(has_text=f"On Telegram {token}")).to_have_count(1)
    expect(rows.filter(has_text=f"On SMS {token}")).to_have_count(0)
    expect(page.get_by_test_id("active-filters")).to_contain_text("Channels: WhatsApp, Telegram")
    expect(page.get_by_role("button", name="Filter (1)", exact=True)).to_be_visible()
    screenshot(page, "filter-two-channels")

    # And "Load more" reads the next page with the same filters
    expect(rows).to_have_count(50)
    with page.expect_request(lambda r: "cursor=" in r.url and "channel=whatsapp&channel=telegram" in r.url):
        page.get_by_role("button", name="Load more").click()
    expect(rows).not_to_have_count(50)
    assert rows.count() > 50
    channels_listed = set(rows.evaluate_all("rows => rows.map(row => row.dataset.channel)"))
    assert channels_listed <= {"whatsapp", "telegram"}, channels_listed

    # And reopening the dialog shows both ticked
    page.get_by_role("button", name="Filter (1)", exact=True).click()
    expect(channels.get_by_label("WhatsApp")).to_be_checked()
    expect(channels.get_by_label("Telegram")).to_be_checked()
    expect(channels.get_by_label("SMS")).not_to_be_checked()


def test_a_list_filtered_by_a_tag_shows_a_conversation_the_moment_it_gains_the_tag(system, page):
    info = system.info
    admin = api_headers(info)
    tag = f"watched-{secrets.token_hex(3)}"
    api_call(info, "POST", "/tags", admin, {"tag": tag})
    wa_id, token = new_wa_id(), secrets.token_hex(3)
    customer_says(info, wa_id=wa_id, name="Tineke Tag", text=f"Tag me {token}")

    # Given an agent on the All tab filtered by the tag, which no conversation has yet
    sign_in(page, info)
    page.get_by_role("tab", name=re.compile("^All")).click()
    rows = page.get_by_test_id("conversation-row")
    expect(rows.filter(has_text=f"Tag me {token}")).to_have_count(1, timeout=10_000)
    page.get_by_role("button", name="Filter", exact=True).click()
    dialog = page.get_by_test_id("filter-dialog")
    dialog.get_by_label("Tag", exact=True).fill(tag)
    dialog.get_by_label("Tag", exact=True).press("Enter")
    with page.expect_request(lambda r: "/conversations?" in r.url and f"tag={tag}" in r.url):
        dialog.get_by_role("button", name="Filter", exact=True).click()
    expect(rows.filter(has_text=f"Tag me {token}")).to_have_count(0)

    # When a colleague tags the customer's conversation
    conversation = api_call(info, "GET", f"/conversations?view=all&customer=%2B{wa_id}", admin)["items"][0]
    api_call(info, "POST", f"/conversations/{conversation['id']}/tags", admin, {"tags": [tag]})

    # Then it enters the filtered list by push, with no reload
    try:
        expect(rows.filter(has_text=f"Tag me {token}")).to_have_count(1, timeout=10_000)
    finally:  # out of New, for the tests that follow
        api_call(info, "POST", f"/conversations/{conversation['id']}/archive", admin, {"tags": []})
