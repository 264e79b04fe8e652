"""Work on a conversation in headless Chromium: the actions by keyboard (pick up, tag, note,
export, archive), quick replies with placeholders, a template once the window has closed, and
the start-conversation wizard."""

import re
import secrets
import time
from pathlib import Path

import requests
from playwright.sync_api import expect

from tests.browser.conftest import (
    api_call,
    api_headers,
    customer_says,
    ensure_templates,
    screenshot,
    sign_in,
)
from tests.support import HTTP_TIMEOUT, new_wa_id, post_whatsapp, whatsapp_text


def open_and_pick_up(page, text):
    row = page.get_by_test_id("conversation-row").filter(has_text=text)
    expect(row).to_be_visible(timeout=10_000)
    row.click()
    expect(page.get_by_role("button", name="Pick up")).to_be_visible()
    page.keyboard.press("Alt+A")
    expect(page.get_by_label("Reply")).to_be_enabled()


def conversation_of(info, wa_id):
    found = api_call(info, "GET", f"/conversations?view=all&customer=%2B{wa_id}", api_headers(info))["items"]
    assert len(found) == 1, found
    return found[0]


def test_an_agent_picks_up_tags_notes_exports_and_archives_with_the_keyboard(system, page):
    info = system.info
    admin = api_headers(info)
    api_call(info, "POST", "/tags", admin, {"tag": "billing"})
    wa_id = new_wa_id()
    customer_says(info, wa_id=wa_id, name="Tara Tag", text=f"Invoice question {wa_id}")

    # Given an agent who picked up the conversation with Alt+A
    sign_in(page, info)
    open_and_pick_up(page, wa_id)

    # When Alt+T opens the tags and the agent picks an existing one
    page.keyboard.press("Alt+T")
    tags = page.get_by_test_id("tag-dialog")
    tags.get_by_role("button", name="+ billing").click()
    expect(tags.get_by_test_id("tag")).to_have_text(["billing"])

    # And, while agents may not create tags, types a new one: the dialog says so plainly
    api_call(info, "PATCH", "/settings/service", admin, {"agents_may_create_tags": False})
    try:
        tags.get_by_label("Tag", exact=True).fill("made up")
        tags.get_by_label("Tag", exact=True).press("Enter")
        expect(tags.get_by_test_id("dialog-error")).to_contain_text("agents may not create new tags")
    finally:
        api_call(info, "PATCH", "/settings/service", admin, {"agents_may_create_tags": True})
    expect(tags.get_by_test_id("tag")).to_have_text(["billing"])
    screenshot(page, "tag-dialog")
    tags.get_by_role("button", name="Done").click()

    # When the agent adds a note in the info panel (Alt+I); its markup stays text
    page.keyboard.press("Alt+I")
    panel = page.get_by_test_id("customer-panel")
    panel.get_by_label("Note", exact=True).fill("Prefers <b>email</b>")
    panel.get_by_role("button", name="Add note").click()
    note = panel.get_by_test_id("note")
    expect(note).to_contain_text("Prefers <b>email</b>")
    expect(note.get_by_test_id("note-author")).to_have_text("Alex Agent")
    expect(panel.get_by_test_id("conversation-tags")).to_have_text("billing")

    # And exports it as CSV with Alt+X: the download holds the thread and the note
    page.keyboard.press("Alt+X")
    export = page.get_by_test_id("export-dialog")
    export.get_by_label("CSV").check()
    with page.expect_download() as download:
        export.get_by_role("button", name="Download").click()
        # built off the request by the export worker: the dialog says so while it waits
        expect(export.get_by_test_id("export-preparing")).to_have_text("Preparing export…")
    assert download.value.suggested_filename.endswith(".csv")
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert f"Invoice question {wa_id}" in exported
    assert "Prefers <b>email</b>" in exported

    # And archives it with Alt+R, adding a tag on the way
    page.keyboard.press("Alt+R")
    archive = page.get_by_test_id("archive-dialog")
    archive.get_by_label("Tag", exact=True).fill("Resolved ")
    archive.get_by_label("Tag", exact=True).press("Enter")
    archive.get_by_role("button", name="Archive").click()
    expect(page.get_by_test_id("status")).to_have_text("Archived.")
    screenshot(page, "archived")

    # Then the conversation is archived with both tags
    conversation = conversation_of(info, wa_id)
    assert conversation["state"] == "archived"
    assert sorted(conversation["tags"]) == ["billing", "resolved"]


def test_a_quick_reply_fills_placeholders_and_an_unfilled_one_blocks_send(system, page):
    info = system.info
    admin = api_headers(info)
    group = f"Greet{secrets.token_hex(2)}"
    group_id = api_call(info, "POST", "/admin/quick-reply-groups", admin, {"name": group})["id"]
    api_call(info, "POST", "/admin/quick-replies", admin, {
        "group_id": group_id, "text": "Hi {{customer_first}}, this is {{agent_first}}. Order {{order}} ships soon."})
    api_call(info, "POST", "/admin/quick-replies", admin, {"group_id": group_id, "text": "Bye <i>{{customer}}</i>!"})
    wa_id = new_wa_id()
    customer_says(info, wa_id=wa_id, name="Quinn Query", text=f"Where is my order? {wa_id}")

    # Given an agent in the conversation
    sign_in(page, info)
    open_and_pick_up(page, wa_id)
    box = page.get_by_label("Reply")
    send = page.get_by_role("button", name="Send", exact=True)

    # When they type !<group> in the reply box, the group's replies pop up; Enter takes the first
    box.press_sequentially(f"!{group.lower()}")
    options = page.get_by_test_id("quick-reply-option")
    expect(options).to_have_count(2)
    expect(options.nth(1)).to_contain_text("Bye <i>{{customer}}</i>!")
    box.press("Enter")

    # Then the known placeholders are filled, the unknown one is marked red and Send is disabled
    expect(box).to_have_value("Hi Quinn, this is Alex. Order {{order}} ships soon.")
    expect(page.locator(".ph--missing")).to_have_text("{{order}}")
    expect(page.locator(".ph--filled")).to_have_text(["Quinn", "Alex"])
    expect(page.get_by_test_id("missing-placeholders")).to_contain_text("{{order}}")
    expect(send).to_be_disabled()
    screenshot(page, "quick-reply-placeholder")

    # When the agent fills it in, the reply can go
    box.fill("Hi Quinn, this is Alex. Order A-17 ships soon.")
    expect(send).to_be_enabled()
    send.click()
    outbound = page.locator('[data-testid="message"][data-direction="outbound"]')
    expect(outbound).to_have_count(1)

    # And Ctrl+Q opens the list with a search: arrows choose, Enter inserts
    box.focus()
    page.keyboard.press("Control+q")
    page.get_by_label("Search quick replies").fill(f"!{group}")
    expect(options).to_have_count(2)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(box).to_have_value("Bye <i>Quinn Query</i>!")
    expect(page.locator("i", has_text="Quinn")).to_have_count(0)

    # And the API refuses a text with a placeholder left, naming it
    refused = requests.post(f"{info['api_url']}/conversations/{conversation_of(info, wa_id)['id']}/messages",
                            json={"text": "Order {{order}}"}, headers=api_headers(info, "agent1@example.com"),
                            timeout=HTTP_TIMEOUT)
    assert refused.status_code == 400
    assert "{{order}}" in refused.json()["error"]["message"]


def test_once_the_window_closed_only_a_filled_template_can_be_sent(system, page):
    info = system.info
    ensure_templates(info)
    wa_id = new_wa_id()
    # Given a customer whose last message is 25 hours old (the provider's timestamp says so)
    body = whatsapp_text(info["demo"]["whatsapp"]["phone_number_id"], wa_id=wa_id, text=f"Old question {wa_id}",
                         timestamp=int(time.time()) - 25 * 3600, name="Wanda Window")
    post_whatsapp(info["demo"]["accounts"]["whatsapp"]["webhook_url"], body,
                  info["demo"]["whatsapp"]["app_secret"]).raise_for_status()

    # When the agent picks it up, the banner says only a template may go and the box is disabled
    sign_in(page, info)
    open_and_pick_up_closed(page, wa_id)
    banner = page.get_by_test_id("window-closed")
    expect(banner).to_contain_text("only a template can be sent")

    # When they choose the template and its language, Send waits for every variable
    banner.get_by_role("button", name="Send template").click()
    dialog = page.get_by_test_id("template-dialog")
    dialog.get_by_label("Template").select_option("order_update")
    dialog.get_by_label("Language").select_option("nl")
    expect(dialog.get_by_test_id("template-preview")).to_contain_text("je bestelling")
    dialog.get_by_label("Language").select_option("en")
    send = dialog.get_by_role("button", name="Send")
    dialog.get_by_label("FirstName", exact=True).fill("Wanda <script>")
    expect(send).to_be_disabled()
    dialog.get_by_label("Order", exact=True).fill("A-9")
    expect(dialog.get_by_test_id("template-preview")).to_have_text("Hi Wanda <script>, your order A-9 ships today")
    screenshot(page, "template-dialog")
    send.click()

    # Then the template goes out as the thread shows it
    outbound = page.locator('[data-testid="message"][data-direction="outbound"]')
    expect(outbound).to_contain_text("Hi Wanda <script>, your order A-9 ships today")
    # And the thread says why a template went: the window was closed
    expect(page.get_by_test_id("system-line").filter(
        has_text="Template order_update (en) sent by Alex Agent because the 24-hour window was closed")).to_be_visible()


def open_and_pick_up_closed(page, text):
    row = page.get_by_test_id("conversation-row").filter(has_text=text)
    expect(row).to_be_visible(timeout=10_000)
    row.click()
    page.get_by_role("button", name="Pick up").click()
    expect(page.get_by_test_id("window-closed")).to_be_visible()
    expect(page.get_by_label("Reply")).to_be_disabled()


def test_the_start_conversation_wizard_lands_in_assigned_to_me(system, page):
    info = system.info
    ensure_templates(info)
    phone = "+3162" + str(secrets.randbelow(10**7)).zfill(7)

    # Given an administrator in the inbox
    sign_in(page, info, email="admin@example.com")

    # When they go through the four steps
    page.get_by_role("button", name="Start conversation").click()
    wizard = page.get_by_test_id("start-conversation")
    expect(wizard.get_by_role("heading", name="Start conversation (1/4)")).to_be_visible()
    wizard.get_by_label("Channel", exact=True).select_option("whatsapp")
    wizard.get_by_label("Channel account").select_option(info["demo"]["whatsapp"]["account_id"])
    wizard.get_by_role("button", name="Next").click()

    expect(wizard.get_by_role("heading", name="Start conversation (2/4)")).to_be_visible()
    next_button = wizard.get_by_role("button", name="Next")
    wizard.get_by_label("Phone number").fill("not a number")
    expect(next_button).to_be_disabled()
    wizard.get_by_label("Phone number").fill(phone)
    wizard.get_by_label("Name (optional)").fill("Stan Start")
    next_button.click()

    expect(wizard.get_by_role("heading", name="Start conversation (3/4)")).to_be_visible()
    wizard.get_by_label("Template").select_option("order_update")
    wizard.get_by_label("FirstName", exact=True).fill("Stan")
    expect(next_button).to_be_disabled()
    wizard.get_by_label("Order", exact=True).fill("B-2")
    next_button.click()

    expect(wizard.get_by_role("heading", name="Start conversation (4/4)")).to_be_visible()
    review = wizard.get_by_test_id("start-review")
    expect(review).to_contain_text(phone)
    expect(review).to_contain_text("Hi Stan, your order B-2 ships today")
    screenshot(page, "start-conversation-review")
    wizard.get_by_role("button", name="Send").click()

    # Then the new conversation is open in Assigned to me, with the message sent
    expect(page).to_have_url(re.compile(r"#/mine/[^/]+$"))
    expect(page.get_by_role("tab", name=re.compile("^Assigned to me"))).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("conversation-name")).to_have_text("Stan Start")
    expect(page.locator('[data-testid="message"][data-direction="outbound"]')).to_contain_text("Hi Stan")


PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5e1a1e00000000049454e44ae426082")


def test_files_show_a_preview_a_warning_for_what_the_channel_cannot_carry_and_go_through_the_upload(system, page):
    info = system.info
    wa_id = new_wa_id()
    customer_says(info, wa_id=wa_id, name="Fiona File", text=f"Send me the photo {wa_id}")

    # Given an agent in a WhatsApp conversation
    sign_in(page, info)
    open_and_pick_up(page, wa_id)
    send = page.get_by_role("button", name="Send", exact=True)

    # When they choose a picture and a file type WhatsApp does not take
    page.get_by_test_id("file-input").set_input_files([
        {"name": "parcel <b>1</b>.png", "mimeType": "image/png", "buffer": PNG_1X1},
        {"name": "tool.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ"},
    ])

    # Then both are listed with a preview, the second with a warning, and Send waits
    files = page.get_by_test_id("attachment")
    expect(files).to_have_count(2)
    expect(page.get_by_test_id("attachments")).to_contain_text("Files (2/10)")
    expect(files.nth(0).locator("img")).to_have_count(1)
    expect(files.nth(0)).to_contain_text("parcel <b>1</b>.png")
    expect(files.nth(1).get_by_test_id("attachment-warning")).to_contain_text("WhatsApp cannot carry")
    expect(send).to_be_disabled()
    screenshot(page, "attachments")

    # When the refused one is removed, the picture goes through the presigned upload with the text
    page.get_by_role("button", name="Remove tool.exe").click()
    page.get_by_label("Reply").fill("Here it is")
    send.click()
    outbound = page.locator('[data-testid="message"][data-direction="outbound"]')
    expect(outbound).to_have_count(1)
    expect(page.get_by_test_id("attachment")).to_have_count(0)
    message = api_call(info, "GET", f"/conversations/{conversation_of(info, wa_id)['id']}/messages",
                       api_headers(info))["items"][-1]
    assert message["text"] == "Here it is"
    assert [(a["filename"], a["content_type"], a["size"]) for a in message["attachments"]] == [
        ("parcel <b>1</b>.png", "image/png", len(PNG_1X1))]


def test_the_filter_dialog_finds_a_customer_exactly(system, page):
    info = system.info
    wa_id = new_wa_id()
    customer_says(info, wa_id=wa_id, name="Fritz Filter", text=f"Filter me {wa_id}")
    customer_says(info, wa_id=new_wa_id(), name="Other Person", text="Someone else")

    # Given an agent on the All tab
    sign_in(page, info)
    page.get_by_role("tab", name=re.compile("^All")).click()
    rows = page.get_by_test_id("conversation-row")
    expect(rows.filter(has_text="Someone else").first).to_be_visible(timeout=10_000)

    # When they filter by the customer's whole number on WhatsApp
    page.get_by_role("button", name="Filter", exact=True).click()
    dialog = page.get_by_test_id("filter-dialog")
    dialog.get_by_role("group", name="Channel").get_by_label("WhatsApp").check()
    dialog.get_by_label("Customer", exact=True).fill(f"+{wa_id}")
    dialog.get_by_role("button", name="Filter", exact=True).click()

    # Then only that conversation is listed, and the filters are named above the list
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Fritz Filter")
    expect(page.get_by_test_id("active-filters")).to_contain_text(f"Customer: +{wa_id}")

    # And a part of the name finds nothing (search is exact); clearing shows everything again
    page.get_by_role("button", name="Filter (2)", exact=True).click()
    dialog.get_by_label("Customer", exact=True).fill("Fritz")
    dialog.get_by_role("button", name="Filter", exact=True).click()
    expect(page.get_by_role("tabpanel")).to_contain_text("No conversations match the filters.")
    page.get_by_role("button", name="Clear filters").click()
    expect(rows.filter(has_text="Someone else").first).to_be_visible()
