"""The API tells the web app what each channel carries, from the same tables the send enforces."""

import requests

from tests.support import HTTP_TIMEOUT


def test_capabilities_name_every_channel_with_its_limits_templates_and_window(api, agent1):
    answer = requests.get(f"{api}/channels/capabilities", headers=agent1, timeout=HTTP_TIMEOUT)
    assert answer.status_code == 200
    by_channel = {item["channel"]: item for item in answer.json()["items"]}
    assert {"whatsapp", "messenger", "instagram", "telegram", "sms", "viber", "email"} <= set(by_channel)
    whatsapp = by_channel["whatsapp"]
    assert (whatsapp["templates"], whatsapp["window_hours"], whatsapp["max_text_length"]) == (True, 24, 4096)
    assert {"content_type": "image/jpeg", "max_bytes": 5 * 1024 * 1024} in whatsapp["media"]
    assert (by_channel["messenger"]["window_hours"], by_channel["messenger"]["human_agent_window_hours"]) == (24, 168)
    assert by_channel["telegram"]["window_hours"] is None
    assert by_channel["email"]["threaded_replies"] is True
    # Email carries files itself, within SES's 40 MB per message once encoded
    assert {"content_type": "application/pdf", "max_bytes": 10 * 1024 * 1024} in by_channel["email"]["media"]
    assert by_channel["email"]["max_total_media_bytes"] == 28 * 1024 * 1024
    assert by_channel["whatsapp"]["max_total_media_bytes"] is None
    # SMS carries pictures as MMS, 5 MB per message, between US and Canadian numbers only
    sms = by_channel["sms"]
    assert {"content_type": "image/png", "max_bytes": 5 * 1024 * 1024} in sms["media"]
    assert (sms["max_total_media_bytes"], sms["media_countries"]) == (5 * 1024 * 1024, ["US", "CA"])
    assert by_channel["email"]["media_countries"] is None
    assert all(not item["templates"] for channel, item in by_channel.items() if channel != "whatsapp")


def test_capabilities_need_a_signed_in_user(api):
    assert requests.get(f"{api}/channels/capabilities", timeout=HTTP_TIMEOUT).status_code == 401
