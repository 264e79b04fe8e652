"""The inbox in headless Chromium: live arrivals, the reply keys, untrusted customer text,
the keyboard shortcuts and the unseen-arrivals marker in the tab title."""

import io
import re
import time
import wave

import boto3
import requests
from chalicelib.core import resources
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

    # And a conversation shortcut without an open conversation says what it needs
    page.keyboard.press("Alt+R")
    expect(page.get_by_test_id("status")).to_have_text("Select a conversation first.")

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
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Notifications").click()
    page.get_by_role("button", name="Test notification").click()
    expect(page.get_by_text("A test notification was sent.")).to_be_visible()
    assert page.evaluate("window.__notifications.at(-1).title") == "Test notification"
    screenshot(page, "settings-notifications")

    # And signing out goes back to the sign-in form
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_count(0)


def test_an_arrival_is_notified_from_its_notice_without_reading_new(system, page):
    info = system.info
    wa_id = new_wa_id()
    page.add_init_script(NOTIFICATION_SPY)
    list_reads: list[str] = []
    page.on("request", lambda request: list_reads.append(request.url) if "/conversations?" in request.url else None)

    # Given an agent on Assigned to me, in another window, whose watcher has read the inbox once
    sign_in(page, info)
    page.get_by_role("tab", name=re.compile("^Assigned to me")).click()
    expect(page.get_by_role("tab", name=re.compile("^Assigned to me"))).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel")).not_to_contain_text("Loading")
    assert any("view=new" in url for url in list_reads)
    # (and whose push socket is up: going up reads once more, to catch up; its presence notice, up to
    # the notices' one-second batching window later, reads nothing)
    page.wait_for_selector("html[data-push='up']", state="attached", timeout=10_000)
    page.evaluate("window.dispatchEvent(new Event('blur'))")
    time.sleep(2.5)  # past the tab's read gate and the presence notice, so a read the arrival caused would show
    list_reads.clear()

    # When a new customer writes
    customer_says(info, wa_id=wa_id, name="Rowan Row", text=f"Is this pushed? {wa_id}")

    # Then the notification names them, told by the notice's row: New was not read for it
    expect(page).to_have_title("(1) Inbox", timeout=4_000)
    assert page.evaluate("window.__notifications") == [
        {"title": "New conversation: Rowan Row", "body": f"Is this pushed? {wa_id}"}]
    time.sleep(1.5)
    assert [url for url in list_reads if "view=new" in url] == []


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


PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5e1a1e00000000049454e44ae426082")
# Signed media URLs point at the media bucket, the one origin besides the app's own that the
# Content-Security-Policy lets images and sound come from (locally: moto, where the bucket lives).
MEDIA_PATH = "/media-bucket-test"


def wav_bytes():
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x00" * 800)
    return buffer.getvalue()


def extra_messages(conversation_id, media_host):
    """Messages of every kind and status, as the API shapes them (MessageOut)."""
    def message(number, direction, kind, *, text=None, status="received", attachments=(), **extra):
        return {"id": f"zz-{number:02d}", "conversation_id": conversation_id, "direction": direction,
                "kind": kind, "text": text, "sent_at": f"2099-01-01T00:00:{number:02d}Z", "status": status,
                "provider_message_id": None, "author_id": None, "error": None,
                "attachments": list(attachments), **extra}

    def attachment(name, content_type, filename=None):
        return {"key": f"inbound/test/{name}", "content_type": content_type, "filename": filename,
                "size": 2048, "url": f"{media_host}{MEDIA_PATH}/{name}?X-Amz-Signature=abc"}

    return [
        message(1, "inbound", "image", text="Photo caption", attachments=[attachment("photo.png", "image/png")]),
        message(2, "inbound", "audio", attachments=[attachment("voice.wav", "audio/wav")]),
        message(3, "inbound", "document",
                attachments=[attachment("invoice.pdf", "application/pdf", "<b>invoice</b>.pdf")]),
        message(4, "inbound", "location"),
        message(5, "inbound", "location",
                location={"latitude": 52.37, "longitude": 4.89, "name": "Dam Square", "address": "Amsterdam"}),
        message(6, "inbound", "contacts", contacts=[{"name": "Piet", "phones": ["+31 6 1234 5678"]}]),
        message(7, "inbound", "unsupported"),
        message(8, "outbound", "text", text="Queued one", status="queued"),
        message(9, "outbound", "text", text="Delivered one", status="delivered"),
        message(10, "outbound", "text", text="Read one", status="read"),
        message(11, "outbound", "text", text="Failed one", status="failed",
                error={"code": "131047", "message": "More than 24 hours have passed", "permanent": True}),
        message(12, "inbound", "text", text="Order #4412", edited_at="2026-12-04T10:00:05+00:00",
                earlier_texts=["Order #4411"], reaction="\N{THUMBS UP SIGN}"),
        message(13, "inbound", "text", text="Mentioned you in their story",
                story={"kind": "mention", "url": "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1"}),
    ]


def test_media_shared_items_statuses_and_delivery_errors_render(system, page):
    info = system.info
    wa_id = new_wa_id()
    customer_says(info, wa_id=wa_id, name="Mia Media", text=f"Media {wa_id}")

    # Given the API's message list of a real conversation, with media and status messages added
    # (the channel simulator only sends text)
    def add_messages(route):
        if route.request.method != "GET":
            route.continue_()
            return
        response = route.fetch()
        body = response.json()
        if body["items"] and not body["next_cursor"]:
            body["items"] += extra_messages(body["items"][0]["conversation_id"], info["moto_url"])
        route.fulfill(response=response, json=body)

    media = {"photo.png": ("image/png", PNG_1X1), "voice.wav": ("audio/wav", wav_bytes()),
             "invoice.pdf": ("application/pdf", b"%PDF-1.4\n")}

    def serve_media(route):
        content_type, body = media[route.request.url.split("?")[0].rsplit("/", 1)[-1]]
        route.fulfill(status=200, content_type=content_type, body=body)

    page.route(re.compile(r".*/api/conversations/[^/?]+/messages\?.*"), add_messages)
    page.route(f"{info['moto_url']}{MEDIA_PATH}/**", serve_media)

    # When the agent opens the conversation
    sign_in(page, info)
    row_for(page, wa_id).click()
    messages = page.get_by_test_id("message")
    expect(messages).to_have_count(14)

    # Then media show as an image, a player and a document link (its name as text)
    image = page.locator('[data-message-id="zz-01"] img')
    expect(image).to_be_visible()
    page.wait_for_function("document.querySelector('[data-message-id=\"zz-01\"] img').naturalWidth > 0")
    expect(page.locator('[data-message-id="zz-01"]')).to_contain_text("Photo caption")
    expect(page.locator('[data-message-id="zz-02"] audio')).to_have_attribute("src", re.compile("voice.wav"))
    document = page.locator('[data-message-id="zz-03"] a')
    expect(document).to_contain_text("<b>invoice</b>.pdf")
    expect(document).to_have_attribute("rel", re.compile(r"\bnoopener\b"))

    # And shared locations, contacts and unsupported messages say what they are
    expect(page.locator('[data-message-id="zz-04"]')).to_contain_text("Shared a location")
    map_link = page.locator('[data-message-id="zz-05"] a')
    expect(map_link).to_have_attribute("href", re.compile(r"^https://www\.openstreetmap\.org/\?mlat=52\.37"))
    expect(page.locator('[data-message-id="zz-05"]')).to_contain_text("Dam Square")
    expect(page.locator('[data-message-id="zz-06"]')).to_contain_text("+31 6 1234 5678")
    expect(page.locator('[data-message-id="zz-07"]')).to_contain_text("Unsupported message")
    # And an edit is marked (the earlier text in its tooltip), a reaction shown, a story linked
    edited = page.locator('[data-message-id="zz-12"] [data-testid="message-edited"]')
    expect(edited).to_have_attribute("title", re.compile("Before: Order #4411"))
    expect(page.locator('[data-message-id="zz-12"] [data-testid="message-reaction"]')).to_have_text(
        "\N{THUMBS UP SIGN}")
    story = page.locator('[data-message-id="zz-13"] [data-testid="story"] a')
    expect(story).to_have_attribute("href", re.compile(r"^https://lookaside\.fbsbx\.com/"))

    # And each sent message shows its status, a failed one why it failed
    for message_id, label in (("zz-08", "Queued"), ("zz-09", "Delivered"), ("zz-10", "Read"), ("zz-11", "Failed")):
        expect(page.locator(f'[data-message-id="{message_id}"] [data-testid="message-status"]')).to_have_attribute(
            "title", label)
    failure = page.locator('[data-message-id="zz-11"] [data-testid="message-error"]')
    expect(failure.get_by_test_id("failure-reason")).to_have_text(
        "More than 24 hours passed since the customer's last message: send a template instead.")
    expect(failure.get_by_test_id("failure-provider")).to_have_text(
        "The provider said: More than 24 hours have passed (code 131047)")
    screenshot(page, "message-kinds")
