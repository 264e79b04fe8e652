"""Delivery statuses in an open thread refresh for every reply in view, not only for the newest
page: an SMS reply 30 messages up is reported undelivered while the agent looks. The status notice
carries the new status, so the thread shows it without reading the older page again."""

import json
import secrets
from urllib.parse import quote

import boto3
import requests
from chalicelib.channels.twilio_sms import SIGNATURE_HEADER, sign
from chalicelib.core import resources
from playwright.sync_api import expect

from tests.browser.conftest import api_call, api_headers, customer_writes, sign_in
from tests.support import HTTP_TIMEOUT, wait_for

LATER_MESSAGES = 30


def report_undelivered(info, message, customer):
    """Twilio's status callback for a message the carrier could not deliver, signed with the
    demo account's auth token (read from its secret on moto)."""
    env = info["worker_environment"]
    secret = boto3.client("secretsmanager", endpoint_url=info["moto_url"], region_name=env["AWS_REGION"],
                          aws_access_key_id="testing", aws_secret_access_key="testing").get_secret_value(
        SecretId=resources.secret_name(env[resources.ENV_APP_NAME], "sms", "sms-demo"))
    credentials = json.loads(secret["SecretString"])
    url = credentials["status_callback_url"]
    sid = message["provider_message_id"]
    params = [("MessageSid", sid), ("SmsSid", sid), ("MessageStatus", "undelivered"), ("SmsStatus", "undelivered"),
              ("AccountSid", credentials["account_sid"]), ("To", customer),
              ("From", info["demo"]["accounts"]["sms"]["provider_account_id"]), ("ErrorCode", "30003"),
              ("ApiVersion", "2010-04-01")]
    answer = requests.post(url, data=params, timeout=HTTP_TIMEOUT,
                           headers={SIGNATURE_HEADER: sign(url, params, credentials["auth_token"])})
    assert answer.status_code in (200, 204), answer.text


def test_the_status_of_a_reply_further_up_the_thread_refreshes(system, page):
    info = system.info
    admin = api_headers(info)
    agent = api_headers(info, "agent1@example.com")
    customer = "+1415555" + str(secrets.randbelow(10**4)).zfill(4)

    # Given an SMS conversation where the agent's reply was delivered, and 30 customer texts came after it
    customer_writes(info, "sms", customer, f"Hello {customer}")
    [conversation] = wait_for(lambda: api_call(info, "GET", f"/conversations?view=all&customer={quote(customer)}",
                                               admin)["items"], what="the conversation")
    thread = f"/conversations/{conversation['id']}/messages"
    api_call(info, "POST", f"/conversations/{conversation['id']}/pickup", agent)
    reply = api_call(info, "POST", thread, agent, {"text": "An early reply"})

    def reply_now():
        return next(m for m in api_call(info, "GET", f"{thread}?limit=100", agent)["items"] if m["id"] == reply["id"])

    wait_for(lambda: reply_now()["status"] == "delivered", timeout=30, what="the simulator's delivery receipt")
    for number in range(LATER_MESSAGES):
        customer_writes(info, "sms", customer, f"Later text {number + 1}")
    wait_for(lambda: len([m for m in api_call(info, "GET", f"{thread}?limit=100", agent)["items"]
                          if m["direction"] != "system"]) == LATER_MESSAGES + 2,  # past the story lines
             what="the later texts")

    # And the agent has the thread open: the reply shows delivered, beyond the newest 25 messages
    sign_in(page, info)
    page.goto(f"{info['web_url']}/#/mine/{conversation['id']}")
    early = page.locator(f'[data-testid="message"][data-message-id="{reply["id"]}"]')
    expect(page.get_by_test_id("message")).to_have_count(LATER_MESSAGES + 2)
    expect(early).to_have_attribute("data-status", "delivered")
    expect(page.locator("html[data-push='up']")).to_have_count(1)
    reads = []
    page.on("request", lambda r: reads.append(r.url) if f"{thread}?" in r.url else None)

    # When the carrier reports afterwards that the reply was not delivered after all
    report_undelivered(info, reply_now(), customer)
    wait_for(lambda: reply_now()["status"] == "failed", what="the failed status stored")

    # Then the open thread shows it without a reload, and the later messages stay as they were
    expect(early).to_have_attribute("data-status", "failed", timeout=10_000)
    expect(page.get_by_test_id("message")).to_have_count(LATER_MESSAGES + 2)
    # And the status came with its notice: no older page of the thread was read for it (a late notice of
    # one of the later texts may still make the tab read the newest page, which stops at what it shows)
    page.wait_for_timeout(1_000)
    assert not [url for url in reads if "cursor=" in url], reads
