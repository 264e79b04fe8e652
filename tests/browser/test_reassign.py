"""Reassigning between two agents signed in at once, each in their own browser context: the
assign dialog lists the colleague who is signed in, and the conversation moves to them live."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import customer_says, screenshot, sign_in
from tests.support import new_wa_id


def test_an_agent_reassigns_to_a_colleague_signed_in_elsewhere_who_sees_it_arrive(system, browser):
    info = system.info
    first = browser.new_context(viewport={"width": 1280, "height": 800})
    second = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        agent1, agent2 = first.new_page(), second.new_page()
        # Given two agents of the team signed in, the second looking at Assigned to me
        sign_in(agent1, info, email="agent1@example.com")
        sign_in(agent2, info, email="agent2@example.com")
        agent2.get_by_role("tab", name=re.compile("^Assigned to me")).click()
        wa_id = new_wa_id()
        text = f"Please pass me on {wa_id}"
        customer_says(info, wa_id=wa_id, name="Rita Reassign", text=text)

        # When the first agent picks the conversation up (Alt+A), then assigns it (Alt+A again)
        agent1.get_by_role("tab", name=re.compile("^New")).click()
        agent1.get_by_test_id("conversation-row").filter(has_text=text).click()
        expect(agent1.get_by_test_id("conversation-name")).to_have_text("Rita Reassign")
        agent1.keyboard.press("Alt+A")
        expect(agent1.get_by_label("Reply")).to_be_enabled()
        agent1.keyboard.press("Alt+A")
        dialog = agent1.get_by_test_id("assign-dialog")
        colleagues = dialog.get_by_role("list", name="Colleagues signed in")
        # Then the dialog offers the colleague who is signed in (and not the agent who has it)
        expect(colleagues.get_by_role("button", name=re.compile("agent2@example.com"))).to_be_visible()
        expect(colleagues.get_by_role("button", name=re.compile("agent1@example.com"))).to_have_count(0)
        screenshot(agent1, "assign-dialog")
        colleague = colleagues.get_by_role("button", name=re.compile("agent2@example.com"))
        colleague_name = colleague.locator("span").first.inner_text()
        colleague.click()
        expect(agent1.get_by_test_id("owner")).to_have_text(f"Assigned to {colleague_name}")

        # And the colleague sees it arrive in Assigned to me, without reloading, and may reply
        row = agent2.get_by_test_id("conversation-row").filter(has_text=text)
        expect(row).to_be_visible(timeout=5_000)
        row.click()
        expect(agent2.get_by_label("Reply")).to_be_enabled()
        # While the first agent can no longer reply to it
        expect(agent1.get_by_label("Reply")).to_have_count(0)
        screenshot(agent2, "reassigned-arrival")
    finally:
        first.close()
        second.close()
