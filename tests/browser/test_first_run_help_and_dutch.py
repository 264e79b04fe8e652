"""The finish of the web app (issue 17.6), in headless Chromium: a first-run guide to the four
tabs that can be dismissed and brought back from the profile, a help page, the interface in
Dutch from the profile's language, and no clipping at 1024 and 1280 px."""

from playwright.sync_api import expect

from tests.browser.conftest import (
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

# Whatever is wider than the window, or sticks out of its right edge: what a narrow screen clips.
CLIPPED = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  if (document.documentElement.scrollWidth > width + 1) out.push('page ' + document.documentElement.scrollWidth);
  const parts = 'header *, .tabs *, .list-tools *, .conversation__head *, .composer *';
  for (const element of document.querySelectorAll(parts)) {
    const box = element.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1) out.push(element.tagName + '.' + element.className + ' ' + box.right);
  }
  for (const list of document.querySelectorAll('header, .tabs')) {
    if (list.scrollWidth > list.clientWidth + 1) out.push(list.className + ' scrolls ' + list.scrollWidth);
  }
  return out;
}"""


def test_the_first_run_guide_explains_the_tabs_and_comes_back_from_the_profile(system, page):
    info = system.info
    sign_in(page, info)
    # Given someone new in the inbox: the guide names the four tabs where a conversation opens
    guide = page.get_by_test_id("first-run-guide")
    for tab in ("New:", "Assigned to me:", "Assigned:", "All:"):
        expect(guide).to_contain_text(tab)
    screenshot(page, "first-run-guide")
    # When they dismiss it, it stays away (also after a reload)
    guide.get_by_role("button", name="Got it").click()
    expect(guide).to_have_count(0)
    page.reload()
    expect(page.get_by_text("Select a conversation.")).to_be_visible()
    expect(page.get_by_test_id("first-run-guide")).to_have_count(0)
    # When they ask for it again on their profile, the inbox shows it again
    page.goto(f"{info['web_url']}/#/settings/profile")
    page.get_by_test_id("guide-reset").click()
    page.get_by_role("link", name="Conversations").click()
    expect(page.get_by_test_id("first-run-guide")).to_be_visible()
    # And the help link opens the help page
    page.get_by_test_id("help-link").click()
    expect(page.get_by_role("heading", name="Help", level=1)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("The four tabs")


def test_the_interface_reads_in_dutch_and_fits_at_1024_and_1280_pixels(system, browser):
    info = system.info
    # Given an agent whose profile language is Dutch, and a waiting customer
    email = new_user_with_password(info, "agent")
    api_call(info, "PATCH", "/me/profile", api_headers(info, email, USER_PASSWORD), {"language": "nl"})
    for width in (1024, 1280):
        wa_id = new_wa_id()
        customer_says(info, wa_id=wa_id, name="Daan de Vries", text=f"Goedemorgen, waar blijft mijn pakket? {wa_id}")
        context = browser.new_context(viewport={"width": width, "height": 768})
        page = context.new_page()
        try:
            sign_in_as(page, info, email, USER_PASSWORD)
            # Then the header, tabs and guide are in Dutch
            expect(page.get_by_role("link", name="Gesprekken")).to_be_visible()
            expect(page.get_by_role("button", name="Afmelden")).to_be_visible()
            expect(page.get_by_test_id("first-run-guide")).to_contain_text("Aan de slag")
            assert page.evaluate(CLIPPED) == []
            # And a conversation reads in Dutch, with nothing clipped
            row = page.get_by_test_id("conversation-row").filter(has_text=wa_id)
            expect(row).to_be_visible(timeout=10_000)
            row.click()
            page.get_by_role("button", name="Oppakken").click()
            expect(page.get_by_test_id("owner")).to_have_text("Aan u toegewezen")
            expect(page.get_by_role("button", name="Sjabloon")).to_be_visible()
            assert page.evaluate(CLIPPED) == []
            screenshot(page, f"dutch-conversation-{width}")
            page.goto(f"{info['web_url']}/#/settings/profile")
            expect(page.get_by_role("button", name="Profiel opslaan")).to_be_visible()
            assert page.evaluate(CLIPPED) == []
            screenshot(page, f"dutch-profile-{width}")
        finally:
            context.close()


def test_dutch_is_read_only_by_who_needs_it_and_the_browser_language_sets_the_sign_in_page(system, browser):
    info = system.info
    # An English browser signs in without reading the Dutch catalogue (a file of its own)
    english = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    page = english.new_page()
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    try:
        sign_in(page, info)
        assert not [url for url in fetched if "/assets/nl-" in url]
        # And choosing Dutch on the profile turns the interface Dutch at once
        email = new_user_with_password(info, "agent")
        page.get_by_role("button", name="Sign out").click()
        sign_in_as(page, info, email, USER_PASSWORD)
        page.goto(f"{info['web_url']}/#/settings/profile")
        page.get_by_label("Language", exact=True).select_option("nl")
        page.get_by_role("button", name="Save profile").click()
        expect(page.get_by_role("button", name="Profiel opslaan")).to_be_visible()
        expect(page.get_by_role("link", name="Gesprekken")).to_be_visible()
    finally:
        english.close()
    # A Dutch browser gets the sign-in page in Dutch
    dutch = browser.new_context(viewport={"width": 1024, "height": 768}, locale="nl-NL")
    page = dutch.new_page()
    try:
        page.goto(info["web_url"])
        expect(page.get_by_role("heading", name="Aanmelden")).to_be_visible()
        expect(page.get_by_role("button", name="Wachtwoord vergeten?")).to_be_visible()
    finally:
        dutch.close()
