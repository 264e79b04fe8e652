"""The WhatsApp pipeline on moto: routing stores once, agents pick up (one winner), replies
respect the 24-hour window, the send reaches the simulator and statuses come back."""

import threading
import time
from datetime import UTC, datetime, timedelta

import requests
from chalicelib import wiring
from chalicelib.domain.identity import Principal
from chalicelib.domain.models import Role, User
from chalicelib.storage.repository import ContactRepository
from chalicelib.storage.statistics import StatsRepository

from tests.integration.conftest import drain
from tests.support import HTTP_TIMEOUT, find, new_wa_id, post_whatsapp, wait_for, whatsapp_text


def deliver(runtime, webhook_url, demo, wa_id, text, **kwargs):
    body = whatsapp_text(demo["whatsapp"]["phone_number_id"], wa_id=wa_id, text=text, **kwargs)
    assert post_whatsapp(webhook_url, body, demo["whatsapp"]["app_secret"]).status_code == 200
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")


def conversation_of(api, headers, customer, view="new"):
    """The customer's conversation on a tab, found with the list's exact customer filter (phone
    numbers are stored in E.164; WhatsApp ids come without the plus)."""
    customer_id = customer if customer.startswith("+") else "+" + customer
    items = requests.get(f"{api}/conversations", params={"view": view, "limit": 100, "customer": customer_id},
                         headers=headers, timeout=HTTP_TIMEOUT).json()["items"]
    return find(items, customer_id=customer_id)


def messages_of(api, headers, conversation_id):
    return requests.get(f"{api}/conversations/{conversation_id}/messages", headers=headers,
                        timeout=HTTP_TIMEOUT).json()["items"]


def test_a_redelivered_webhook_stores_one_message(runtime, api, agent1, webhook_url, demo):
    wa_id = new_wa_id()
    for _ in range(3):
        deliver(runtime, webhook_url, demo, wa_id, "only once please", message_id="wamid.DUPLICATE" + wa_id)
    conversation = conversation_of(api, agent1, wa_id)
    assert conversation["state"] == "new"
    assert conversation["team_id"] == "default"
    assert [m["text"] for m in messages_of(api, agent1, conversation["id"])] == ["only once please"]


def test_messages_of_one_customer_join_one_conversation_in_provider_order(runtime, api, agent1, webhook_url,
                                                                         demo):
    wa_id = new_wa_id()
    now = int(time.time())
    # Given three messages whose webhooks arrive out of order, the third one retried by the provider
    deliver(runtime, webhook_url, demo, wa_id, "third", timestamp=now, message_id=f"wamid.3{wa_id}")
    deliver(runtime, webhook_url, demo, wa_id, "first", timestamp=now - 10, message_id=f"wamid.1{wa_id}")
    deliver(runtime, webhook_url, demo, wa_id, "third", timestamp=now, message_id=f"wamid.3{wa_id}")
    deliver(runtime, webhook_url, demo, wa_id, "second", timestamp=now - 5, message_id=f"wamid.2{wa_id}")
    # Then the conversation holds each once, in the provider's order, and previews the latest
    conversation = conversation_of(api, agent1, wa_id)
    assert [m["text"] for m in messages_of(api, agent1, conversation["id"])] == ["first", "second", "third"]
    assert conversation["preview"] == "third"


def test_of_twenty_concurrent_pick_ups_exactly_one_wins_and_is_counted_once(runtime, webhook_url, demo):
    # Given a New conversation of the default team, and its statistics counters now
    wa_id = new_wa_id()
    deliver(runtime, webhook_url, demo, wa_id, "race")
    repository = ContactRepository()
    page = repository.list_conversations(view="new", team_id="default", user_id="x", sort="created",
                                         ascending=False, limit=100, cursor=None)
    conversation_id = next(c.id for c in page.items if c.customer_id == "+" + wa_id)
    counters = StatsRepository()
    now = datetime.now(UTC)
    before_hour = dict(counters.hours("default", now - timedelta(hours=1), now + timedelta(hours=1)))
    before_now = counters.current("default")
    outcomes: list[str] = []
    barrier = threading.Barrier(20)
    agents = [Principal(User(id=f"racer-{i}-{wa_id}", email=f"racer{i}@example.com", display_name=f"Racer {i}",
                             role=Role.AGENT, team_ids=("default",)), "default") for i in range(20)]

    def pick(principal: Principal) -> None:
        barrier.wait()
        try:
            wiring.lifecycle().pick_up(principal, conversation_id)
            outcomes.append("won")
        except Exception as error:  # Conflict
            outcomes.append(type(error).__name__)

    # When twenty agents pick it up at the same moment (real threads)
    threads = [threading.Thread(target=pick, args=(principal,)) for principal in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # Then exactly one wins, and the counters moved once: one assignment, New -1, Assigned +1
    assert sorted(outcomes) == ["Conflict"] * 19 + ["won"]
    winner = repository.get_conversation(conversation_id).owner_id
    after_hour = dict(counters.hours("default", now - timedelta(hours=1), now + timedelta(hours=1)))
    assigned = sum(hour.get(f"agent.{principal.id}.assigned", 0) for hour in after_hour.values()
                   for principal in agents)
    entered = sum(hour.get("entered.assigned", 0) for hour in after_hour.values())
    assert winner in {principal.id for principal in agents}
    assert assigned == 1
    assert entered == sum(hour.get("entered.assigned", 0) for hour in before_hour.values()) + 1
    after_now = counters.current("default")
    assert after_now.get("new", 0) == before_now.get("new", 0) - 1
    assert after_now.get("assigned", 0) == before_now.get("assigned", 0) + 1


def test_second_pick_up_over_http_gets_409(runtime, api, agent1, agent2, webhook_url, demo):
    wa_id = new_wa_id()
    deliver(runtime, webhook_url, demo, wa_id, "who takes me?")
    conversation = conversation_of(api, agent1, wa_id)
    first = requests.post(f"{api}/conversations/{conversation['id']}/pickup", headers=agent1, timeout=HTTP_TIMEOUT)
    second = requests.post(f"{api}/conversations/{conversation['id']}/pickup", headers=agent2, timeout=HTTP_TIMEOUT)
    assert first.status_code == 200
    assert first.json()["state"] == "assigned"
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "conflict"
    assert conversation_of(api, agent1, wa_id, view="mine")["id"] == conversation["id"]
    assert conversation_of(api, agent2, wa_id, view="mine") is None


def test_reply_goes_out_and_its_statuses_come_back(runtime, api, agent1, webhook_url, demo):
    wa_id = new_wa_id()
    deliver(runtime, webhook_url, demo, wa_id, "where is my parcel?")
    conversation_id = conversation_of(api, agent1, wa_id)["id"]
    requests.post(f"{api}/conversations/{conversation_id}/pickup", headers=agent1,
                  timeout=HTTP_TIMEOUT).raise_for_status()
    reply = requests.post(f"{api}/conversations/{conversation_id}/messages", json={"text": "On its way 🚚"},
                          headers=agent1, timeout=HTTP_TIMEOUT)
    assert reply.status_code == 202
    assert reply.json()["status"] == "queued"
    drain(runtime, "outbound", "send")
    sent = wait_for(lambda: find(requests.get(f"{runtime.info.simulator_url}/control/outbox",
                                              timeout=HTTP_TIMEOUT).json()["items"], to=wa_id), what="send")
    assert sent["payload"]["text"]["body"] == "On its way 🚚"

    def read_status():
        drain(runtime, "inbound", "statuses")
        message = find(messages_of(api, agent1, conversation_id), direction="outbound")
        return message if message and message["status"] == "read" else None

    message = wait_for(read_status, what="read status")
    assert message["provider_message_id"] == sent["id"]


def test_reply_outside_the_24_hour_window_is_refused(runtime, api, agent1, webhook_url, demo):
    wa_id = new_wa_id()
    deliver(runtime, webhook_url, demo, wa_id, "old question", timestamp=int(time.time()) - 25 * 3600)
    conversation_id = conversation_of(api, agent1, wa_id)["id"]
    requests.post(f"{api}/conversations/{conversation_id}/pickup", headers=agent1,
                  timeout=HTTP_TIMEOUT).raise_for_status()
    detail = requests.get(f"{api}/conversations/{conversation_id}", headers=agent1, timeout=HTTP_TIMEOUT).json()
    assert detail["window_open"] is False
    assert detail["needs_template"] is True
    reply = requests.post(f"{api}/conversations/{conversation_id}/messages", json={"text": "sorry for the wait"},
                          headers=agent1, timeout=HTTP_TIMEOUT)
    assert reply.status_code == 422
    assert reply.json()["error"]["code"] == "window_closed"
    # (the thread's story line of the pick-up is there; no reply is)
    assert [m["direction"] for m in messages_of(api, agent1, conversation_id)
            if m["direction"] != "system"] == ["inbound"]


def test_only_the_owner_may_reply(runtime, api, agent1, agent2, webhook_url, demo):
    wa_id = new_wa_id()
    deliver(runtime, webhook_url, demo, wa_id, "hello")
    conversation_id = conversation_of(api, agent1, wa_id)["id"]
    requests.post(f"{api}/conversations/{conversation_id}/pickup", headers=agent1,
                  timeout=HTTP_TIMEOUT).raise_for_status()
    reply = requests.post(f"{api}/conversations/{conversation_id}/messages", json={"text": "not mine"},
                          headers=agent2, timeout=HTTP_TIMEOUT)
    assert reply.status_code == 403


def test_requests_without_a_valid_token_are_refused(api):
    assert requests.get(f"{api}/conversations", timeout=HTTP_TIMEOUT).status_code == 401
    forged = {"Authorization": "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"}
    response = requests.get(f"{api}/conversations", headers=forged, timeout=HTTP_TIMEOUT)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_bad_request_bodies_get_400_naming_the_field(runtime, api, agent1):
    response = requests.post(f"{api}/auth/login", data=b"{oops", headers={"Content-Type": "application/json"},
                             timeout=HTTP_TIMEOUT)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "body"
    response = requests.post(f"{api}/auth/login", json={"email": "a@b.c"}, timeout=HTTP_TIMEOUT)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "password"
    response = requests.get(f"{api}/conversations", params={"cursor": "%%%"}, headers=agent1, timeout=HTTP_TIMEOUT)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "cursor"
