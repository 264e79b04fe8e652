"""The queue a supervisor can run (issue 17.1), in headless Chromium: rows show the owner, an
unread dot and how long the customer has waited; the open tabs sort by waiting time; the Waiting
filter finds the conversations waiting for the customer; the team overview shows each agent's
status, open conversations and capacity; a supervisor reads exact tab counts and sees a customer's
answer end the wait for the customer."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import (
    USER_PASSWORD,
    api_call,
    api_headers,
    customer_says,
    new_user_with_password,
    screenshot,
    settings_menu,
    sign_in,
    sign_in_as,
)
from tests.support import new_wa_id, wait_for


def row_of(page, text):
    return page.get_by_test_id("conversation-row").filter(has_text=text)


def test_a_supervisor_sees_who_waits_longest_and_who_owns_what(system, browser):
    info = system.info
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        # Given two customers: the first wrote before the second, and Sam Agent took the second
        first_id, second_id = new_wa_id(), new_wa_id()
        first_text, second_text = f"First in line {first_id}", f"Second in line {second_id}"
        customer_says(info, wa_id=first_id, name="Fay First", text=first_text)
        customer_says(info, wa_id=second_id, name="Sid Second", text=second_text)
        sam = api_headers(info, "agent2@example.com")
        second_new = f"/conversations?view=new&customer=%2B{second_id}"
        listed = wait_for(lambda: api_call(info, "GET", second_new, sam)["items"],
                          what="the customer's conversation")
        api_call(info, "POST", f"/conversations/{listed[0]['id']}/pickup", sam)

        # When Alex signs in and sorts New by waiting time
        sign_in(page, info, email="agent1@example.com")
        page.get_by_role("tab", name=re.compile("^New")).click()
        page.get_by_label("Sort").select_option("waiting:asc")
        first = row_of(page, first_text)
        # Then the first customer's row says how long they have waited, with nobody owning it yet
        expect(first.get_by_test_id("row-waiting")).to_have_text(re.compile(r"^Waiting "))
        expect(first).to_have_attribute("data-waiting", "agent")

        # And Assigned shows the second customer's owner by name, with an unread dot (Sam has not opened it)
        page.get_by_role("tab", name=re.compile("^Assigned$|^Assigned \\d")).click()
        second = row_of(page, second_text)
        expect(second.get_by_test_id("row-owner")).to_have_text("Owner: Sam Agent")
        expect(second.get_by_test_id("unread-dot")).to_be_visible()
        expect(second.get_by_test_id("row-waiting")).to_be_visible()
        page.get_by_label("Sort").select_option("waiting:asc")
        expect(second.get_by_test_id("row-waiting")).to_be_visible()
        screenshot(page, "queue-view")

        # When Alex picks up the first customer and opens it, the unread dot goes
        page.get_by_role("tab", name=re.compile("^New")).click()
        row_of(page, first_text).click()
        page.get_by_role("button", name="Pick up").click()
        reply_box = page.get_by_label("Reply")
        expect(reply_box).to_be_enabled()
        page.get_by_role("tab", name=re.compile("^Assigned to me")).click()
        expect(row_of(page, first_text)).to_be_visible()
        # (the row by its id from here on: the preview becomes the reply)
        first_conversation = row_of(page, first_text).get_attribute("data-conversation-id")
        mine = page.locator(f'[data-testid="conversation-row"][data-conversation-id="{first_conversation}"]')
        expect(mine).to_have_attribute("data-unread", "false")
        expect(mine.get_by_test_id("row-owner")).to_have_text("Owner: Alex Agent")

        # And after Alex answers, the row says it waits for the customer, and the Waiting filter finds it
        reply_box.fill("We are looking into it")
        reply_box.press("Enter")
        expect(mine.get_by_test_id("awaiting-customer")).to_have_text("Waiting for customer")
        expect(mine.get_by_test_id("row-waiting")).to_have_count(0)
        page.get_by_role("button", name=re.compile("^Filter")).click()
        dialog = page.get_by_test_id("filter-dialog")
        dialog.get_by_test_id("filter-waiting").select_option("customer")
        dialog.get_by_role("button", name="Filter", exact=True).click()
        expect(page.get_by_test_id("active-filters")).to_contain_text("Waiting: Waiting for customer")
        expect(mine).to_be_visible()
        for state in page.get_by_test_id("conversation-row").all():
            expect(state).to_have_attribute("data-waiting", "customer")
        screenshot(page, "queue-waiting-for-customer")
    finally:
        context.close()


def test_the_team_overview_shows_status_open_conversations_and_capacity(system, browser):
    info = system.info
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        # Given Sam Agent holds a conversation whose customer waits
        wa_id = new_wa_id()
        customer_says(info, wa_id=wa_id, name="Olga Overview", text=f"Overview probe {wa_id}")
        sam = api_headers(info, "agent2@example.com")
        api_call(info, "POST", "/me/heartbeat", sam, {"status": "available"})
        listed = wait_for(lambda: api_call(info, "GET", f"/conversations?view=new&customer=%2B{wa_id}", sam)["items"],
                          what="the customer's conversation")
        api_call(info, "POST", f"/conversations/{listed[0]['id']}/pickup", sam)

        # When the administrator opens the team overview
        sign_in(page, info, email="admin@example.com")
        page.get_by_role("link", name="Settings").click()
        settings_menu(page).get_by_role("link", name="Team now").click()
        table = page.get_by_test_id("team-now")
        sam_row = table.locator("tr").filter(has_text="Sam Agent")
        # Then Sam is Available with at least that conversation open out of the team's capacity
        expect(sam_row.get_by_test_id("team-now-status")).to_have_text("Available")
        expect(sam_row.get_by_test_id("team-now-open")).to_have_text(re.compile(r"^[1-9]\d* / \d+$"))
        expect(sam_row.get_by_test_id("team-now-waiting")).not_to_have_text("0")
        expect(page.get_by_test_id("team-overview-new")).to_contain_text("New:")
        screenshot(page, "team-overview")
    finally:
        context.close()


def test_the_thread_tells_who_picked_up_assigned_and_archived(system, browser):
    info = system.info
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        # Given a customer who writes, and Alex signed in
        wa_id = new_wa_id()
        text = f"Tell my story {wa_id}"
        customer_says(info, wa_id=wa_id, name="Stella Story", text=text)
        sign_in(page, info, email="agent1@example.com")
        page.get_by_role("tab", name=re.compile("^New")).click()
        row_of(page, text).click()
        conversation_id = row_of(page, text).get_attribute("data-conversation-id")
        # When Alex picks it up in the app
        page.get_by_role("button", name="Pick up").click()
        expect(page.get_by_label("Reply")).to_be_enabled()
        # Then the thread says so, between the customer's message and what follows
        lines = page.get_by_test_id("system-line")
        expect(lines.filter(has_text="Picked up by Alex Agent")).to_be_visible()
        # When Alex hands it back and picks it up again, and archives it with a tag (through the API)
        alex = api_headers(info, "agent1@example.com")
        api_call(info, "POST", f"/conversations/{conversation_id}/handback", alex)
        api_call(info, "POST", f"/conversations/{conversation_id}/pickup", alex)
        api_call(info, "POST", f"/conversations/{conversation_id}/archive", alex, {"tags": ["delivery"]})
        # Then the open thread tells each step in order, without a reload
        expect(lines).to_have_count(4, timeout=15_000)
        expect(lines.nth(1)).to_have_text(re.compile("^Handed back to New by Alex Agent"))
        expect(lines.nth(3)).to_have_text(re.compile("^Archived by Alex Agent with tags delivery"))
        screenshot(page, "thread-system-lines")
    finally:
        context.close()


def test_a_supervisor_reads_exact_tab_counts_and_sees_a_customer_answer_end_the_wait(system, browser):
    info = system.info
    # Given Sam Agent answered a customer, who now waits for nothing: the conversation waits for the customer
    wa_id = new_wa_id()
    text = f"Supervised {wa_id}"
    customer_says(info, wa_id=wa_id, name="Vera Visible", text=text)
    sam = api_headers(info, "agent2@example.com")
    listed = wait_for(lambda: api_call(info, "GET", f"/conversations?view=new&customer=%2B{wa_id}", sam)["items"],
                      what="the customer's conversation")
    conversation_id = listed[0]["id"]
    api_call(info, "POST", f"/conversations/{conversation_id}/pickup", sam)
    api_call(info, "POST", f"/conversations/{conversation_id}/messages", sam, {"text": "Let me check"})
    # When a supervisor opens the inbox
    email = new_user_with_password(info, "supervisor")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        sign_in_as(page, info, email, USER_PASSWORD)
        # Then each tab's count is the exact number the API counts for them
        counts = api_call(info, "GET", "/team/inbox-counts", api_headers(info, email, USER_PASSWORD))
        for view in ("new", "assigned", "all"):
            expect(page.locator(f'[role="tab"][data-view="{view}"] [data-testid="tab-count"]')).to_have_text(
                str(counts[view]))
        # And Assigned shows who owns the conversation and that it waits for the customer
        page.locator('[role="tab"][data-view="assigned"]').click()
        row = page.locator(f'[data-testid="conversation-row"][data-conversation-id="{conversation_id}"]')
        expect(row.get_by_test_id("row-owner")).to_have_text("Owner: Sam Agent")
        expect(row.get_by_test_id("awaiting-customer")).to_have_text("Waiting for customer")
        # When the customer writes again, the row says they wait for the team again, without a reload
        customer_says(info, wa_id=wa_id, name="Vera Visible", text=f"Any news? {wa_id}")
        expect(row.get_by_test_id("awaiting-customer")).to_have_count(0, timeout=15_000)
        expect(row.get_by_test_id("row-waiting")).to_have_text(re.compile(r"^Waiting "))
        expect(row).to_have_attribute("data-waiting", "agent")
    finally:
        context.close()
