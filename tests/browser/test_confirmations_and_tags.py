"""Destructive administration asks first, naming what will happen (disable a user or a channel
account, delete a quick-reply group, change auto-deletion), and tag entry takes the suggested
existing tag on Enter (issue 17.4), in headless Chromium."""

import secrets

from playwright.sync_api import expect

from tests.browser.conftest import (
    api_call,
    api_headers,
    customer_says,
    new_user_with_password,
    settings_menu,
    sign_in,
)
from tests.support import new_wa_id


def test_destructive_administration_names_its_effect_before_it_runs(system, page):
    info = system.info
    admin = api_headers(info)
    email = new_user_with_password(info, "watcher")
    group = api_call(info, "POST", "/admin/quick-reply-groups", admin, {"name": f"Gone{secrets.token_hex(2)}"})
    api_call(info, "POST", "/admin/quick-replies", admin, {"group_id": group["id"], "text": "Bye"})
    before = api_call(info, "GET", "/settings/service", admin)
    sign_in(page, info, "admin@example.com")
    page.get_by_role("link", name="Settings").click()
    confirm = page.get_by_test_id("confirm-dialog")
    try:
        # Disabling a user says they are signed out at once; Cancel leaves them as they are
        settings_menu(page).get_by_role("link", name="User roles", exact=True).click()
        row = page.get_by_role("row").filter(has_text=email)
        row.get_by_role("button", name="Disable").click()
        expect(confirm.get_by_test_id("confirm-effect")).to_contain_text("signed out at once")
        confirm.get_by_role("button", name="Cancel").click()
        assert next(u for u in api_call(info, "GET", "/users?limit=100", admin)["items"]
                    if u["email"] == email)["role"] != "disabled"
        row.get_by_role("button", name="Disable").click()
        confirm.get_by_role("button", name="Disable user").click()
        expect(row.get_by_role("button", name="Enable")).to_be_visible()

        # Disabling a channel account says its messages stop coming in (cancelled: the demo needs it)
        settings_menu(page).get_by_role("link", name="Channels", exact=True).click()
        account = page.get_by_test_id("channel-account").first
        account.get_by_role("button", name="Disable").click()
        expect(confirm.get_by_test_id("confirm-effect")).to_contain_text("no longer taken in")
        confirm.get_by_role("button", name="Cancel").click()
        expect(account).to_contain_text("Enabled")

        # Deleting a quick-reply group names its replies and its shortcut
        settings_menu(page).get_by_role("link", name="Quick replies", exact=True).click()
        card = page.get_by_test_id("quick-reply-group").filter(has_text=group["name"])
        card.get_by_role("button", name="Delete group").click()
        expect(confirm.get_by_test_id("confirm-effect")).to_contain_text("1 quick reply are deleted for everyone")
        confirm.get_by_role("button", name="Delete group").click()
        expect(page.get_by_test_id("quick-reply-group").filter(has_text=group["name"])).to_have_count(0)

        # Shortening auto-deletion warns that older archived conversations go for good
        settings_menu(page).get_by_role("link", name="Service settings", exact=True).click()
        page.get_by_label("Delete archived conversations after (days)").fill("400")
        page.get_by_role("button", name="Save service settings").click()
        expect(confirm.get_by_test_id("confirm-effect")).to_contain_text("400 days after archiving")
        confirm.get_by_role("button", name="Cancel").click()
        assert api_call(info, "GET", "/settings/service", admin)["auto_delete_days"] == before["auto_delete_days"]
    finally:
        api_call(info, "PATCH", "/settings/service", admin, {"auto_delete_days": before["auto_delete_days"]})


def test_enter_takes_the_suggested_existing_tag(system, page):
    info = system.info
    admin = api_headers(info)
    stem = f"ticket{secrets.token_hex(2)}"
    api_call(info, "POST", "/tags", admin, {"tag": f"{stem}s"})
    wa_id = new_wa_id()
    customer_says(info, wa_id=wa_id, name="Tom Tag", text=f"Tag me {wa_id}")
    sign_in(page, info)
    row = page.get_by_test_id("conversation-row").filter(has_text=wa_id)
    row.click()
    page.get_by_role("button", name="Pick up").click()
    page.keyboard.press("Alt+T")
    tags = page.get_by_test_id("tag-dialog")
    # When the agent types the start of an existing tag in capitals and presses Enter
    tags.get_by_label("Tag", exact=True).fill(stem[:4].upper() + stem[4:])
    expect(tags.get_by_test_id("tag-create-hint")).to_contain_text(f'Enter adds "{stem}s"')
    tags.get_by_label("Tag", exact=True).press("Enter")
    # Then the existing tag is added as the catalogue has it, not a new tag beside it
    expect(tags.get_by_test_id("tag")).to_have_text([f"{stem}s"])
    catalogue = api_call(info, "GET", "/tags?limit=100", admin)["items"]
    assert stem not in catalogue
