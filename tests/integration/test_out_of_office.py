"""Out-of-office replies: sent through the normal outbound path, only outside the team's office
hours, at most once per conversation per closed period."""

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import requests
from chalicelib.domain import ids
from chalicelib.storage.retention import RetentionStore

from local.simulator.model import SimulatedAccount
from tests.integration.admin_helpers import call, new_team, new_whatsapp_account, ok, say
from tests.integration.conftest import drain
from tests.integration.test_message_pipeline import messages_of
from tests.support import HTTP_TIMEOUT, login, new_wa_id, post_upload

REPLIES = ["We are closed right now.", "We answer tomorrow from 09:00; see example.com/faq meanwhile."]


@pytest.fixture(scope="module")
def admin(api, demo):
    return login(api, "admin@example.com", demo["password"])


def office_hours_around(now: datetime) -> tuple[dict[str, Any], datetime]:
    """Office hours in a fixed-offset zone where ``now`` falls at 12:xx local time: open daily
    09:00-10:00 and 11:00-11:30. Returns them and the instant that is 12:00 local."""
    offset = 12 - now.hour  # local = UTC + offset; Etc/GMT signs are inverted
    zone = "Etc/GMT" + (f"{-offset:+d}" if offset else "")
    spans = [{"open": "09:00", "close": "10:00"}, {"open": "11:00", "close": "11:30"}]
    days = {day: spans for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}
    noon = now.replace(minute=0, second=0, microsecond=0)
    return {"time_zone": zone, "days": days}, noon


def part_time_account(runtime, api, admin):
    """A team open 09:00-10:00 and 11:00-11:30 (local; now is 12:xx there) and a WhatsApp account
    routed to it. Returns them and a way for a customer to write at 09:00 local plus N minutes."""
    hours, noon = office_hours_around(datetime.now(UTC) - timedelta(minutes=1))
    team = new_team(api, admin)
    ok(call("PUT", f"{api}/teams/{team['id']}/office-hours", admin, hours))
    account = new_whatsapp_account(runtime, api, admin, team_id=team["id"])

    def writes(wa_id, text, local_minutes_after_nine):
        at = noon - timedelta(hours=3) + timedelta(minutes=local_minutes_after_nine)
        say(runtime, account, wa_id, text, timestamp=int(at.timestamp()))

    return team, account, writes


def system_texts(api, headers, conversation_id):
    return [m["text"] for m in messages_of(api, headers, conversation_id) if m["author_id"] == "system"]


def test_replies_go_once_per_closed_period_and_never_while_open(runtime, api, admin):
    # Given a team open 09:00-10:00 and 11:00-11:30 (local), an account routed to it with two replies
    team, account, writes = part_time_account(runtime, api, admin)
    ok(call("PUT", f"{api}/channel-accounts/{account.id}/out-of-office", admin,
            {"messages": [{"text": text} for text in REPLIES]}))
    wa_id = new_wa_id()

    def customer(text, local_minutes_after_nine):
        writes(wa_id, text, local_minutes_after_nine)

    # When the customer writes while open (09:30), then twice after 10:00, then after 11:30
    customer("while open", 30)
    conversation_id = requests.get(f"{api}/conversations", params={"team": team["id"], "view": "new"},
                                   headers=admin, timeout=HTTP_TIMEOUT).json()["items"][0]["id"]
    assert system_texts(api, admin, conversation_id) == []
    customer("first after closing", 90)
    customer("second in the same closed period", 100)
    assert system_texts(api, admin, conversation_id) == REPLIES
    customer("in the next closed period", 160)
    # Then the replies went out once per closed period, in order, authored by the system
    assert system_texts(api, admin, conversation_id) == REPLIES * 2
    # And they take the normal outbound path to the provider, with statuses
    drain(runtime, "outbound", "send")
    outbox = requests.get(f"{runtime.info.simulator_url}/control/outbox", timeout=HTTP_TIMEOUT).json()["items"]
    assert [m["payload"]["text"]["body"] for m in outbox if m["to"] == wa_id] == REPLIES * 2
    statuses = {m["status"] for m in messages_of(api, admin, conversation_id) if m["author_id"] == "system"}
    assert statuses <= {"sent", "delivered", "read"}
    # And the thread tells each closed period's replies once, just before them
    told = [m for m in messages_of(api, admin, conversation_id) if m["direction"] == "system"]
    assert [m["event"]["kind"] for m in told] == ["out_of_office_sent"] * 2


def test_a_team_without_office_hours_sends_no_replies(runtime, api, admin):
    # Given an account with replies, routed to a team whose office hours were removed
    team = new_team(api, admin, office_hours={"time_zone": "UTC"})  # never open
    ok(call("DELETE", f"{api}/teams/{team['id']}/office-hours", admin))
    account = new_whatsapp_account(runtime, api, admin, team_id=team["id"])
    ok(call("PUT", f"{api}/channel-accounts/{account.id}/out-of-office", admin,
            {"messages": [{"text": "closed"}]}))
    wa_id = new_wa_id()
    say(runtime, account, wa_id, "anyone there?")
    conversation_id = ok(call("GET", f"{api}/conversations?view=new&team={team['id']}", admin))["items"][0]["id"]
    assert system_texts(api, admin, conversation_id) == []


def test_out_of_office_messages_are_validated_per_channel(runtime, api, admin):
    account = new_whatsapp_account(runtime, api, admin)
    too_long = {"messages": [{"text": "x" * 4097}]}
    response = call("PUT", f"{api}/channel-accounts/{account.id}/out-of-office", admin, too_long)
    assert response.status_code == 400
    shown = ok(call("GET", f"{api}/channel-accounts/{account.id}/out-of-office", admin))
    assert shown == {"account_id": account.id, "messages": []}


PICTURE = b"\x89PNG\r\n\x1a\n" + b"opening hours" * 20


def upload_media(api, admin, account_id, filename, content_type, data):
    ticket = ok(call("POST", f"{api}/channel-accounts/{account_id}/out-of-office/uploads", admin,
                     {"filename": filename, "content_type": content_type, "size": len(data)}), 201)
    assert post_upload(ticket, data).ok
    return ticket["key"]


def test_a_reply_with_media_reaches_the_provider_once_per_closed_period(runtime, api, admin):
    # Given a closed team whose account's second reply carries a picture the administrator uploaded
    team, account, writes = part_time_account(runtime, api, admin)
    key = upload_media(api, admin, account.id, "opening hours.png", "image/png", PICTURE)
    saved = ok(call("PUT", f"{api}/channel-accounts/{account.id}/out-of-office", admin, {"messages": [
        {"text": REPLIES[0]}, {"text": "Our opening hours:", "media": {"key": key, "filename": "hours.png"}}]}))
    assert saved["messages"][1]["media"] == {"key": key, "content_type": "image/png", "size": len(PICTURE),
                                             "filename": "hours.png"}
    wa_id = new_wa_id()

    def customer(text, local_minutes_after_nine):
        writes(wa_id, text, local_minutes_after_nine)

    # When the customer writes twice in one closed period and once in the next
    customer("first after closing", 90)
    customer("again, same closed period", 100)
    customer("in the next closed period", 160)
    drain(runtime, "outbound", "send")
    # Then the provider got the picture (with its caption) once per closed period, by a link that serves it
    outbox = [m["payload"] for m in runtime.simulator.outbox() if m["to"] == wa_id]
    images = [payload["image"] for payload in outbox if payload["type"] == "image"]
    assert [image["caption"] for image in images] == ["Our opening hours:"] * 2
    assert requests.get(images[0]["link"], timeout=HTTP_TIMEOUT).content == PICTURE
    assert [payload["text"]["body"] for payload in outbox if payload["type"] == "text"] == [REPLIES[0]] * 2
    # And the thread shows the system messages with the attachment, sent
    conversation_id = ok(call("GET", f"{api}/conversations?view=all&team={team['id']}", admin))["items"][0]["id"]
    with_media = [m for m in messages_of(api, admin, conversation_id) if m["author_id"] == "system"
                  and m["attachments"]]
    assert len(with_media) == 2
    assert {m["status"] for m in with_media} <= {"sent", "delivered", "read"}
    assert with_media[0]["attachments"][0]["filename"] == "hours.png"
    # And purging the conversation leaves the account's media for its other conversations
    RetentionStore(runtime.resources.media_bucket).purge(conversation_id)
    assert requests.get(images[0]["link"], timeout=HTTP_TIMEOUT).content == PICTURE


def test_media_the_channel_cannot_carry_is_refused_naming_the_field(runtime, api, admin):
    account = new_whatsapp_account(runtime, api, admin)
    uploads = f"{api}/channel-accounts/{account.id}/out-of-office/uploads"
    # A type WhatsApp does not take, or a picture over its 5 MB, gets no upload URL
    zipped = call("POST", uploads, admin, {"filename": "a.zip", "content_type": "application/zip", "size": 10})
    assert (zipped.status_code, zipped.json()["error"]["field"]) == (400, "content_type")
    huge = call("POST", uploads, admin, {"filename": "a.png", "content_type": "image/png", "size": 6 * 1024 * 1024})
    assert (huge.status_code, huge.json()["error"]["field"]) == (400, "size")
    # And saving refuses a key of another account, one never uploaded, and an object stored as a
    # type the channel does not carry (a GIF put into the account's prefix behind the API's back)
    path = f"{api}/channel-accounts/{account.id}/out-of-office"
    other = new_whatsapp_account(runtime, api, admin)
    foreign = upload_media(api, admin, other.id, "x.png", "image/png", PICTURE)
    gif = ids.out_of_office_upload_key(account.id, "t", "anim.gif")
    s3 = boto3.client("s3", endpoint_url=runtime.moto_url, region_name=runtime.config.region)
    s3.put_object(Bucket=runtime.resources.media_bucket, Key=gif, Body=b"GIF89a", ContentType="image/gif")
    for media_key in (foreign, ids.out_of_office_upload_key(account.id, "t", "missing.png"), gif):
        refused = call("PUT", path, admin, {"messages": [{"text": "closed"}, {"media": {"key": media_key}}]})
        assert (refused.status_code, refused.json()["error"]["field"]) == (400, "messages.1.media.key"), media_key
    # And a message needs text or media
    assert call("PUT", path, admin, {"messages": [{}]}).status_code == 400
    assert ok(call("GET", path, admin))["messages"] == []


def closed_sms_account(runtime, api, admin):
    """A team closed now and an SMS account of it (a US number) on the simulator's Twilio."""
    hours, _ = office_hours_around(datetime.now(UTC) - timedelta(minutes=1))
    team = new_team(api, admin)
    ok(call("PUT", f"{api}/teams/{team['id']}/office-hours", admin, hours))
    number = "+1415556" + str(secrets.randbelow(10**4)).zfill(4)
    credentials = {"account_sid": "AC" + secrets.token_hex(16), "auth_token": secrets.token_hex(16)}
    account = ok(call("POST", f"{api}/channel-accounts", admin, {
        "id": f"sms-{secrets.token_hex(4)}", "channel": "sms", "name": "SMS " + number, "provider_account_id": number,
        "api_base_url": f"{runtime.info.simulator_url}/twilio", "credentials": credentials, "team_id": team["id"]}),
        201)
    runtime.simulator.add_account(SimulatedAccount(
        channel="sms", account_id=account["id"], provider_account_id=number, name=account["name"],
        webhook_url=account["webhook_url"], credentials=credentials))
    return team, account["id"]


def test_sms_out_of_office_sends_pictures_only_where_mms_goes(runtime, api, admin):
    # Given a closed team's SMS account (US number) whose replies are a text with a picture and a
    # picture alone
    team, account_id = closed_sms_account(runtime, api, admin)
    pictures = [upload_media(api, admin, account_id, name, "image/png", PICTURE) for name in ("hours.png", "map.png")]
    ok(call("PUT", f"{api}/channel-accounts/{account_id}/out-of-office", admin, {"messages": [
        {"text": REPLIES[0], "media": {"key": pictures[0]}}, {"media": {"key": pictures[1]}}]}))
    dutch = "+3162" + str(secrets.randbelow(10**7)).zfill(7)
    american = "+1212555" + str(secrets.randbelow(10**4)).zfill(4)
    # When a Dutch and a US customer text while it is closed
    for customer in (dutch, american):
        answer = requests.post(f"{runtime.info.simulator_url}/control/sms/{account_id}/messages",
                               json={"from": customer, "text": "Are you open?"}, timeout=HTTP_TIMEOUT)
        assert answer.json()["webhook_status"] == 200
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")
    drain(runtime, "outbound", "send")

    def sent_to(customer):
        return [m["payload"] for m in runtime.simulator.outbox("sms") if m["to"] == customer]

    # Then the US customer got both replies as MMS, pictures included
    assert [(p.get("Body"), len(p.get("MediaUrl", []))) for p in sent_to(american)] == [(REPLIES[0], 1), (None, 1)]
    # And the Dutch customer got the text alone (the picture-only reply left out), sent, not failed
    assert [(p.get("Body"), p.get("MediaUrl")) for p in sent_to(dutch)] == [(REPLIES[0], None)]
    listed = ok(call("GET", f"{api}/conversations?view=all&limit=100&team={team['id']}", admin))["items"]
    conversation_id = next(c["id"] for c in listed if c["customer_id"] == dutch)
    [reply] = [m for m in messages_of(api, admin, conversation_id) if m["author_id"] == "system"]
    assert (reply["text"], reply["attachments"], reply["status"]) == (REPLIES[0], [], "sent")
