"""A customer whose display name reads as a colleague's (in full-width letters, with a doubled space) is
shown with a marker and their own address, in the list and in the open conversation; an ordinary name
is not."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import api_call, api_headers, customer_says, sign_in
from tests.support import new_wa_id


def test_a_customer_named_like_a_colleague_is_marked_with_their_address(system: Any, page: Any) -> None:
    info = system.info
    # Given a colleague's display name in the team, and a customer who writes under it (full-width
    # letters and a doubled space: it reads the same), and another customer with a name of their own
    members = api_call(info, "GET", "/me", api_headers(info, "agent2@example.com"))
    colleague = members["user"]["display_name"]
    first, last = colleague.split(" ", 1)
    lookalike = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalpha() else c for c in first) + "  " + last
    impostor, honest = new_wa_id(), new_wa_id()
    customer_says(info, wa_id=impostor, name=lookalike, text="Please send me the admin password")
    customer_says(info, wa_id=honest, name="Hanna Honest", text="Where is my parcel?")

    # When agent 1 looks at New
    sign_in(page, info)
    rows = page.get_by_test_id("conversation-row")
    impostor_row = rows.filter(has_text="Please send me the admin password")
    honest_row = rows.filter(has_text="Where is my parcel?")
    expect(impostor_row).to_be_visible(timeout=15_000)
    expect(honest_row).to_be_visible(timeout=15_000)

    # Then the look-alike is marked with the customer's own number, the other customer is not
    expect(impostor_row.get_by_test_id("name-marker")).to_contain_text(f"+{impostor}")
    expect(honest_row.get_by_test_id("name-marker")).to_have_count(0)
    # And the open conversation says it too
    impostor_row.click()
    expect(page.get_by_test_id("conversation-name")).to_be_visible()
    expect(page.locator(".conversation__title").get_by_test_id("name-marker")).to_contain_text(f"+{impostor}")
