"""The finish of the web app (issue 17.6), in headless Chromium: a first-run guide to the four
tabs that can be dismissed and brought back from the profile, a help page, the interface in
Dutch from the profile's language (every main screen, with no English left on it), and no
clipping at 1024 and 1280 px."""

import json
import re
import time
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import (
    USER_PASSWORD,
    api_call,
    api_headers,
    customer_says,
    new_user_with_password,
    new_whatsapp_account,
    screenshot,
    sign_in,
    sign_in_as,
)
from tests.support import new_wa_id

CATALOGUES = Path(__file__).resolve().parents[2] / "frontend" / "src" / "i18n"

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
  // Nothing sticks out of its card (a part meant to scroll sideways, such as a wide table, scrolls inside it).
  for (const card of document.querySelectorAll('main .card')) {
    const edge = card.getBoundingClientRect().right;
    for (const element of card.querySelectorAll('*')) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.right <= edge + 1) continue;
      let scroller = element.parentElement;
      while (scroller && scroller !== card && getComputedStyle(scroller).overflowX === 'visible') {
        scroller = scroller.parentElement;
      }
      if (scroller === card || !scroller) out.push('out of its card: ' + element.tagName + '.' + element.className);
    }
  }
  return out;
}"""


# Controls whose text holds an emoji (a pictograph): what a machine without an emoji font shows as a box.
EMOJI_GLYPHS = """() => [...document.querySelectorAll('header *, button, [role="tab"], .composer *, label')]
  .filter((element) => /\\p{Extended_Pictographic}/u.test(element.textContent || ''))
  .map((element) => element.tagName + ' ' + (element.textContent || '').trim().slice(0, 30))"""


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
            # And the buttons draw their symbols as inline SVG, never an emoji glyph (empty boxes
            # on a machine without an emoji font): attach and emoji in the reply box among them
            assert page.evaluate(EMOJI_GLYPHS) == []
            for button in ("Bestanden bijvoegen", "Emoji invoegen"):
                expect(page.get_by_role("button", name=button, exact=True).locator("svg")).to_be_visible()
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


# What a reader sees of the interface: its text and the labels, titles and placeholders of what
# shows, read past the data the web app marks as such (data-user-content on an element whose text
# comes from the API; data-user-values naming what a label filled in), so that what other tests
# leave in the shared runtime (customers, tags, templates, accounts, colleagues), in whatever
# language it was written, never counts as the interface's English.
SEEN_TEXT = """() => {
  const shown = (element) => element.getClientRects().length > 0 && !element.closest('[data-user-content]');
  const seen = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement && shown(node.parentElement)) seen.push(node.textContent);
  }
  for (const element of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
    if (!shown(element)) continue;
    const values = JSON.parse(element.getAttribute('data-user-values') || '[]');
    for (const name of ['aria-label', 'title', 'placeholder']) {
      seen.push(values.reduce((label, value) => label.split(value).join(' '), element.getAttribute(name) || ''));
    }
  }
  return seen.join('\\n');
}"""


def english_only_words() -> set[str]:
    """Words of the English catalogue that the Dutch one never uses: on a Dutch screen, each is
    English the catalogues did not provide."""
    def words(language: str) -> set[str]:
        texts = json.loads((CATALOGUES / f"{language}.json").read_text(encoding="utf-8")).values()
        return {word.lower() for text in texts for word in re.findall(r"[A-Za-z]{4,}", re.sub(r"\{\w+\}", "", text))}

    return words("en") - words("nl")


def english_on(page, known: set[str]) -> list[str]:
    """The English words of the interface on the page (data is read past, whatever its words)."""
    seen = {word.lower() for word in re.findall(r"[A-Za-z]{4,}", page.evaluate(SEEN_TEXT))}
    return sorted(seen & known)


def conversation_of(info, headers, wa_id: str) -> str:
    """The id of the customer's conversation, once the intake has stored it."""
    deadline = time.monotonic() + 15
    while True:
        items = api_call(info, "GET", f"/conversations?view=all&customer=%2B{wa_id}", headers)["items"]
        if items or time.monotonic() > deadline:
            assert items, f"no conversation of +{wa_id}"
            return str(items[0]["id"])
        time.sleep(0.2)


# The test's own data is worded with words of the English catalogue on purpose: every place that
# shows it must mark it as data, or the check counts it as English left in the interface.
ENGLISH_DATA = "Conversations merged statistics"


def test_every_main_screen_reads_in_dutch_with_no_english_left(system, browser):
    info = system.info
    known = english_only_words()
    assert {"conversations", "statistics", "merged"} <= known  # the check can see English
    # Given a Dutch administrator, and one customer known by two numbers who wrote from both
    email = new_user_with_password(info, "administrator")
    headers = api_headers(info, email, USER_PASSWORD)
    api_call(info, "PATCH", "/me/profile", headers, {"language": "nl"})
    who = api_call(info, "GET", "/me", headers)
    name = who["user"]["display_name"]
    kept_wa, moved_wa = new_wa_id(), new_wa_id()
    kept_name, moved_name = "Daan Statistics", "Daan Merged"
    customer_says(info, wa_id=kept_wa, name=kept_name, text=f"{ENGLISH_DATA} {kept_wa}")
    customer_says(info, wa_id=moved_wa, name=moved_name, text=f"{ENGLISH_DATA} {moved_wa}")
    conversation = {wa_id: conversation_of(info, headers, wa_id) for wa_id in (kept_wa, moved_wa)}
    customer = {wa_id: api_call(info, "GET", f"/conversations/{cid}/customer", headers)["profile"]["id"]
                for wa_id, cid in conversation.items()}
    # And they merge the second profile into the first, and archive the first conversation with tags
    api_call(info, "POST", f"/customers/{customer[kept_wa]}/merge", headers, {"source_id": customer[moved_wa]})
    api_call(info, "POST", f"/conversations/{conversation[kept_wa]}/pickup", headers)
    api_call(info, "POST", f"/conversations/{conversation[kept_wa]}/archive", headers,
             {"tags": ["levering", "statistics"]})
    # And a WhatsApp account of their team with a template, both named and worded in English
    account, _ = new_whatsapp_account(info, headers, who["team_id"], f"{ENGLISH_DATA} line")
    api_call(info, "POST", f"/admin/channel-accounts/{account['id']}/templates", headers, {
        "name": "merged_statistics", "language": "en", "body": f"{ENGLISH_DATA} {{{{conversations}}}}",
        "labels": {"conversations": ENGLISH_DATA}})
    for width in (1024, 1280):
        context = browser.new_context(viewport={"width": width, "height": 768})
        page = context.new_page()
        try:
            sign_in_as(page, info, email, USER_PASSWORD)
            page.get_by_test_id("first-run-guide").get_by_role("button").first.click()
            # When they open the moved conversation: the story lines are in Dutch
            page.goto(f"{info['web_url']}/#/all/{conversation[moved_wa]}")
            lines = page.get_by_test_id("system-line")
            expect(lines.filter(has_text=f"Klant {moved_name} samengevoegd met {kept_name} door {name}")).to_be_visible(
                timeout=10_000)
            page.goto(f"{info['web_url']}/#/all/{conversation[kept_wa]}")
            expect(lines.filter(has_text=f"Gearchiveerd door {name} met tags levering, statistics")).to_be_visible(
                timeout=10_000)
            assert english_on(page, known) == [], "conversation"
            assert page.evaluate(CLIPPED) == []
            screenshot(page, f"dutch-thread-{width}")
            # And every other main screen reads Dutch, nothing clipped
            for screen, path, ready in (
                ("customer", f"#/customers/{customer[kept_wa]}", "customer-page"),
                ("statistics", "#/statistics", "statistics"),
                ("team-overview", "#/settings/team-now", "team-now"),
                ("templates", "#/settings/templates", "template-settings"),
            ):
                page.evaluate("hash => { location.hash = hash; }", path)
                expect(page.get_by_test_id(ready).first).to_be_visible(timeout=10_000)
                expect(page.get_by_role("main")).not_to_contain_text("Laden", timeout=10_000)
                if screen == "templates":  # the templates of their own account
                    page.get_by_label("Kanaalaccount").select_option(account["id"])
                    expect(page.get_by_test_id("template").filter(has_text="merged_statistics")).to_be_visible(
                        timeout=10_000)
                assert english_on(page, known) == [], screen
                assert page.evaluate(CLIPPED) == [], screen
                screenshot(page, f"dutch-{screen}-{width}")
        finally:
            context.close()


def test_the_english_inbox_fits_at_1024_pixels_too(system, browser):
    info = system.info
    # Given a waiting customer, and an agent on a 1024 px screen in English (its longest tab: "Assigned to me")
    wa_id = new_wa_id()
    customer_says(info, wa_id=wa_id, name="Nina Narrow", text=f"Narrow screen {wa_id}")
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    try:
        sign_in(page, info)
        assert page.evaluate(CLIPPED) == []
        # When they open the conversation and pick it up, nothing is clipped either
        row = page.get_by_test_id("conversation-row").filter(has_text=wa_id)
        expect(row).to_be_visible(timeout=10_000)
        row.click()
        page.get_by_role("button", name="Pick up").click()
        expect(page.get_by_label("Reply")).to_be_enabled()
        assert page.evaluate(CLIPPED) == []
        screenshot(page, "english-conversation-1024")
        # And the tabs still fit a busy day's counts (three digits each; the counts stop at 999+)
        page.evaluate("""() => document.querySelectorAll('[data-testid="tab-count"]')
          .forEach((count) => { count.textContent = '999+'; })""")
        assert page.evaluate(CLIPPED) == []
        screenshot(page, "english-busy-tabs-1024")
    finally:
        context.close()
