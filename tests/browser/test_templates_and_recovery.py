"""Templates in the app and actions that can be undone (issue 17.3 and 17.4), in headless Chromium:
an administrator keeps WhatsApp templates with variables labelled by meaning and syncs Meta's
approved ones; an agent sends one while the window is open, filling it by those labels; a failed
reply says why in words and goes again with Resend; an archived conversation is reopened."""

import json
import secrets

import requests
from playwright.sync_api import expect

from tests.browser.conftest import api_call, api_headers, customer_says, screenshot, settings_menu, sign_in
from tests.support import HTTP_TIMEOUT, new_wa_id


def open_and_pick_up(page, text):
    row = page.get_by_test_id("conversation-row").filter(has_text=text)
    expect(row).to_be_visible(timeout=10_000)
    row.click()
    page.get_by_role("button", name="Pick up").click()
    expect(page.get_by_label("Reply")).to_be_enabled()


def choose_account(page, account_id):
    """The templates of this WhatsApp account: the page shows the first account, and in a full run
    other tests have added accounts of their own (then the page offers a choice)."""
    editor_page = page.get_by_test_id("template-settings")
    expect(editor_page).to_be_visible()
    chooser = page.get_by_label("Channel account")
    if chooser.count():
        chooser.select_option(account_id)
    expect(editor_page).to_have_attribute("data-account", account_id)
    return editor_page


def test_an_administrator_keeps_templates_with_what_their_variables_mean(system, page):
    info = system.info
    name = f"parcel_{secrets.token_hex(3)}"
    # Given the administrator on the templates page
    sign_in(page, info, "admin@example.com")
    page.goto(f"{info['web_url']}/#/settings/templates")
    expect(settings_menu(page).get_by_role("link", name="WhatsApp templates")).to_be_visible()
    account = info["demo"]["accounts"]["whatsapp"]["account_id"]
    editor_page = choose_account(page, account)

    # When they sync with Meta, the approved templates come in and the result says what changed
    editor_page.get_by_test_id("template-sync").click()
    expect(page.get_by_test_id("template-sync-result")).to_contain_text("added")
    expect(page.get_by_test_id("template").filter(has_text="appointment_reminder")).to_be_visible()
    expect(page.get_by_test_id("template").filter(has_text="spring_sale")).to_have_count(0)  # pending at Meta

    # When they write a new template with two numbered variables and say what each means
    editor_page.get_by_role("button", name="New template").click()
    form = page.get_by_test_id("template-editor")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Language").fill("en")
    form.get_by_label("Text").fill("Hi {{1}}, your parcel")
    form.get_by_role("button", name="Add variable").click()
    expect(form.get_by_label("Text")).to_have_value("Hi {{1}}, your parcel {{2}}")
    form.get_by_label("Text").fill("Hi {{1}}, your parcel {{2}} is on its way.")
    form.get_by_role("textbox", name="{{1}} means").fill("customer's first name")
    form.get_by_role("textbox", name="{{2}} means").fill("tracking code")
    expect(form.get_by_test_id("template-preview")).to_have_text(
        "Hi customer's first name, your parcel tracking code is on its way.")
    screenshot(page, "template-editor")
    form.get_by_role("button", name="Save template").click()

    # Then it is listed with the meaning of each variable
    card = page.get_by_test_id("template").filter(has_text=name)
    expect(card.get_by_test_id("template-labels")).to_contain_text("tracking code")

    # When they edit it to named variables, each again with its meaning
    card.get_by_role("button", name="Edit").click()
    form = page.get_by_test_id("template-editor")
    expect(form.get_by_role("heading", name=f"Edit {name}")).to_be_visible()
    form.get_by_label("Text").fill("Hi {{first_name}}, parcel {{tracking}} left today.")
    form.get_by_role("textbox", name="{{first_name}} means").fill("customer's first name")
    form.get_by_role("textbox", name="{{tracking}} means").fill("carrier's tracking number")
    form.get_by_role("button", name="Save template").click()
    # Then the list shows the new text's meanings, and the API keeps the named variables
    expect(card.get_by_test_id("template-labels")).to_contain_text("carrier's tracking number")
    kept = next(t for t in api_call(info, "GET", f"/channel-accounts/{account}/templates", api_headers(info))["items"]
                if t["name"] == name)
    assert "{{tracking}}" in json.dumps(kept)

    # When they delete it, a confirmation names the effect first; Cancel keeps it
    card.get_by_role("button", name="Delete template").click()
    confirm = page.get_by_test_id("confirm-dialog")
    expect(confirm.get_by_test_id("confirm-effect")).to_contain_text("agents can no longer send it")
    confirm.get_by_role("button", name="Cancel").click()
    expect(card).to_be_visible()
    card.get_by_role("button", name="Delete template").click()
    page.get_by_test_id("confirm-dialog").get_by_role("button", name="Delete template").click()
    expect(page.get_by_test_id("template").filter(has_text=name)).to_have_count(0)
    names = [t["name"] for t in api_call(info, "GET", f"/channel-accounts/{account}/templates",
                                         api_headers(info))["items"]]
    assert name not in names


def test_an_agent_fills_a_template_by_meaning_while_the_window_is_open(system, page):
    info = system.info
    account = info["demo"]["accounts"]["whatsapp"]["account_id"]
    name = f"visit_{secrets.token_hex(3)}"
    api_call(info, "POST", f"/admin/channel-accounts/{account}/templates", api_headers(info), {
        "name": name, "language": "en", "body": "Hello {{first_name}}, see you on {{day}}.",
        "labels": {"first_name": "customer's first name", "day": "day of the visit"}})
    wa_id = new_wa_id()
    customer_says(info, wa_id=wa_id, name="Olga Open", text=f"Visit? {wa_id}")
    # Given an agent in the conversation while the window is open
    sign_in(page, info)
    open_and_pick_up(page, wa_id)
    # When they open the templates, pick the new one and fill its fields, labelled by meaning
    page.get_by_test_id("open-templates").click()
    dialog = page.get_by_test_id("template-dialog")
    dialog.get_by_label("Template").select_option(name)
    expect(dialog.get_by_test_id("template-preview")).to_have_text(
        "Hello customer's first name, see you on day of the visit.")
    dialog.get_by_label("customer's first name").fill("Olga")
    dialog.get_by_label("day of the visit").fill("Tuesday")
    dialog.get_by_role("button", name="Send").click()
    # Then it goes out as the thread shows it
    outbound = page.locator('[data-testid="message"][data-direction="outbound"]')
    expect(outbound).to_contain_text("Hello Olga, see you on Tuesday.")


def test_a_failed_reply_says_why_and_goes_again_with_resend(system, page):
    info = system.info
    wa_id = new_wa_id()
    customer_says(info, wa_id=wa_id, name="Fay Failed", text=f"Still there? {wa_id}")
    sign_in(page, info)
    open_and_pick_up(page, wa_id)
    # Given WhatsApp refuses the next send as undeliverable (#131026)
    requests.post(f"{info['simulator_url']}/control/whatsapp/failures",
                  json={"mode": "permanent", "count": 1, "to": wa_id}, timeout=HTTP_TIMEOUT).raise_for_status()
    # When the agent replies
    page.get_by_label("Reply").fill("Yes, we are here")
    page.get_by_label("Reply").press("Enter")
    # Then the failure says in words what happened, with the provider's own text beside it
    failed = page.locator('[data-testid="message"][data-status="failed"]')
    expect(failed.get_by_test_id("failure-reason")).to_contain_text("could not deliver", timeout=15_000)
    expect(failed.get_by_test_id("failure-provider")).to_contain_text("131026")
    # When they press Resend, the same text goes again and arrives
    failed.get_by_test_id("resend").click()
    sent = page.locator('[data-testid="message"][data-direction="outbound"]:not([data-status="failed"])')
    expect(sent.filter(has_text="Yes, we are here")).to_have_count(1)
    expect(sent.filter(has_text="Yes, we are here")).to_have_attribute("data-status", "read", timeout=15_000)
    outbox = requests.get(f"{info['simulator_url']}/control/outbox", timeout=HTTP_TIMEOUT).json()["items"]
    assert [m["text"] for m in outbox if m["to"] == wa_id] == ["Yes, we are here"]


def test_an_agent_reopens_an_archived_conversation(system, page):
    info = system.info
    wa_id = new_wa_id()
    customer_says(info, wa_id=wa_id, name="Rita Reopen", text=f"Thanks! {wa_id}")
    sign_in(page, info)
    open_and_pick_up(page, wa_id)
    # Given the agent archived it
    page.keyboard.press("Alt+R")
    page.get_by_test_id("archive-dialog").get_by_role("button", name="Archive").click()
    expect(page.get_by_test_id("owner")).to_have_text("Archived")
    # When they press Reopen
    page.get_by_test_id("reopen").click()
    # Then it is theirs again, and they can write
    expect(page.get_by_test_id("owner")).to_have_text("Assigned to you")
    expect(page.get_by_label("Reply")).to_be_enabled()
    # And the thread tells who archived it and who reopened it
    lines = page.get_by_test_id("system-line")
    expect(lines.filter(has_text="Archived by Alex Agent")).to_be_visible()
    expect(lines.filter(has_text="Reopened by Alex Agent")).to_be_visible()
