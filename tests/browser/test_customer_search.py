"""Finding customers in the web app: the Customers screen finds a customer by part of a name
(the Like operator, '%' anywhere) and opens their page; the start-conversation wizard finds a
customer in the address book, offers their email address, and sends an email with a subject; a
reply with no customer mail to answer asks for the subject of the thread it starts."""

import re
import secrets
from typing import Any

import requests
from playwright.sync_api import expect

from tests.browser.conftest import api_call, api_headers, customer_says, screenshot, sign_in
from tests.support import HTTP_TIMEOUT, wait_for


def test_the_customers_screen_finds_a_customer_by_the_middle_of_a_name(system, page):
    info = system.info
    # Given two customers whose names share a made-up middle, and one who does not
    word = "q" + secrets.token_hex(3)
    for first in ("Maria", "Rosaria"):
        customer_says(info, wa_id="3161" + str(secrets.randbelow(10**7)).zfill(7), name=f"{first}{word}x Smit",
                      text="Hello")
    customer_says(info, wa_id="3161" + str(secrets.randbelow(10**7)).zfill(7), name=f"Ria {word}", text="Hi")
    sign_in(page, info)
    # When the agent opens Customers and searches with the wildcard in the middle of the name
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    screen = page.get_by_test_id("customers-page")
    screen.get_by_label("Find a customer").fill(f"%ria{word}x%")

    def found() -> list[str] | None:
        screen.get_by_role("button", name="Search", exact=True).click()
        results = screen.get_by_test_id("customers-results")
        try:
            expect(results).to_be_visible(timeout=2000)
        except AssertionError:
            return None
        names = results.locator(".customers-list__name").all_inner_texts()
        return names if len(names) == 2 else None

    # Then both customers are listed (the profile is written by the inbound worker: wait for it)
    names = wait_for(found, timeout=30, interval=0.5, what="both customers listed")
    assert sorted(names) == sorted([f"Maria{word}x Smit", f"Rosaria{word}x Smit"])
    screenshot(page, "customers-search")
    # And a row opens that customer's page
    screen.get_by_role("link", name=f"Rosaria{word}x Smit").click()
    expect(page).to_have_url(re.compile(r"#/customers/[0-9a-f]{32}$"))


def mail_from(info: dict[str, Any], address: str, name: str) -> None:
    account = info["demo"]["accounts"]["email"]["account_id"]
    answer = requests.post(f"{info['simulator_url']}/control/email/{account}/messages",
                           json={"from": address, "name": name, "text": "Question about my order"},
                           timeout=HTTP_TIMEOUT)
    answer.raise_for_status()
    assert answer.json()["webhook_status"] == 200, answer.json()


def test_the_wizard_finds_a_customer_in_the_address_book_and_sends_an_email_with_a_subject(system, page):
    info = system.info
    # Given a customer known by name with an email address
    word = "Q" + secrets.token_hex(3)
    address = f"book.{secrets.token_hex(4)}@example.net"
    mail_from(info, address, f"Bea {word}")
    # (whose mail was answered and archived: a new conversation may start)
    agent = api_headers(info, "agent1@example.com")

    def conversation() -> dict[str, Any] | None:
        items = api_call(info, "GET", f"/conversations?view=new&customer={address}", agent)["items"]
        return items[0] if items else None

    waiting = wait_for(conversation, timeout=30, interval=0.5, what="the customer's conversation")
    api_call(info, "POST", f"/conversations/{waiting['id']}/pickup", agent)
    api_call(info, "POST", f"/conversations/{waiting['id']}/archive", agent, {"tags": []})
    sign_in(page, info)
    # When the agent starts a conversation on email and looks the customer up by part of the name
    page.get_by_role("button", name="Start conversation").click()
    wizard = page.get_by_test_id("start-conversation")
    wizard.get_by_label("Channel", exact=True).select_option("email")
    account = wizard.get_by_label("Channel account")
    if account.input_value() == "":
        account.select_option(index=1)
    wizard.get_by_role("button", name="Next").click()
    book = wizard.get_by_test_id("address-book")
    book.get_by_label("Find in the address book").fill(f"%{word.lower()}")

    def listed() -> bool:
        book.get_by_role("button", name="Search", exact=True).click()
        try:
            expect(book.get_by_role("button", name=f"Bea {word}")).to_be_visible(timeout=2000)
        except AssertionError:
            return False
        return True

    wait_for(listed, timeout=30, interval=0.5, what="the customer in the address book")
    book.get_by_role("button", name=f"Bea {word}").click()
    # Then the customer's email address is offered and taken as the contact
    expect(book.get_by_role("radio", name=address)).to_be_checked()
    expect(wizard.get_by_label("Email ID of the customer")).to_have_value(address)
    screenshot(page, "wizard-address-book")
    wizard.get_by_role("button", name="Next").click()
    # When the agent writes a subject and a message and sends
    next_button = wizard.get_by_role("button", name="Next")
    wizard.get_by_label("Message").fill("Your order is ready.")
    expect(next_button).to_be_disabled()  # an email needs a subject
    wizard.get_by_label("Subject").fill(f"Order {word} is ready")
    next_button.click()
    expect(wizard.get_by_test_id("start-review")).to_contain_text(f"Order {word} is ready")
    wizard.get_by_role("button", name="Send").click()
    expect(wizard).to_be_hidden()

    # Then the mail went out to that address with that subject
    def sent() -> dict[str, Any] | None:
        items = requests.get(f"{info['simulator_url']}/control/outbox", params={"channel": "email", "to": address},
                             timeout=HTTP_TIMEOUT).json()["items"]
        return items[-1] if items else None

    mail = wait_for(sent, timeout=30, interval=0.5, what="the email in the outbox")
    assert mail["payload"]["Subject"] == f"Order {word} is ready"

    # When the agent writes again before the customer answered (no mail of theirs to reply to),
    # the reply starts a thread of its own: the box asks for its subject and Send waits for it
    page.get_by_label("Reply").fill("One more thing: bring your receipt.")
    send = page.get_by_role("button", name="Send", exact=True)
    expect(send).to_be_disabled()
    page.get_by_label("Subject").fill(f"Receipt for order {word}")
    screenshot(page, "reply-subject")
    send.click()

    # Then that mail goes out with the agent's subject, not the account's default
    def second() -> dict[str, Any] | None:
        latest = sent()
        return latest if latest and latest["payload"]["Subject"] != f"Order {word} is ready" else None

    assert wait_for(second, timeout=30, interval=0.5, what="the second email")["payload"]["Subject"] == (
        f"Receipt for order {word}")
