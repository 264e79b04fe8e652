"""Headless Chromium (Debian's package) driven by Playwright against the local runtime."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from local.processes import RunningSystem, start_system
from tests.support import HTTP_TIMEOUT, wait_for

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
    # A route a test installed may still be handling a request the tab made at the end (a late
    # push notice's read): closing under it raises in Playwright's listener, reported on the next
    # test. Routes go first, their requests in flight ignored.
    tab.unroute_all(behavior="ignoreErrors")
    context.close()


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def until(page: Any, condition: Callable[[], Any], what: str, timeout: float = 15) -> Any:
    """Waits for ``condition`` over what the page's event handlers collect (``page.on(...)``: requests,
    a socket's frames), letting Playwright deliver those events meanwhile. Its sync API runs event
    handlers only inside its own calls, so a plain ``wait_for`` over such a list sees nothing that
    arrives after the last Playwright call before it."""

    def pumped() -> Any:
        page.wait_for_timeout(50)
        return condition()

    return wait_for(pumped, timeout=timeout, what=what)


def customer_says(info: dict[str, Any], *, wa_id: str, name: str, text: str) -> None:
    """A WhatsApp customer writes, through the channel simulator (signed webhook to the API)."""
    phone_number_id = info["demo"]["whatsapp"]["phone_number_id"]
    requests.post(f"{info['simulator_url']}/control/whatsapp/{phone_number_id}/messages",
                  json={"from": wa_id, "name": name, "text": text}, timeout=HTTP_TIMEOUT).raise_for_status()


def customer_writes(info: dict[str, Any], channel: str, sender: str, text: str) -> None:
    """A customer writes on the demo account of any channel, through the channel simulator."""
    account = info["demo"]["accounts"][channel]["account_id"]
    answer = requests.post(f"{info['simulator_url']}/control/{channel}/{account}/messages",
                           json={"from": sender, "name": f"{channel.title()} customer", "text": text},
                           timeout=HTTP_TIMEOUT)
    answer.raise_for_status()
    assert answer.json()["webhook_status"] == 200, answer.json()


def settings_menu(page: Any) -> Any:
    return page.get_by_role("navigation", name="Settings")


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


# --- the administration, through its API (tests set up what the page under test reads) ------

USER_PASSWORD = "Browser-password-1"
TEMPLATE = {"name": "order_update", "language": "en", "body": "Hi {{FirstName}}, your order {{Order}} ships today"}


def api_headers(info: dict[str, Any], email: str = "admin@example.com", password: str | None = None) -> dict[str, str]:
    from tests.support import login

    return login(info["api_url"], email, password or info["demo"]["password"])


def api_call(info: dict[str, Any], method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
    response = requests.request(method, f"{info['api_url']}{path}", json=body, headers=headers, timeout=HTTP_TIMEOUT)
    assert response.ok, (method, path, response.status_code, response.text)
    return response.json() if response.content else None


def ensure_templates(info: dict[str, Any]) -> None:
    """Given: the demo WhatsApp account has an approved template in English and in Dutch."""
    admin = api_headers(info)
    account = info["demo"]["whatsapp"]["account_id"]
    api_call(info, "POST", f"/admin/channel-accounts/{account}/templates", admin, TEMPLATE)
    api_call(info, "POST", f"/admin/channel-accounts/{account}/templates", admin,
             {**TEMPLATE, "language": "nl", "body": "Hoi {{FirstName}}, je bestelling {{Order}} gaat vandaag weg"})


def new_whatsapp_account(info: dict[str, Any], admin: dict[str, str], team_id: str,
                         name: str) -> tuple[dict[str, Any], str]:
    """Given: a WhatsApp account of this team, added through the administration API (sending to
    the simulator); with the app secret its webhooks are signed with."""
    import secrets

    app_secret = secrets.token_hex(16)
    account = api_call(info, "POST", "/channel-accounts", admin, {
        "id": f"wa-{secrets.token_hex(4)}", "channel": "whatsapp", "name": name, "team_id": team_id,
        "provider_account_id": str(10**9 + secrets.randbelow(10**9)),
        "api_base_url": f"{info['simulator_url']}/graph",
        "credentials": {"app_secret": app_secret, "access_token": "EAAG" + secrets.token_hex(12),
                        "verify_token": secrets.token_hex(8)}})
    return account, app_secret


def new_user_with_password(info: dict[str, Any], role: str, password: str = USER_PASSWORD,
                           team_ids: list[str] | None = None) -> str:
    """Given: a user invited through the API (to the default team unless teams are named), with
    the password the invitation would let them set."""
    import secrets

    import boto3
    from chalicelib.core import resources

    email = f"{role}-{secrets.token_hex(3)}@example.com"
    api_call(info, "POST", "/users", api_headers(info),
             {"email": email, "display_name": f"{role.title()} {email[:10]}", "role": role,
              **({"team_ids": team_ids} if team_ids else {})})
    env = info["worker_environment"]
    cognito = boto3.client("cognito-idp", endpoint_url=info["moto_url"], region_name=env["AWS_REGION"],
                           aws_access_key_id="testing", aws_secret_access_key="testing")
    cognito.admin_set_user_password(UserPoolId=env[resources.ENV_USER_POOL_ID], Username=email, Password=password,
                                    Permanent=True)
    return email


def sign_in_as(page: Any, info: dict[str, Any], email: str, password: str) -> None:
    page.goto(info["web_url"])
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()
