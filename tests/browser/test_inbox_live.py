"""The inbox in headless Chromium: live arrivals, the reply keys, untrusted customer text,
the keyboard shortcuts and the unseen-arrivals marker in the tab title."""

import re
import time

import boto3
import requests
from chalicelib import resources
from playwright.sync_api import expect

from tests.browser.conftest import customer_says, screenshot, sign_in
from tests.support import HTTP_TIMEOUT, login, new_wa_id

# Set by any of the payloads below if the browser ever ran them as markup.
PWNED_FLAG = "window.__pwned"
INIT_FLAG = "window.__pwned = 0;"


def row_for(page, text):
    return page.get_by_test_id("conversation-row").filter(has_text=text)


def test_a_new_conversation_appears_live_and_enter_sends_while_shift_enter_breaks_the_line(system, page):
    info = system.info
    wa_id = new_wa_id()
    text = f"Live arrival {wa_id}"

    # Given an agent looking at the New list
    sign_in(page, info)
    page.get_by_role("tab", name=re.compile("^New")).click()

    # When a customer writes
    started = time.monotonic()
    customer_says(info, wa_id=wa_id, name="Lina Live", text=text)

    # Then the conversation is in the list within 2 seconds, without reloading
    expect(row_for(page, text)).to_be_visible(timeout=2_000)
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, f"the conversation showed after {elapsed:.2f} s"
    screenshot(page, "inbox-live-arrival")

    # When the agent opens it and picks it up with the keyboard (Alt+A: assign to me)
    row_for(page, text).click()
    expect(page.get_by_test_id("conversation-name")).to_have_text("Lina Live")
    page.keyboard.press("Alt+A")
    reply_box = page.get_by_label("Reply")
    expect(reply_box).to_be_enabled()

    # And types two lines with Shift+Enter between them
    reply_box.press_sequentially("First line")
    reply_box.press("Shift+Enter")
    reply_box.press_sequentially("second line")

    # Then Shift+Enter made a new line and sent nothing
    assert reply_box.input_value() == "First line\nsecond line"
    outbound = page.locator('[data-testid="message"][data-direction="outbound"]')
    expect(outbound).to_have_count(0)

    # When Enter is pressed, the two-line reply is sent and the box is cleared
    reply_box.press("Enter")
    expect(outbound).to_have_count(1)
    expect(outbound.first.locator(".bubble__text")).to_have_text("First line\nsecond line")
    expect(reply_box).to_have_value("")
    screenshot(page, "reply-two-lines")


def test_customer_markup_is_shown_as_text_and_never_runs(system, page):
    info = system.info
    wa_id = new_wa_id()
    name = f'<img src=x onerror="window.__pwned=1">Eve {wa_id}'
    text = ("<script>window.__pwned=2</script><img src=x onerror=\"window.__pwned=3\"> "
            "javascript:window.__pwned=4 see https://example.com/help")
    page.add_init_script(INIT_FLAG)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    customer_says(info, wa_id=wa_id, name=name, text=text)

    # Given the conversation of a customer whose name and message are markup
    sign_in(page, info)
    row = row_for(page, wa_id)
    expect(row).to_be_visible(timeout=10_000)

    # Then the list shows the name literally
    expect(row.locator(".row__name")).to_have_text(name)

    # When the agent opens it and shows the customer panel (Alt+I)
    row.click()
    message = page.get_by_test_id("message").first
    expect(message).to_contain_text("<script>window.__pwned=2</script>")
    page.keyboard.press("Alt+I")
    expect(page.get_by_test_id("customer-name")).to_have_text(name)
    expect(page.get_by_test_id("conversation-name")).to_have_text(name)
    screenshot(page, "untrusted-text")

    # Then nothing of it became markup or ran
    assert page.evaluate(PWNED_FLAG) == 0
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("script", has_text="__pwned").count() == 0
    # Only the http(s) URL became a link, opened without access to this page
    links = message.locator("a")
    expect(links).to_have_count(1)
    expect(links).to_have_attribute("href", "https://example.com/help")
    expect(links).to_have_attribute("rel", re.compile(r"\bnoopener\b"))

    # And Alt+C copies the customer and the conversation id as plain text
    page.keyboard.press("Alt+C")
    expect(page.get_by_test_id("status")).to_contain_text("Copied")
    conversation_id = page.url.rsplit("/", 1)[-1]
    copied = page.evaluate("navigator.clipboard.readText()")
    assert f"Conversation: {conversation_id}" in copied
    assert name in copied


def test_the_shortcut_list_opens_with_shift_alt_question_mark_and_closes_with_escape(system, page):
    info = system.info
    sign_in(page, info)

    # When the agent presses Shift+Alt+?
    page.keyboard.press("Shift+Alt+Slash")

    # Then the shortcut list shows, every action with its keys
    dialog = page.get_by_test_id("shortcuts-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()
    for action in ("Assign to", "Copy to clipboard", "Handback", "Tag", "Export", "Archive",
                   "Show conversation info", "Open keyboard shortcuts dialog"):
        expect(dialog).to_contain_text(action)
    screenshot(page, "shortcuts-dialog")

    # When Escape is pressed the dialog closes
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    # And a shortcut whose API does not exist yet says so
    page.keyboard.press("Alt+R")
    expect(page.get_by_test_id("status")).to_have_text("Archive is not available yet.")

    # And dark mode can be switched on from the header, and is kept
    page.get_by_role("button", name="Dark mode").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    screenshot(page, "inbox-dark")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")


NOTIFICATION_SPY = """
window.__notifications = [];
window.Notification = class {
  static permission = 'granted';
  static requestPermission() { return Promise.resolve('granted'); }
  constructor(title, options) { window.__notifications.push({ title, body: options && options.body }); }
  close() {}
};
localStorage.setItem('inbox.notifications', 'true');
"""


def test_arrivals_while_the_agent_is_away_mark_the_title_and_notify(system, page):
    info = system.info
    wa_id = new_wa_id()
    page.add_init_script(NOTIFICATION_SPY)

    # Given a signed-in agent who switched to another window
    sign_in(page, info)
    expect(page).to_have_title("Inbox")
    page.evaluate("window.dispatchEvent(new Event('blur'))")

    # When a new customer writes
    customer_says(info, wa_id=wa_id, name="Nora Notify", text=f"Anyone there? {wa_id}")

    # Then the tab title counts the unseen arrival and a desktop notification is shown
    expect(page).to_have_title("(1) Inbox", timeout=4_000)
    notes = page.evaluate("window.__notifications")
    assert notes == [{"title": "New conversation: Nora Notify", "body": f"Anyone there? {wa_id}"}]

    # When the agent comes back to the tab, the marker goes
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(page).to_have_title("Inbox")

    # And the notification settings can send a test notification
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Test notification").click()
    expect(page.get_by_text("A test notification was sent.")).to_be_visible()
    assert page.evaluate("window.__notifications.at(-1).title") == "Test notification"
    screenshot(page, "settings-notifications")

    # And signing out goes back to the sign-in form
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_count(0)


def give_teams(info, email, team_ids):
    """Given: the user works in several teams (set in the user's item; there is no admin API yet)."""
    me = requests.get(f"{info['api_url']}/me", headers=login(info["api_url"], email, info["demo"]["password"]),
                      timeout=HTTP_TIMEOUT).json()
    env = info["worker_environment"]
    dynamodb = boto3.client("dynamodb", endpoint_url=info["moto_url"], region_name=env["AWS_REGION"],
                            aws_access_key_id="testing", aws_secret_access_key="testing")
    dynamodb.update_item(
        TableName=resources.TABLE.physical_name(env[resources.ENV_APP_NAME]),
        Key={"pk": {"S": f"USER#{me['user']['id']}"}, "sk": {"S": "USER"}},
        UpdateExpression="SET team_ids = :teams", ExpressionAttributeValues={":teams": {"L": [
            {"S": team} for team in team_ids]}})


def test_an_agent_in_two_teams_switches_team_and_the_choice_is_kept(system, page):
    info = system.info
    give_teams(info, "agent2@example.com", ["default", "second-line"])
    customer_says(info, wa_id=new_wa_id(), name="Team Default", text="For the default team")

    # Given an agent of two teams, working in the first one
    sign_in(page, info, email="agent2@example.com")
    team = page.get_by_label("Team")
    expect(team).to_have_value("default")
    expect(page.get_by_test_id("conversation-row").first).to_be_visible(timeout=10_000)

    # When they switch to the other team, the inbox is that team's (every call says team=...)
    with page.expect_request(lambda request: "/api/conversations?" in request.url
                             and "team=second-line" in request.url):
        team.select_option("second-line")
    expect(page.get_by_role("tabpanel")).to_contain_text("No new conversations.")
    expect(page.get_by_test_id("conversation-row")).to_have_count(0)

    # Then the choice is kept in this browser
    page.reload()
    expect(page.get_by_label("Team")).to_have_value("second-line")
    expect(page.get_by_role("tabpanel")).to_contain_text("No new conversations.")
