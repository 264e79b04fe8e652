"""Settings by role in headless Chromium: an administrator edits the office hours, a watcher
reads them, an agent does not see the administration; the statistics page renders."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import (
    USER_PASSWORD,
    api_call,
    api_headers,
    new_user_with_password,
    screenshot,
    settings_menu,
    sign_in,
    sign_in_as,
)


def test_an_administrator_edits_office_hours_a_watcher_reads_them_and_an_agent_does_not_see_them(
        system, page, browser):
    info = system.info
    admin = api_headers(info)
    watcher_email = new_user_with_password(info, "watcher")
    try:
        # Given the administrator on the office hours page
        sign_in(page, info, email="admin@example.com")
        page.get_by_role("link", name="Settings").click()
        settings_menu(page).get_by_role("link", name="Office hours").click()
        hours = page.get_by_test_id("office-hours")
        expect(hours).to_be_visible()

        # When they open Monday 08:00-12:00, add a holiday, set the zone and save
        hours.get_by_role("button", name="Add timespan on Monday").click()
        hours.get_by_label("Monday opens").fill("08:00")
        hours.get_by_label("Monday closes").fill("12:00")
        hours.get_by_label("Time zone").fill("Europe/Amsterdam")
        hours.get_by_label("Holiday", exact=True).fill("2030-12-25")
        hours.get_by_role("button", name="Add holiday").click()
        hours.get_by_role("button", name="Save office hours").click()
        expect(page.get_by_test_id("status")).to_have_text("Office hours saved.")
        screenshot(page, "settings-office-hours")

        # Then the team's office hours are what the page shows
        saved = api_call(info, "GET", "/teams/default", admin)["office_hours"]
        assert saved["time_zone"] == "Europe/Amsterdam"
        assert saved["days"]["monday"] == [{"open": "08:00", "close": "12:00"}]
        assert saved["holidays"] == ["2030-12-25"]
        assert "sunday" not in saved["days"]

        # When a watcher opens the same page, it is read-only
        watcher = browser.new_context(viewport={"width": 1280, "height": 800})
        try:
            watcher_page = watcher.new_page()
            sign_in_as(watcher_page, info, watcher_email, USER_PASSWORD)
            watcher_page.goto(f"{info['web_url']}#/settings/office-hours")
            expect(watcher_page.get_by_test_id("read-only")).to_be_visible()
            expect(watcher_page.get_by_label("Monday opens")).to_have_value("08:00")
            expect(watcher_page.get_by_label("Monday opens")).to_be_disabled()
            expect(watcher_page.get_by_role("button", name="Save office hours")).to_have_count(0)
            expect(watcher_page.get_by_role("button", name="Add timespan on Monday")).to_have_count(0)
            # and every administration page is in the watcher's menu, the statistics too
            expect(settings_menu(watcher_page).get_by_role("link", name="User roles")).to_be_visible()
            expect(watcher_page.get_by_role("link", name="Statistics")).to_be_visible()
            screenshot(watcher_page, "settings-office-hours-watcher")
        finally:
            watcher.close()

        # When an agent opens the settings, the administration pages are not there
        agent = browser.new_context(viewport={"width": 1280, "height": 800})
        try:
            agent_page = agent.new_page()
            sign_in(agent_page, info)
            agent_page.goto(f"{info['web_url']}#/settings/office-hours")
            menu = settings_menu(agent_page)
            expect(menu.get_by_role("link", name="My profile")).to_be_visible()
            for hidden in ("Office hours", "Service settings", "Channels", "User roles", "Teams", "Routing",
                           "Out of office"):
                expect(menu.get_by_role("link", name=hidden)).to_have_count(0)
            expect(agent_page.get_by_test_id("office-hours")).to_have_count(0)
            expect(agent_page.get_by_role("heading", name="My profile")).to_be_visible()
            expect(agent_page.get_by_role("link", name="Statistics")).to_have_count(0)
            # while the quick replies are there to read
            menu.get_by_role("link", name="Quick replies").click()
            expect(agent_page.get_by_test_id("read-only")).to_be_visible()
        finally:
            agent.close()
    finally:
        api_call(info, "DELETE", "/teams/default/office-hours", admin)


def test_the_statistics_page_charts_the_team(system, page):
    info = system.info

    # Given an administrator
    sign_in(page, info, email="admin@example.com")

    # When they open the statistics
    page.get_by_role("link", name="Statistics").click()

    # Then the totals and the charts show, and another span can be chosen
    expect(page.get_by_test_id("statistics")).to_be_visible()
    expect(page.get_by_test_id("stat-created")).to_have_text(re.compile(r"^\d+$"))
    expect(page.get_by_test_id("chart-volume")).to_be_visible()
    expect(page.get_by_test_id("chart-volume").locator("rect")).to_have_count(30)
    with page.expect_response(lambda response: "/api/statistics?" in response.url and response.ok):
        page.get_by_role("button", name="Last 7 days").click()
    expect(page.get_by_test_id("chart-volume").locator("rect")).to_have_count(7)
    screenshot(page, "statistics")


SECTIONS = ("My profile", "Service settings", "Office hours", "Out of office", "Channels", "Notifications",
            "Quick replies", "User roles", "Tags", "Teams", "Routing", "Appearance")


def test_an_administrator_finds_every_settings_page_and_sets_the_customer_rules(system, page):
    info = system.info
    admin = api_headers(info)
    before = api_call(info, "GET", "/settings/service", admin)
    try:
        # Given the administrator in the settings
        sign_in(page, info, email="admin@example.com")
        page.get_by_role("link", name="Settings").click()
        # Then every administration page is there and shows its content (a screenshot of each)
        for section in SECTIONS:
            settings_menu(page).get_by_role("link", name=section, exact=True).click()
            expect(page.get_by_role("main")).not_to_contain_text("Loading")
            screenshot(page, "settings-" + section.lower().replace(" ", "-"))
        settings_menu(page).get_by_role("link", name="Channels", exact=True).click()
        expect(page.get_by_test_id("webhook-url").first).to_contain_text("/webhooks/")
        settings_menu(page).get_by_role("link", name="User roles", exact=True).click()
        expect(page.get_by_test_id("seats")).to_contain_text("Seats in use")
        role_choice = page.get_by_label(re.compile("^Role of ")).first
        expect(role_choice.locator("option", has_text="Supervisor")).to_have_count(1)

        # When they keep one open conversation per customer and set Telegram's opt-out words
        settings_menu(page).get_by_role("link", name="Service settings", exact=True).click()
        page.get_by_label(re.compile("^One open conversation per customer")).check()
        page.get_by_label("Telegram opt-out words").fill("stop, halt")
        page.get_by_role("button", name="Save service settings").click()
        expect(page.get_by_test_id("status")).to_have_text("Service settings saved.")
        screenshot(page, "settings-service-customers")

        # Then the service settings are what the page shows
        saved = api_call(info, "GET", "/settings/service", admin)
        assert saved["one_open_conversation"] is True
        assert saved["consent_keywords"]["telegram"] == {"opt_out": ["stop", "halt"], "opt_in": []}
    finally:
        api_call(info, "PATCH", "/settings/service", admin, {
            "one_open_conversation": before["one_open_conversation"], "consent_keywords": before["consent_keywords"]})
