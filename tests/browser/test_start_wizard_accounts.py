"""The start-conversation wizard offers an agent only the enabled channel accounts of their
teams (GET /team/channel-accounts): not a disabled one, not another team's."""

import secrets

from playwright.sync_api import expect

from tests.browser.conftest import (
    USER_PASSWORD,
    api_call,
    api_headers,
    new_user_with_password,
    new_whatsapp_account,
    sign_in_as,
)


def test_the_wizard_offers_an_agent_only_the_enabled_accounts_of_their_team(system, page):
    info = system.info
    admin = api_headers(info)
    suffix = secrets.token_hex(3)
    # Given a team with an enabled and a disabled WhatsApp account, and an agent of that team only
    team = api_call(info, "POST", "/teams", admin, {"name": f"Wizard team {suffix}"})
    enabled, _ = new_whatsapp_account(info, admin, team["id"], f"Team line {suffix}")
    disabled, _ = new_whatsapp_account(info, admin, team["id"], f"Old line {suffix}")
    api_call(info, "PATCH", f"/channel-accounts/{disabled['id']}", admin, {"enabled": False})
    service = api_call(info, "GET", "/settings/service", admin)
    api_call(info, "PATCH", "/settings/service", admin, {"seats": service["seats_used"] + 1})
    try:
        email = new_user_with_password(info, "agent", team_ids=[team["id"]])
    finally:
        # the free seats as they were, for the suites that invite agents later
        used = api_call(info, "GET", "/settings/service", admin)["seats_used"]
        api_call(info, "PATCH", "/settings/service", admin, {"seats": used + service["seats_free"]})
    sign_in_as(page, info, email, USER_PASSWORD)

    # When the agent opens the wizard and picks WhatsApp
    page.get_by_role("button", name="Start conversation").click()
    wizard = page.get_by_test_id("start-conversation")
    channel = wizard.get_by_label("Channel", exact=True)
    expect(channel.locator("option")).to_have_text(["Select a channel", "WhatsApp"])
    channel.select_option("whatsapp")

    # Then only their team's enabled account is offered, chosen already: not the disabled one,
    # nor the default team's demo accounts
    account = wizard.get_by_label("Channel account")
    expect(account.locator("option")).to_have_text(["Select an account", f"Team line {suffix}"])
    expect(account).to_have_value(enabled["id"])
