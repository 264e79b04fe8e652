"""The README's promise, over real HTTP on loopback: a customer writes on WhatsApp through the
simulator, an agent signs in, picks the conversation up and replies, the reply reaches the
simulator and its statuses come back; Ctrl+C stops everything cleanly."""

import requests

from local.processes import start_system
from tests.support import HTTP_TIMEOUT, find, login, new_wa_id, wait_for


def test_customer_to_agent_and_back(system):
    info = system.info
    api, simulator = info["api_url"], info["simulator_url"]
    phone_number_id = info["demo"]["whatsapp"]["phone_number_id"]
    wa_id = new_wa_id()

    # Given a customer writes through the simulator (a signed Cloud API webhook)
    answer = requests.post(f"{simulator}/control/whatsapp/{phone_number_id}/messages",
                           json={"from": wa_id, "name": "Ana", "text": "Is my order shipped?"}, timeout=HTTP_TIMEOUT)
    assert answer.json()["webhook_status"] == 200

    # When the agent signs in, finds it in New and picks it up
    agent = login(api, "agent1@example.com", info["demo"]["password"])

    def in_new():
        # (the exact customer filter: earlier tests leave many conversations waiting in New)
        items = requests.get(f"{api}/conversations", params={"view": "new", "customer": "+" + wa_id}, headers=agent,
                             timeout=HTTP_TIMEOUT).json()["items"]
        return find(items, customer_id="+" + wa_id)  # stored in E.164

    conversation = wait_for(in_new, what="conversation in New")
    assert conversation["customer_name"] == "Ana"
    assert conversation["channel"] == "whatsapp"
    picked = requests.post(f"{api}/conversations/{conversation['id']}/pickup", headers=agent, timeout=HTTP_TIMEOUT)
    assert picked.status_code == 200

    # And replies
    reply = requests.post(f"{api}/conversations/{conversation['id']}/messages", json={"text": "Yes, today!"},
                          headers=agent, timeout=HTTP_TIMEOUT)
    assert reply.status_code == 202

    # Then the simulator receives it on the Graph API, and the read status comes back
    def at_simulator():
        return find(requests.get(f"{simulator}/control/outbox", timeout=HTTP_TIMEOUT).json()["items"], to=wa_id)

    sent = wait_for(at_simulator, what="reply at the simulator")
    assert sent["payload"]["text"]["body"] == "Yes, today!"

    def read():
        items = requests.get(f"{api}/conversations/{conversation['id']}/messages", headers=agent,
                             timeout=HTTP_TIMEOUT).json()["items"]
        message = find(items, direction="outbound")
        return message if message and message["status"] == "read" else None

    assert wait_for(read, what="read status")["provider_message_id"] == sent["id"]

    # And the web app is served on the same origin as the API
    assert requests.get(info["web_url"], timeout=HTTP_TIMEOUT).status_code == 200


def test_ctrl_c_stops_the_system_cleanly(tmp_path):
    running = start_system(tmp_path)
    assert requests.get(f"{running.info['api_url']}/health", timeout=HTTP_TIMEOUT).json() == {"status": "ok"}
    assert running.stop() == 0
    for url in (running.info["web_url"], running.info["simulator_url"], running.info["moto_url"]):
        try:
            requests.get(url, timeout=2)
        except requests.ConnectionError:
            continue
        raise AssertionError(f"{url} still answers after Ctrl+C")
