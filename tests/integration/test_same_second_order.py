"""Messages sent within one second keep the provider's order: the order within a batched
delivery (WhatsApp, Messenger) and Telegram's message_id break the tie of equal timestamps,
whatever order the deliveries and the ids themselves come in."""

import hashlib
import secrets
import time
from typing import Any

from tests.integration.inbox_support import get
from tests.integration.test_rich_inbound import deliver_signed
from tests.support import find, new_wa_id


def digest(provider_id: str) -> str:
    return hashlib.sha256(provider_id.encode()).hexdigest()


def against_digest_order(provider_ids: list[str]) -> list[str]:
    """The ids in the order their digests would put last first: without the provider's sequence
    our ids (which end in a digest of theirs) would sort these messages backwards."""
    return sorted(provider_ids, key=digest, reverse=True)


def texts_of(api, agent, customer: str) -> list[str]:
    items = get(api, "/conversations", agent, view="all", customer=customer).json()["items"]
    conversation = find(items, customer_id=customer)
    assert conversation is not None, customer
    return [m["text"] for m in get(api, f"/conversations/{conversation['id']}/messages", agent).json()["items"]]


def test_a_whatsapp_batch_of_one_second_keeps_its_order(runtime, api, agent1):
    [account] = runtime.simulator.accounts("whatsapp")[:1]
    wa_id = new_wa_id()
    second = str(int(time.time()))
    # Given one delivery of three messages stamped with the same second, whose ids sort the other way
    ids = against_digest_order([f"wamid.{secrets.token_hex(8)}" for _ in range(3)])
    messages = [{"from": wa_id, "id": wamid, "timestamp": second, "type": "text", "text": {"body": body}}
                for wamid, body in zip(ids, ("one", "two", "three"), strict=True)]
    deliver_signed(runtime, "whatsapp", {"object": "whatsapp_business_account", "entry": [{
        "id": account.details.get("waba_id", "102290129340398"), "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001111", "phone_number_id": account.provider_account_id},
            "contacts": [{"profile": {"name": "Marit"}, "wa_id": wa_id}], "messages": messages}}]}]})
    # Then the thread shows them in the order of the batch
    assert texts_of(api, agent1, "+" + wa_id) == ["one", "two", "three"]


def test_a_messenger_batch_of_one_moment_keeps_its_order(runtime, api, agent1):
    [account] = runtime.simulator.accounts("messenger")[:1]
    psid = "6" + str(secrets.randbelow(10**15)).zfill(15)
    moment = int(time.time() * 1000)

    def event(mid: str, text: str) -> dict[str, Any]:
        return {"sender": {"id": psid}, "recipient": {"id": account.provider_account_id}, "timestamp": moment,
                "message": {"mid": mid, "text": text}}

    first, second = against_digest_order([f"m_{secrets.token_hex(8)}" for _ in range(2)])
    deliver_signed(runtime, "messenger", {"object": "page", "entry": [{
        "id": account.provider_account_id, "time": moment, "messaging": [event(first, "one"), event(second, "two")]}]})
    assert texts_of(api, agent1, psid) == ["one", "two"]


def test_telegram_messages_of_one_second_keep_their_message_id_order(runtime, api, agent1):
    chat = 10**9 + secrets.randbelow(10**9)
    person = {"id": chat, "is_bot": False, "first_name": "Joris"}
    second = int(time.time())

    def update(message_id: int, text: str) -> dict[str, Any]:
        return {"update_id": secrets.randbelow(10**9), "message": {
            "message_id": message_id, "from": person, "chat": {"id": chat, "first_name": "Joris", "type": "private"},
            "date": second, "text": text}}

    # Given two messages of the same second whose updates arrive the other way round, and whose
    # ids would sort the other way too without the message_id (our ids end in a digest of theirs)
    first = next(n for n in range(1, 1000) if digest(f"{chat}:{n}") > digest(f"{chat}:{n + 1}"))
    deliver_signed(runtime, "telegram", update(first + 1, "second"))
    deliver_signed(runtime, "telegram", update(first, "first"))
    # Then the thread follows Telegram's message_id
    assert texts_of(api, agent1, str(chat)) == ["first", "second"]
