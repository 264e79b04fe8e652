"""Statistics that answer "how are we doing" (issue 17.5), in headless Chromium: the response
times per agent and channel against the period before, and their CSV export."""

import csv
import io
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import api_call, api_headers, customer_says, screenshot, sign_in
from tests.support import new_wa_id, wait_for


def test_a_supervisor_reads_response_times_and_exports_them(system, browser):
    info = system.info
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    try:
        page = context.new_page()
        # Given Sam Agent answered a customer and archived the conversation
        wa_id = new_wa_id()
        customer_says(info, wa_id=wa_id, name="Rita Response", text=f"How fast are you {wa_id}")
        sam = api_headers(info, "agent2@example.com")
        listed = wait_for(lambda: api_call(info, "GET", f"/conversations?view=new&customer=%2B{wa_id}", sam)["items"],
                          what="the customer's conversation")
        path = f"/conversations/{listed[0]['id']}"
        api_call(info, "POST", path + "/pickup", sam)
        api_call(info, "POST", path + "/messages", sam, {"text": "Very fast"})
        api_call(info, "POST", path + "/archive", sam, {})

        # When the administrator opens the statistics
        sign_in(page, info, email="admin@example.com")
        page.get_by_role("link", name="Statistics").click()
        section = page.get_by_test_id("response-times")
        # Then the first response time shows for everyone, for Sam and for WhatsApp, with a median
        first = section.get_by_test_id("response-first_response")
        expect(first.get_by_test_id("response-agent").filter(has_text="Sam Agent")).to_be_visible()
        expect(first.get_by_test_id("response-channel").filter(has_text="WhatsApp")).to_be_visible()
        expect(first.get_by_test_id("response-overall").get_by_test_id("median")).to_have_text(re.compile(r"\d"))
        expect(section.get_by_test_id("response-time_to_archive").get_by_test_id("response-agent")
               .filter(has_text="Sam Agent")).to_be_visible()
        screenshot(page, "statistics-response-times")

        # And the Export button downloads them as CSV
        with page.expect_download() as waiting:
            page.get_by_test_id("statistics-export").click()
            expect(page.get_by_test_id("statistics-export")).to_have_text("Preparing export…")
        download = waiting.value
        expect(page.get_by_test_id("statistics-export")).to_have_text("Export response times (CSV)")
        assert download.suggested_filename.endswith(".csv")
        rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
        assert ["first_response", "agent", "Sam Agent"] in [row[:3] for row in rows]
    finally:
        context.close()
