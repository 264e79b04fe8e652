"""A working agent is never signed out: with ID tokens living 15 seconds, the web app renews
them from its HttpOnly session cookie while a draft is open, the draft survives a reload, a
second tab shares the session, and signing out in one tab signs out both and revokes it."""

import re

import requests
from playwright.sync_api import expect

from tests.browser.conftest import customer_says, screenshot, sign_in
from tests.support import HTTP_TIMEOUT, new_wa_id

LIFETIME_SECONDS = 15


def token_lifetime(info, seconds):
    requests.post(f"{info['simulator_url']}/control/cognito/token-lifetime", json={"seconds": seconds},
                  timeout=HTTP_TIMEOUT).raise_for_status()


def renewal(response):
    return response.url.endswith("/api/auth/session") and response.request.method == "POST"


def test_the_session_renews_while_a_draft_is_open_and_ends_everywhere(system, browser):
    info = system.info
    token_lifetime(info, LIFETIME_SECONDS)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        # Given: an agent signed in with short-lived tokens, a draft half written in a conversation
        sign_in(page, info)
        cookie = next(c for c in context.cookies() if c["name"] == "oc_session")
        assert cookie["httpOnly"]
        assert cookie["secure"]
        assert cookie["sameSite"] == "Strict"
        assert cookie["path"] == "/api/auth/session"
        assert page.evaluate("document.cookie") == ""  # page scripts cannot read it
        wa_id = new_wa_id()
        text = f"Where is my parcel {wa_id}?"
        customer_says(info, wa_id=wa_id, name="Dora Draft", text=text)
        page.get_by_role("tab", name="New").click()
        page.get_by_test_id("conversation-row").filter(has_text=text).click()
        page.get_by_role("button", name="Pick up").click()
        reply = page.get_by_label("Reply")
        expect(reply).to_be_enabled()
        draft = "Dear Dora, your parcel left our warehouse and"
        reply.fill(draft)

        # When: three token lifetimes pass; each renewal comes before the tokens expire
        for _ in range(3):
            with page.expect_response(renewal, timeout=(LIFETIME_SECONDS + 10) * 1000) as renewed:
                pass
            assert renewed.value.status == 200
        # Then: still signed in, the list still reads (with renewed tokens), and the draft untouched
        with page.expect_response(lambda r: "/api/conversations?" in r.url, timeout=30_000) as listed:
            page.get_by_role("tab", name=re.compile("^Assigned to me")).click()
        assert listed.value.status == 200
        expect(page.get_by_test_id("current-user")).to_be_visible()
        page.get_by_test_id("conversation-row").filter(has_text=text).click()
        expect(page.get_by_label("Reply")).to_have_value(draft)

        # And: a reload keeps the session (the cookie) and the draft (kept per conversation)
        page.reload()
        expect(page.get_by_test_id("current-user")).to_be_visible()
        page.get_by_role("tab", name=re.compile("^Assigned to me")).click()
        page.get_by_test_id("conversation-row").filter(has_text=text).click()
        expect(page.get_by_label("Reply")).to_have_value(draft)
        screenshot(page, "session-renewed-draft-kept")

        # And: a second tab is signed in without the form; signing out there signs out both
        second = context.new_page()
        second.goto(info["web_url"])
        expect(second.get_by_test_id("current-user")).to_be_visible()
        # (every tab drops its tokens at once; the revocation request completes in the background)
        with second.expect_response(lambda r: r.request.method == "DELETE" and "/auth/session" in r.url,
                                    timeout=30_000) as revoked:
            second.get_by_role("button", name="Sign out").click()
        assert revoked.value.status == 204
        expect(second.get_by_role("button", name="Sign in")).to_be_visible()
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        expect(page.get_by_role("alert")).to_contain_text("signed out")
        # and the refresh token is revoked: the cookie no longer gives a session
        assert context.request.post(f"{info['api_url']}/auth/session",
                                    headers={"Cookie": f"oc_session={cookie['value']}"}).status == 401
    finally:
        token_lifetime(info, None)
        context.close()
