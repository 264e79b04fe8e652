"""What the routing worker asks a provider once a customer's message is stored: Messenger and
Instagram customers get their name from Meta's User Profile API (the webhook carries none), so
agents see names, not 16-digit ids; the name is kept on the profile and asked for once; and a
Telegram button press is acknowledged with answerCallbackQuery (the button's spinner stops)."""

import secrets
from typing import Any

import pytest
import requests
from chalicelib.channels.follow_ups import ProviderCalls, profile_name
from chalicelib.domain.models import Channel

from tests.integration.conftest import drain
from tests.integration.inbox_support import get
from tests.support import HTTP_TIMEOUT, find


def writes(runtime: Any, demo: dict[str, Any], channel: str, customer: str, name: str, text: str,
           **extra: Any) -> None:
    account_id = demo["accounts"][channel]["account_id"]
    answer = requests.post(f"{runtime.info.simulator_url}/control/{channel}/{account_id}/messages",
                           json={"from": customer, "name": name, "text": text, **extra}, timeout=HTTP_TIMEOUT)
    assert answer.json()["webhook_status"] == 200, answer.text
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")


@pytest.mark.parametrize("channel", ["messenger", "instagram"])
def test_a_meta_customer_is_shown_by_the_name_the_profile_api_gives(runtime, api, agent1, demo, channel,
                                                                    monkeypatch: pytest.MonkeyPatch):
    # Given a customer known to Meta by name writes for the first time (the webhook names only the id)
    customer = str(10**15 + secrets.randbelow(10**15))
    writes(runtime, demo, channel, customer, "Mara Messenger", "Hello")
    # Then the conversation and the profile carry the name
    conversation = find(get(api, "/conversations", agent1, view="new", customer=customer).json()["items"],
                        customer_id=customer)
    assert conversation is not None
    assert conversation["customer_name"] == "Mara Messenger"
    customer_view = get(api, f"/conversations/{conversation['id']}/customer", agent1).json()
    assert customer_view["profile"]["name"] == "Mara Messenger"
    # And the inbox's customer search finds the conversation by that name
    found = get(api, "/conversations", agent1, view="new", customer="mara messenger").json()["items"]
    assert conversation["id"] in [item["id"] for item in found]
    # When the customer writes again, the profile API is not asked again
    asked: list[str] = []
    original = ProviderCalls.customer_name

    def counted(self: ProviderCalls, account: Any, customer_id: str) -> str | None:
        asked.append(customer_id)
        return original(self, account, customer_id)

    monkeypatch.setattr(ProviderCalls, "customer_name", counted)
    writes(runtime, demo, channel, customer, "Mara Messenger", "Still there?")
    assert asked == []


def test_a_telegram_button_press_is_acknowledged_after_it_is_stored(runtime, api, agent1, demo):
    # Given a Telegram customer presses an inline keyboard button
    customer = str(700_000_000 + secrets.randbelow(10**8))
    before = len(runtime.simulator.calls("telegram", "answerCallbackQuery"))
    writes(runtime, demo, "telegram", customer, "Tom Telegram", "Track my parcel", choice="track-parcel")
    # Then the choice is stored and Telegram was told, with the query's id
    conversation = find(get(api, "/conversations", agent1, view="new", customer=customer).json()["items"],
                        customer_id=customer)
    assert conversation is not None
    answered = runtime.simulator.calls("telegram", "answerCallbackQuery")[before:]
    assert len(answered) == 1
    messages = get(api, f"/conversations/{conversation['id']}/messages", agent1).json()["items"]
    assert messages[-1]["reply_payload"] == "track-parcel"
    assert messages[-1]["provider_message_id"].endswith(f":callback:{answered[0]['callback_query_id']}")


@pytest.mark.parametrize(("channel", "body", "name"), [
    (Channel.MESSENGER, {"first_name": "Ana", "last_name": "de Vries", "id": "1"}, "Ana de Vries"),
    (Channel.MESSENGER, {"first_name": "Ana", "id": "1"}, "Ana"),
    (Channel.INSTAGRAM, {"name": None, "username": "ana.dv", "id": "1"}, "ana.dv"),
    (Channel.INSTAGRAM, {"name": "Ana\u202e", "id": "1"}, "Ana"),
    (Channel.MESSENGER, {"error": {"code": 100}}, None),
    (Channel.INSTAGRAM, "not json", None),
])
def test_the_profile_answer_reads_as_a_name_or_none(channel, body, name):
    assert profile_name(channel, body) == name
