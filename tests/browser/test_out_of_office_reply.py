"""An administrator closes the team for today and writes an out-of-office message in the web app;
a customer who writes on WhatsApp then gets that reply at the channel simulator."""

from datetime import UTC, datetime
from typing import Any

import requests
from playwright.sync_api import expect

from tests.browser.conftest import api_call, api_headers, customer_writes, screenshot, settings_menu, sign_in
from tests.support import HTTP_TIMEOUT, new_wa_id, wait_for

CLOSED = "Closed today (browser test); we answer tomorrow."


def replies_to(info: dict[str, Any], wa_id: str) -> list[str]:
    outbox = requests.get(f"{info['simulator_url']}/control/outbox", timeout=HTTP_TIMEOUT).json()["items"]
    return [item["payload"]["text"]["body"] for item in outbox if item["to"] == wa_id and "text" in item["payload"]]


def test_office_hours_and_an_out_of_office_message_set_in_the_app_answer_a_customer(system, page):
    info = system.info
    admin = api_headers(info)
    account = info["demo"]["whatsapp"]["account_id"]
    name = info["demo"]["accounts"]["whatsapp"]["name"]
    before = api_call(info, "GET", f"/channel-accounts/{account}/out-of-office", admin)["messages"]
    try:
        # Given the administrator on the office hours page, closing the team for today (a holiday)
        sign_in(page, info, email="admin@example.com")
        page.get_by_role("link", name="Settings").click()
        settings_menu(page).get_by_role("link", name="Office hours").click()
        hours = page.get_by_test_id("office-hours")
        hours.get_by_label("Time zone").fill("UTC")
        hours.get_by_label("Holiday", exact=True).fill(datetime.now(UTC).date().isoformat())
        hours.get_by_role("button", name="Add holiday").click()
        hours.get_by_role("button", name="Save office hours").click()
        expect(page.get_by_test_id("status")).to_have_text("Office hours saved.")

        # And writing the WhatsApp account's out-of-office message
        settings_menu(page).get_by_role("link", name="Out of office").click()
        section = page.get_by_role("region", name=f"Out of office: {name}")
        section.get_by_role("button", name="Add message").click()
        section.get_by_test_id("ooo-message").last.get_by_role("textbox").fill(CLOSED)
        section.get_by_role("button", name="Save").click()
        expect(page.get_by_test_id("status")).to_have_text(f"Out-of-office messages of {name} saved.")
        screenshot(page, "settings-out-of-office")

        # When a customer writes on WhatsApp
        wa_id = new_wa_id()
        customer_writes(info, "whatsapp", wa_id, "Are you open today?")

        # Then the out-of-office reply reaches the customer through the simulated provider, once
        wait_for(lambda: CLOSED in replies_to(info, wa_id), what="the out-of-office reply at the simulator")
        assert replies_to(info, wa_id) == [CLOSED]

        # And the conversation's thread tells that the out-of-office reply went
        [conversation] = api_call(info, "GET", f"/conversations?view=all&customer=%2B{wa_id}", admin)["items"]
        page.goto(f"{info['web_url']}/#/all/{conversation['id']}")
        expect(page.get_by_test_id("system-line").filter(has_text="Out-of-office reply sent")).to_have_count(1)
    finally:
        api_call(info, "DELETE", "/teams/default/office-hours", admin)
        api_call(info, "PUT", f"/channel-accounts/{account}/out-of-office", admin, {"messages": [
            {"text": m["text"], **({"media": {"key": m["media"]["key"], "filename": m["media"]["filename"]}}
                                   if m["media"] else {})} for m in before]})
