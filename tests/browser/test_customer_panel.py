"""The customer at the agent's hand (issue 16, point 1): the panel beside a conversation shows the
customer's profile with every address and its consent, their conversations on every channel one
click away, and custom attributes the agent edits; the customer page merges two profiles; an
opted-out address shows as a banner before the agent writes."""

import secrets

from playwright.sync_api import expect

from tests.browser.conftest import api_call, api_headers, customer_says, customer_writes, screenshot, sign_in
from tests.support import new_wa_id, wait_for


def conversation_on(info, channel, phone):
    """The customer's conversation on a channel (read through the API as the administrator)."""
    def probe():
        items = api_call(info, "GET", f"/conversations?view=all&customer=%2B{phone.lstrip('+')}&channel={channel}",
                         api_headers(info))["items"]
        return items[0] if items else None
    return wait_for(probe, what=f"{channel} conversation of {phone}")


def open_panel(page, info, conversation_id):
    page.goto(f"{info['web_url']}/#/all/{conversation_id}")
    panel = page.get_by_test_id("customer-panel")
    if not panel.is_visible():
        page.get_by_role("button", name="Info").click()
    expect(panel.get_by_test_id("customer-details")).to_be_visible()
    return panel


def test_the_panel_shows_both_channels_and_the_agent_edits_an_attribute(system, page):
    info = system.info
    admin = api_headers(info)
    # Given an attribute the administrator defined, and a customer who wrote on WhatsApp and by SMS
    key = f"tier_{secrets.token_hex(3)}"
    api_call(info, "POST", "/customer-attributes", admin,
             {"key": key, "label": f"Tier {key[-6:]}", "type": "choice", "choices": ["gold", "silver"]})
    wa_id = new_wa_id()
    customer_says(info, wa_id=wa_id, name="Petra Panel", text=f"On WhatsApp {wa_id}")
    # (WhatsApp first: its name makes the profile; an SMS names no one)
    whatsapp = conversation_on(info, "whatsapp", wa_id)
    customer_writes(info, "sms", f"+{wa_id}", f"By SMS {wa_id}")
    sms = conversation_on(info, "sms", wa_id)

    # When the agent opens the WhatsApp conversation and its panel
    sign_in(page, info)
    panel = open_panel(page, info, whatsapp["id"])

    # Then the thread names the channel and account of each message and of the next reply
    marker = page.get_by_test_id("message").filter(has_text=f"On WhatsApp {wa_id}").get_by_test_id("message-route")
    expect(marker).to_have_attribute("data-channel", "whatsapp")
    expect(marker).to_contain_text(info["demo"]["accounts"]["whatsapp"]["name"])
    expect(page.get_by_test_id("next-route")).to_contain_text(info["demo"]["accounts"]["whatsapp"]["name"])
    # Then the panel shows the name, the phone address serving WhatsApp and SMS, both may be messaged
    expect(panel.get_by_test_id("customer-name")).to_have_text("Petra Panel")
    address = panel.get_by_test_id("customer-address").filter(has_text=f"+{wa_id}")
    expect(address.get_by_test_id("address-channel")).to_have_count(2)
    sms_address = address.locator('[data-testid="address-channel"][data-channel="sms"]')
    expect(sms_address).to_have_attribute("data-opted-out", "false")
    # And both conversations, the SMS one named by its account and one click away
    listed = panel.get_by_test_id("customer-conversation")
    expect(listed).to_have_count(2)
    sms_item = panel.locator(f'[data-testid="customer-conversation"][data-conversation-id="{sms["id"]}"]')
    expect(sms_item.get_by_test_id("summary-account")).to_have_text(info["demo"]["accounts"]["sms"]["name"])
    expect(sms_item).to_contain_text(f"By SMS {wa_id}")
    screenshot(page, "customer-panel")

    # When the agent edits the attribute
    panel.get_by_test_id("customer-profile").get_by_role("button", name="Edit").click()
    form = panel.get_by_test_id("customer-form")
    form.get_by_label(f"Tier {key[-6:]}").select_option("gold")
    form.get_by_role("button", name="Save").click()

    # Then the panel shows it, and the profile holds it
    expect(panel.locator(f'[data-testid="customer-attribute"][data-key="{key}"]')).to_have_text("gold")
    customer = api_call(info, "GET", f"/conversations/{whatsapp['id']}/customer", admin)
    assert customer["profile"]["attributes"][key] == "gold"

    # And one click opens the SMS conversation
    sms_item.get_by_role("link").click()
    expect(page).to_have_url(f"{info['web_url']}/#/all/{sms['id']}")
    expect(page.get_by_test_id("message").filter(has_text=f"By SMS {wa_id}")).to_be_visible()


def test_the_agent_merges_two_profiles_from_the_customer_page(system, page):
    info = system.info
    admin = api_headers(info)
    # Given one customer with two profiles (two numbers, names alike)
    stem = "Mergetest" + secrets.token_hex(3)
    first, second = new_wa_id(), new_wa_id()
    customer_says(info, wa_id=first, name=f"{stem} Maria", text=f"First number {first}")
    customer_says(info, wa_id=second, name=f"{stem} M.", text=f"Second number {second}")
    kept_conversation = conversation_on(info, "whatsapp", first)
    source_conversation = conversation_on(info, "whatsapp", second)
    source = api_call(info, "GET", f"/conversations/{source_conversation['id']}/customer", admin)["profile"]

    # When the agent opens the first one's page from the panel and merges the second into it
    sign_in(page, info)
    panel = open_panel(page, info, kept_conversation["id"])
    panel.get_by_test_id("open-customer-page").click()
    expect(page.get_by_test_id("customer-page-name")).to_have_text(f"{stem} Maria")
    page.get_by_role("button", name="Merge with another customer…").click()
    dialog = page.get_by_test_id("merge-dialog")
    dialog.get_by_placeholder("Name, number or address").fill(stem)
    dialog.get_by_role("button", name="Find").click()
    dialog.get_by_test_id("merge-candidate").filter(has_text=f"{stem} M.").click()
    # Then the two are compared side by side before anything changes
    expect(dialog.get_by_test_id("merge-kept").get_by_test_id("merge-name")).to_have_text(f"{stem} Maria")
    expect(dialog.get_by_test_id("merge-source").get_by_test_id("merge-name")).to_have_text(f"{stem} M.")
    screenshot(page, "customer-merge-compare")
    dialog.get_by_role("button", name="Merge", exact=True).click()

    # Then the page holds both numbers and both conversations, and the merge in its history
    expect(page.get_by_test_id("status")).to_have_text("The customers are merged.")
    details = page.get_by_test_id("customer-details")
    expect(details.get_by_test_id("customer-address")).to_have_count(2)
    expect(details.get_by_test_id("customer-conversation")).to_have_count(2)
    expect(details.get_by_test_id("merge-record")).to_contain_text(f"{stem} M. merged into {stem} Maria")
    screenshot(page, "customer-merged")

    # And the second profile's old id opens the merged profile, saying it was merged into it
    page.goto(f"{info['web_url']}/#/customers/{source['id']}")
    expect(page.get_by_test_id("merged-into")).to_contain_text(f"{stem} M. was merged into this profile")
    expect(page.get_by_test_id("customer-page-name")).to_have_text(f"{stem} Maria")
    expect(page.get_by_test_id("merge-record")).to_have_count(1)

    # And the moved conversation's thread tells which customer was merged into which, and by whom
    page.goto(f"{info['web_url']}/#/all/{source_conversation['id']}")
    expect(page.get_by_test_id("system-line").filter(
        has_text=f"Customer {stem} M. merged into {stem} Maria by Alex Agent")).to_be_visible()
    screenshot(page, "thread-merged-line")


def test_an_opted_out_customer_shows_a_banner_before_the_agent_writes(system, page):
    info = system.info
    # Given a customer who wrote, then opted out with STOP
    wa_id = new_wa_id()
    customer_says(info, wa_id=wa_id, name="Otto Optout", text=f"Question {wa_id}")
    customer_says(info, wa_id=wa_id, name="Otto Optout", text="STOP")
    conversation = conversation_on(info, "whatsapp", wa_id)

    # When the agent opens the conversation and picks it up
    sign_in(page, info)
    page.goto(f"{info['web_url']}/#/new/{conversation['id']}")
    banner = page.get_by_test_id("opted-out")
    # Then the banner says so before anything is written, and the reply box is closed
    expect(banner).to_contain_text(f"opted out of WhatsApp messages at +{wa_id}")
    # And the thread tells it as a line of its story, where it happened
    told = page.get_by_test_id("system-line").filter(has_text="The customer opted out (whatsapp, keyword)")
    expect(told).to_be_visible()
    page.get_by_role("button", name="Pick up").click()
    expect(page.get_by_label("Reply")).to_be_disabled()
    screenshot(page, "customer-opted-out")


def test_the_agent_adds_an_address_records_consent_sets_the_language_and_logs_a_call(system, page):
    info = system.info
    admin = api_headers(info)
    # Given a customer who wrote on WhatsApp
    wa_id, other_number = new_wa_id(), new_wa_id()
    customer_says(info, wa_id=wa_id, name="Agnes Address", text=f"Hello {wa_id}")
    conversation = conversation_on(info, "whatsapp", wa_id)
    customer_id = api_call(info, "GET", f"/conversations/{conversation['id']}/customer", admin)["profile"]["id"]

    # When the agent opens the customer's page and adds a second number, written the local way
    sign_in(page, info)
    page.goto(f"{info['web_url']}/#/customers/{customer_id}")
    details = page.get_by_test_id("customer-details")
    form = details.get_by_test_id("add-address")
    form.get_by_label("Kind of address").select_option("phone")
    form.get_by_label("New address").fill(f"00{other_number}")
    form.get_by_role("button", name="Add").click()
    # Then it is listed in E.164, reaching the customer on WhatsApp and SMS
    added = details.locator(f'[data-testid="customer-address"][data-address="phone:+{other_number}"]')
    expect(added.get_by_test_id("address-channel")).to_have_count(2)

    # When the agent records that the customer opted out of SMS on it (said on the phone)
    sms = added.locator('[data-testid="address-channel"][data-channel="sms"]')
    sms.get_by_role("button", name="Record opt-out").click()
    # Then the page shows it, WhatsApp on that number stays reachable, and the API holds it
    expect(sms).to_have_attribute("data-opted-out", "true")
    expect(added.locator('[data-testid="address-channel"][data-channel="whatsapp"]')).to_have_attribute(
        "data-opted-out", "false")
    states = api_call(info, "GET", f"/customers/{customer_id}/consent", admin)["states"]
    assert [(s["channel"], s["opted_out"]) for s in states if s["address"] == f"+{other_number}"] == [("sms", True)]

    # When the agent sets the customer's language and logs a phone call
    details.get_by_test_id("customer-profile").get_by_role("button", name="Edit").click()
    details.get_by_test_id("customer-form").get_by_label("Language").fill("nl")
    details.get_by_test_id("customer-form").get_by_role("button", name="Save").click()
    expect(details.get_by_test_id("customer-language")).to_have_text("nl")
    log = details.get_by_test_id("log-form")
    log.get_by_label("How").select_option("phone")
    log.get_by_label("What was said (a call, a visit, a letter)").fill("Called about the <b>invoice</b>")
    log.get_by_role("button", name="Log it").click()
    # Then the log shows the call (as text), and the profile holds the language
    entry = details.get_by_test_id("log-entry").filter(has_text="Called about the <b>invoice</b>")
    expect(entry).to_contain_text("Phone call")
    assert api_call(info, "GET", f"/customers/{customer_id}", admin)["profile"]["language"] == "nl"
    screenshot(page, "customer-page-edits")
