"""Availability in the web app: an agent who sets themselves Away (Alt+S) or Offline gets no
automatic assignment; set Available again, the conversation that waited is theirs, live."""

import re
import secrets

import boto3
from chalicelib.core import resources
from playwright.sync_api import expect

from tests.browser.conftest import (
    USER_PASSWORD,
    api_call,
    api_headers,
    new_user_with_password,
    new_whatsapp_account,
    sign_in_as,
    until,
)
from tests.support import new_wa_id, post_whatsapp, wait_for, whatsapp_text


def customer_writes(info, account, app_secret, wa_id):
    body = whatsapp_text(account["provider_account_id"], wa_id=wa_id, text=f"Hello from {wa_id}")
    answer = post_whatsapp(f"{info['api_url']}/webhooks/whatsapp/{account['id']}", body, app_secret)
    assert answer.status_code == 200, answer.text


def conversation_of(info, admin, team_id, wa_id):
    listed = api_call(info, "GET", f"/conversations?view=all&limit=100&team={team_id}", admin)["items"]
    return next((c for c in listed if c["customer_id"] == "+" + wa_id), None)


def assignment_queue_idle(info):
    env = info["worker_environment"]
    sqs = boto3.client("sqs", endpoint_url=info["moto_url"], region_name=env["AWS_REGION"],
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    attributes = sqs.get_queue_attributes(
        QueueUrl=env[resources.queue_url_env(resources.ASSIGNMENT_QUEUE)],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return sum(int(attributes[name]) for name in attributes) == 0


def heartbeat(response):
    return response.url.split("?")[0].endswith("/api/me/heartbeat") and response.request.method == "POST"


def test_away_and_offline_agents_are_never_auto_assigned(system, page):
    info = system.info
    admin = api_headers(info)
    # Given: a team assigning automatically (one conversation each), two agents of it
    team = api_call(info, "POST", "/teams", admin, {"name": f"Availability {secrets.token_hex(3)}",
                                                     "assignment": {"auto_assign": True, "capacity": 1}})["id"]
    account, app_secret = new_whatsapp_account(info, admin, team, "Availability line")
    service = api_call(info, "GET", "/settings/service", admin)
    api_call(info, "PATCH", "/settings/service", admin, {"seats": service["seats_used"] + 2})
    emails = [new_user_with_password(info, "agent", team_ids=[team]) for _ in range(2)]
    user_ids = [api_call(info, "GET", "/me", api_headers(info, email, USER_PASSWORD))["user"]["id"] for email in emails]
    try:
        # the one in the browser turns Away with Alt+S, which its push socket's heartbeat carries at once
        # (no API call while the socket is up); the colleague is Available (API heartbeat)
        frames: list[str] = []
        api_heartbeats: list[str] = []
        page.on("websocket", lambda socket: socket.on("framesent", lambda frame: frames.append(str(frame))))
        sign_in_as(page, info, emails[0], USER_PASSWORD)
        page.wait_for_selector("html[data-push='up']", state="attached", timeout=10_000)
        page.on("response", lambda r: api_heartbeats.append(r.url) if heartbeat(r) else None)
        page.keyboard.press("Alt+S")
        expect(page.get_by_test_id("availability")).to_have_value("away")
        until(page, lambda: any('"away"' in frame for frame in frames), "the socket heartbeat saying Away")
        assert api_heartbeats == []
        # (the API has it: the team view says Away)
        wait_for(lambda: any(p["user_id"] == user_ids[0] and p["status"] == "away" for p in
                             api_call(info, "GET", f"/team/online?team={team}", admin)["items"]),
                 timeout=45, interval=1, what="the agent Away in the team view")
        colleague = api_headers(info, emails[1], USER_PASSWORD)
        api_call(info, "POST", f"/me/heartbeat?team={team}", colleague, {"status": "available"})
        colleague_id = user_ids[1]

        # When: two customers write; the first goes to the Available colleague (now full)
        first, second = new_wa_id(), new_wa_id()
        customer_writes(info, account, app_secret, first)
        wait_for(lambda: (conversation_of(info, admin, team, first) or {}).get("owner_id") == colleague_id,
                 what="the first conversation assigned to the Available colleague")
        customer_writes(info, account, app_secret, second)
        # Then: the second waits in New, the Away agent is skipped
        wait_for(lambda: conversation_of(info, admin, team, second) and assignment_queue_idle(info),
                 what="the second conversation routed and its assignment done")
        waiting = conversation_of(info, admin, team, second)
        assert waiting["state"] == "new"
        assert waiting["owner_id"] is None
        # Offline (Alt+S again) changes nothing
        page.keyboard.press("Alt+S")
        expect(page.get_by_test_id("availability")).to_have_value("offline")
        assert conversation_of(info, admin, team, second)["owner_id"] is None

        # When: the agent sets themselves Available in the header
        page.get_by_test_id("availability").select_option("available")
        # Then: the waiting conversation is theirs, and shows in Assigned to me without a reload
        page.get_by_role("tab", name=re.compile("^Assigned to me")).click()
        expect(page.get_by_test_id("conversation-row").filter(has_text=f"Hello from {second}")).to_be_visible(
            timeout=20_000)
    finally:
        for user_id in user_ids:  # their seats go back
            api_call(info, "POST", f"/users/{user_id}/disable", admin)
        used = api_call(info, "GET", "/settings/service", admin)["seats_used"]
        api_call(info, "PATCH", "/settings/service", admin, {"seats": used + service["seats_free"]})
