"""Headless Chromium (Debian's package) driven by Playwright against the local runtime."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from local.processes import RunningSystem, start_system
from tests.support import HTTP_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    running = start_system(tmp_path_factory.mktemp("browser-system"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    yield tab
    context.close()


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def customer_says(info: dict[str, Any], *, wa_id: str, name: str, text: str) -> None:
    """A WhatsApp customer writes, through the channel simulator (signed webhook to the API)."""
    phone_number_id = info["demo"]["whatsapp"]["phone_number_id"]
    requests.post(f"{info['simulator_url']}/control/whatsapp/{phone_number_id}/messages",
                  json={"from": wa_id, "name": name, "text": text}, timeout=HTTP_TIMEOUT).raise_for_status()


def sign_in(page: Any, info: dict[str, Any], email: str = "agent1@example.com") -> None:
    """Signs in through the form and waits until the inbox has read its first page."""
    page.goto(info["web_url"])
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(info["demo"]["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()
    # The background watcher has read the inbox once when the New tab shows its count.
    expect(page.locator('[role="tab"][data-view="new"] [data-testid="tab-count"]')).to_be_visible()
    expect(page.get_by_role("tabpanel")).not_to_contain_text("Loading")
