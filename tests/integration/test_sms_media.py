"""SMS replies with pictures: they go as MMS between US and Canadian numbers (the demo account's
number is in the US), and are refused before anything is stored for a customer elsewhere."""

import secrets

import requests

from tests.integration.conftest import drain
from tests.integration.inbox_support import picked_up_from_simulator
from tests.integration.test_inbox_compose import upload
from tests.integration.test_message_pipeline import messages_of
from tests.support import HTTP_TIMEOUT, find

PNG = b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(2000)


def sms_conversation(runtime, api, agent, demo, customer):
    return picked_up_from_simulator(runtime, api, agent, demo, "sms", customer, "Photo of the label?")


def reply_with_picture(api, agent, conversation_id):
    key = upload(api, agent, conversation_id, "label.png", "image/png", PNG)
    return requests.post(f"{api}/conversations/{conversation_id}/messages", headers=agent, timeout=HTTP_TIMEOUT,
                         json={"text": "Here it is", "attachments": [{"key": key}]})


def media_refusal_of(api, agent, conversation_id):
    answer = requests.get(f"{api}/conversations/{conversation_id}", headers=agent, timeout=HTTP_TIMEOUT)
    answer.raise_for_status()
    return answer.json()["media_refusal"]


def test_a_picture_to_a_us_customer_goes_as_mms(runtime, api, agent1, demo):
    # Given a US customer texting the demo account's US number
    customer = "+1415555" + str(secrets.randbelow(10**4)).zfill(4)
    conversation_id = sms_conversation(runtime, api, agent1, demo, customer)
    # Then the conversation says files may go (the web app offers them without a warning)
    assert media_refusal_of(api, agent1, conversation_id) is None
    # When the agent replies with a picture
    answer = reply_with_picture(api, agent1, conversation_id)
    assert answer.status_code == 202, answer.text
    drain(runtime, "outbound", "send")
    # Then Twilio got one message with the text and the picture's URL
    outbox = requests.get(f"{runtime.info.simulator_url}/control/outbox", params={"channel": "sms", "to": customer},
                          timeout=HTTP_TIMEOUT).json()["items"]
    [sent] = outbox
    assert sent["payload"]["Body"] == "Here it is"
    [media_url] = sent["payload"]["MediaUrl"]
    assert requests.get(media_url, timeout=HTTP_TIMEOUT).content == PNG
    assert find(messages_of(api, agent1, conversation_id), direction="outbound")["status"] in {"sent", "delivered"}


def test_a_picture_to_a_customer_outside_the_us_and_canada_is_refused(runtime, api, agent1, demo):
    # Given a Dutch customer texting the demo account's US number
    customer = "+3161" + str(secrets.randbelow(10**7)).zfill(7)
    conversation_id = sms_conversation(runtime, api, agent1, demo, customer)
    # Then the conversation says before any reply why files cannot go (the web app warns with it)
    assert "from NL" in media_refusal_of(api, agent1, conversation_id)
    # When the agent replies with a picture, Then it is refused naming the customer's country
    answer = reply_with_picture(api, agent1, conversation_id)
    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == "attachments"
    assert "from NL" in answer.json()["error"]["message"]
    # And nothing was stored or sent; text alone still goes
    assert find(messages_of(api, agent1, conversation_id), direction="outbound") is None
    text = requests.post(f"{api}/conversations/{conversation_id}/messages", headers=agent1, timeout=HTTP_TIMEOUT,
                         json={"text": "I will mail it to you"})
    assert text.status_code == 202
