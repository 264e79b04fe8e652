"""Out-of-office replies: sent through the normal outbound path, only outside the team's office
hours, at most once per conversation per closed period."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.integration.admin_helpers import call, new_team, new_whatsapp_account, ok, say
from tests.integration.conftest import drain
from tests.integration.test_message_pipeline import messages_of
from tests.support import HTTP_TIMEOUT, login, new_wa_id

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


def system_texts(api, headers, conversation_id):
    return [m["text"] for m in messages_of(api, headers, conversation_id) if m["author_id"] == "system"]


def test_replies_go_once_per_closed_period_and_never_while_open(runtime, api, admin):
    # Given a team open 09:00-10:00 and 11:00-11:30 (local), an account routed to it with two replies
    now = datetime.now(UTC) - timedelta(minutes=1)
    hours, noon = office_hours_around(now)
    team = new_team(api, admin)
    ok(call("PUT", f"{api}/teams/{team['id']}/office-hours", admin, hours))
    account = new_whatsapp_account(runtime, api, admin, team_id=team["id"])
    ok(call("PUT", f"{api}/channel-accounts/{account.id}/out-of-office", admin,
            {"messages": [{"text": text} for text in REPLIES]}))
    wa_id = new_wa_id()

    def customer(text, local_minutes_after_nine):
        at = noon - timedelta(hours=3) + timedelta(minutes=local_minutes_after_nine)
        say(runtime, account, wa_id, text, timestamp=int(at.timestamp()))

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
