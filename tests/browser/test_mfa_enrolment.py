"""MFA in the web app: an agent sets up an authenticator app from the profile (QR code and key,
the first code confirms), and the next sign-in asks for its code."""

from playwright.sync_api import expect

from tests.accounts_support import totp
from tests.browser.conftest import USER_PASSWORD, new_user_with_password, screenshot, sign_in_as


def test_an_agent_sets_up_an_authenticator_and_signs_in_with_its_code(system, page):
    info = system.info
    # Given: a signed-in watcher (no seat needed) on their profile
    email = new_user_with_password(info, "watcher")
    sign_in_as(page, info, email, USER_PASSWORD)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="My profile").click()

    # When: they set up an authenticator app: a QR code and the key to type
    page.get_by_role("button", name="Set up an authenticator app").click()
    expect(page.get_by_test_id("totp-qr").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text()
    screenshot(page, "mfa-enrolment")
    # a wrong first code is refused
    page.get_by_label("Code from the app").fill("000000" if totp(secret) != "000000" else "111111")
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("alert")).to_contain_text("code is wrong")
    page.get_by_label("Code from the app").fill(totp(secret))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_test_id("mfa-status")).to_contain_text("set up")

    # Then: signing in again asks for the app's code after the password
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(USER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Authentication code")).to_be_visible()
    page.get_by_label("Code from your authenticator app").fill(totp(secret))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()
