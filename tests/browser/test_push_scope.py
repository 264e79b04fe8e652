"""The web app tells the server what each tab shows (its list's view and the conversation open in
its thread pane) over the push socket, and the server sends a tab only what can concern it: a
customer's follow-up in agent 1's conversation reaches agent 1's open thread, and agent 2, on
Assigned to me, is not sent it."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import customer_says, sign_in, until
from tests.support import new_wa_id

PUSH_UP = "html[data-push='up']"
ARRIVES = 15_000


class Frames:
    """What a page sends and receives on its push socket, parsed."""

    def __init__(self, page: Any) -> None:
        self.sent: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []
        page.on("websocket", self._watch)

    def _watch(self, socket: Any) -> None:
        socket.on("framesent", lambda payload: self.sent.append(json.loads(payload)))
        socket.on("framereceived", lambda payload: self.received.append(json.loads(payload)))

    def told(self, **fields: Any) -> bool:
        """Whether the page has said this in a "view" message or a heartbeat."""
        return any(all(frame.get(key) == value for key, value in fields.items()) for frame in self.sent)

    def notices_about(self, conversation_id: str, since: int) -> list[dict[str, Any]]:
        return [notice for frame in self.received[since:] for notice in frame.get("notices", [])
                if notice.get("conversation_id") == conversation_id]


def signed_in(browser: Any, info: dict[str, Any], email: str) -> tuple[Any, Frames]:
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    frames = Frames(page)  # before the socket opens
    sign_in(page, info, email)
    page.wait_for_selector(PUSH_UP, state="attached", timeout=10_000)
    return page, frames


def test_a_tab_says_what_it_shows_and_is_sent_only_what_concerns_it(system: Any, browser: Any) -> None:
    info = system.info
    # Given agent 1 and agent 2 signed in, both on New
    first, first_frames = signed_in(browser, info, "agent1@example.com")
    second, second_frames = signed_in(browser, info, "agent2@example.com")
    until(first, lambda: first_frames.told(view="new", conversation_id=None), "New said")
    # When a customer writes and agent 1 opens the conversation and picks it up
    wa_id, text = new_wa_id(), f"Scoped {new_wa_id()}"
    customer_says(info, wa_id=wa_id, name="Sam Scope", text=text)
    row = first.get_by_test_id("conversation-row").filter(has_text=text)
    expect(row).to_be_visible(timeout=ARRIVES)
    row.click()
    first.get_by_role("button", name="Pick up").click()
    expect(first.get_by_label("Reply")).to_be_enabled()
    match = re.search(r"#/\w+/([0-9a-f]{32})", first.url)
    assert match, first.url
    conversation_id = match.group(1)
    # Then agent 1's tab says which conversation its thread pane shows
    until(first, lambda: first_frames.told(action="view", conversation_id=conversation_id),
          "the open conversation said")
    # When agent 2 goes to Assigned to me, and then to Settings
    second.evaluate("location.hash = '#/mine'")
    until(second, lambda: second_frames.told(action="view", view="mine", conversation_id=None),
          "Assigned to me said")
    second.evaluate("location.hash = '#/settings/profile'")
    until(second, lambda: second_frames.told(action="view", view="none"), "no list said")
    second.evaluate("location.hash = '#/mine'")
    until(second, lambda: second_frames.sent[-1].get("view") == "mine", "Assigned to me again")
    # (the pick-up reaches every tab, up to the notices' one-second batching window later)
    until(second, lambda: any(n["type"] == "conversation" and n.get("state") == "assigned"
                              for n in second_frames.notices_about(conversation_id, 0)), "the pick-up's notice")
    since = len(second_frames.received)
    # When the customer writes again
    follow_up = f"And one more {new_wa_id()}"
    customer_says(info, wa_id=wa_id, name="Sam Scope", text=follow_up)
    # Then agent 1's open thread shows it, and agent 2's tab was sent nothing about the conversation
    expect(first.get_by_text(follow_up)).to_be_visible(timeout=ARRIVES)
    second.wait_for_timeout(50)  # Playwright hands over the frames that arrived meanwhile
    assert any(n["type"] == "message" for n in first_frames.notices_about(conversation_id, 0))
    assert second_frames.notices_about(conversation_id, since) == []
    first.context.close()
    second.context.close()
