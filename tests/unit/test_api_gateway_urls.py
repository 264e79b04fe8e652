"""The URL a caller used, from REST API proxy events: the stage on the execute-api host, the base
path (or none) behind a custom domain, a non-default port, and the query written back."""

import json
from pathlib import Path

import pytest
from chalicelib.core.api_gateway import api_base_url, called_url, encode_query

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "apigateway"


def event(name: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((FIXTURES / name).read_text().replace("ACCOUNT", "sms-1"))
    return loaded


def test_execute_api_keeps_the_stage_once():
    assert called_url(event("execute_api_webhook.json")) == \
        "https://k3x9q2w7ab.execute-api.eu-west-1.amazonaws.com/api/webhooks/sms/sms-1"


def test_custom_domain_with_and_without_a_base_path():
    mapped = event("custom_domain_webhook.json")
    assert called_url(mapped) == "https://contact.example.com/support/webhooks/sms/sms-1"
    assert api_base_url(mapped) == "https://contact.example.com/support"
    root = event("custom_domain_webhook.json")
    root["path"] = "/webhooks/sms/sms-1"
    root["requestContext"]["path"] = "/webhooks/sms/sms-1"
    assert api_base_url(root) == "https://contact.example.com"


def test_a_non_default_port_is_kept_and_the_query_written_back():
    local = event("execute_api_webhook.json")
    local["headers"] = {"Host": "127.0.0.1:8000", "X-Forwarded-Proto": "http", "X-Forwarded-Port": "8000"}
    local["multiValueQueryStringParameters"] = {"note": ["a b"], "tag": ["1", "2"]}
    assert called_url(local) == "http://127.0.0.1:8000/api/webhooks/sms/sms-1?note=a%20b&tag=1&tag=2"


@pytest.mark.parametrize(("options", "expected"), [
    ({}, "next=%2Fx%3Ay&who=Ana%20Lima"),
    ({"plus_spaces": True}, "next=%2Fx%3Ay&who=Ana+Lima"),
    ({"safe": "/:"}, "next=/x:y&who=Ana%20Lima"),
])
def test_query_writings(options, expected):
    assert encode_query([("next", "/x:y"), ("who", "Ana Lima")], **options) == expected
