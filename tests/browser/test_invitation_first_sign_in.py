"""Invitation to the inbox: an administrator invites, the mail in the local mailbox gives the
temporary password, the invited user signs in with it, is refused a weak password, chooses a
good one and lands in the inbox."""

import secrets

from playwright.sync_api import expect

from tests.accounts_support import NEW_PASSWORD, temporary_password, wait_for_mail
from tests.browser.conftest import api_call, api_headers, screenshot


def test_an_invited_user_signs_in_for_the_first_time_and_reaches_the_inbox(system, page):
    info = system.info
    # Given: an administrator invited a watcher (no seat needed); the mail says where to go
    email = f"invited-{secrets.token_hex(3)}@example.com"
    api_call(info, "POST", "/users", api_headers(info), {"email": email, "display_name": "Ivy Invited",
                                                         "role": "watcher"})
    mail = wait_for_mail(info["simulator_url"], email, "invited")
    assert info["web_url"] in mail["text"]

    # When: they sign in with the temporary password
    page.goto(info["web_url"])
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(temporary_password(mail))
    page.get_by_role("button", name="Sign in").click()

    # Then: they must choose a password; a weak one is refused with the rule in words
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    page.get_by_label("New password").fill("weakpassword")
    page.get_by_label("Confirm password").fill("weakpassword")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("12 characters")
    screenshot(page, "first-sign-in-weak-password")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Confirm password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()

    # And: a good one signs them in, straight to the inbox
    expect(page.get_by_test_id("current-user")).to_have_text("Ivy Invited")
    expect(page.get_by_role("tab", name="New")).to_be_visible()
