"""Webhook intake: verified deliveries are queued and answered at once; bad ones get a 4xx
naming the problem and leave nothing on the queue."""

import pytest
import requests

from tests.integration.conftest import queue_depth
from tests.support import HTTP_TIMEOUT, new_wa_id, post_whatsapp, whatsapp_text


def test_signed_delivery_is_queued_and_answered_200(webhook_url, demo, sqs, inbound_url):
    body = whatsapp_text(demo["whatsapp"]["phone_number_id"], wa_id=new_wa_id(), text="hello")
    response = post_whatsapp(webhook_url, body, demo["whatsapp"]["app_secret"])
    assert response.status_code == 200
    assert response.json() == {"queued": 1}
    assert queue_depth(sqs, inbound_url) == 1


NESTED = b'{"object": "whatsapp_business_account", "entry": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
# Each bad delivery: how it differs from a good one (body, URL, signing secret).
BAD_DELIVERIES = {
    "missing signature": lambda body, url, secret: (body, url, None),
    "wrong signature": lambda body, url, secret: (body, url, "not-the-app-secret"),
    "malformed json": lambda body, url, secret: (b'{"object": "whatsapp_business_account", "entry": [', url, secret),
    "unknown account": lambda body, url, secret: (body, url.rsplit("/", 1)[0] + "/no-such-account", secret),
    "unknown channel": lambda body, url, secret: (body, url.replace("/whatsapp/", "/carrier-pigeon/"), secret),
    "oversized body": lambda body, url, secret: (
        body[:-1] + b',"padding":"' + b"x" * (3 * 1024 * 1024) + b'"}', url, secret),
    "deeply nested json": lambda body, url, secret: (NESTED, url, secret),
    "invalid utf-8": lambda body, url, secret: (body.replace(b"hello", b"hel\xff\xfelo"), url, secret),
    "json that is not an object": lambda body, url, secret: (b'["whatsapp_business_account"]', url, secret),
}


@pytest.mark.parametrize(("case", "status", "code"), [
    ("missing signature", 401, "invalid_signature"),
    ("wrong signature", 401, "invalid_signature"),
    ("malformed json", 400, "invalid_input"),
    ("unknown account", 404, "not_found"),
    ("unknown channel", 404, "not_found"),
    ("oversized body", 413, "payload_too_large"),
    ("deeply nested json", 400, "invalid_input"),
    ("invalid utf-8", 400, "invalid_input"),
    ("json that is not an object", 400, "invalid_input"),
])
def test_bad_deliveries_are_refused_and_nothing_is_queued(runtime, webhook_url, demo, sqs, inbound_url,
                                                          case, status, code):
    good = whatsapp_text(demo["whatsapp"]["phone_number_id"], wa_id=new_wa_id(), text="hello")
    body, url, secret = BAD_DELIVERIES[case](good, webhook_url, demo["whatsapp"]["app_secret"])
    response = post_whatsapp(url, body, secret)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert queue_depth(sqs, inbound_url) == 0


def test_handshake_echoes_the_challenge_for_the_right_verify_token(webhook_url, demo):
    params = {"hub.mode": "subscribe", "hub.challenge": "1158201444",
              "hub.verify_token": demo["whatsapp"]["verify_token"]}
    response = requests.get(webhook_url, params=params, timeout=HTTP_TIMEOUT)
    assert response.status_code == 200
    assert response.text == "1158201444"
    forged = requests.get(webhook_url, params={**params, "hub.verify_token": "guess"}, timeout=HTTP_TIMEOUT)
    assert forged.status_code == 401
