"""Signatures over the URL, as API Gateway hands the request over: Twilio signs the URL it
called. On the webhooks' HTTP API (payload format 1.0) that is the URL with nothing before the
route on the $default stage; a REST API (the events webhooks came in before they had an API of
their own) has the stage in it on the API's own host and the base path (no stage) behind a custom
domain. The events (tests/fixtures/apigateway/) are handed to the intake function's handler as
Lambda would; the local runtime's own events are checked over real HTTP."""

import base64
import json
import secrets
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import requests
from chalice.local import LambdaContext
from chalicelib import wiring
from chalicelib.adapters.credential_admin import CredentialWriter
from chalicelib.channels import check_credentials
from chalicelib.channels.provider_urls import provider_url_problem
from chalicelib.channels.twilio_sms import sign as twilio_sign
from chalicelib.core import resources
from chalicelib.core.api_gateway import api_base_url
from chalicelib.core.settings import get_settings
from chalicelib.domain.channel_admin import ChannelAdministration
from chalicelib.domain.identity import Principal
from chalicelib.domain.models import Channel, ChannelAccount, Role, User

from local.seed import create_channel_account
from tests.integration.conftest import queue_depth
from tests.support import HTTP_TIMEOUT

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "apigateway"
TOKEN = secrets.token_hex(16)
NUMBER = "+14155552672"


@pytest.fixture(scope="module")
def sms_account(runtime) -> str:
    account_id = f"sms-gw-{secrets.token_hex(4)}"
    create_channel_account(runtime.resources, ChannelAccount(
        id=account_id, channel=Channel.SMS, name="SMS gateway test", provider_account_id=NUMBER,
        api_base_url="http://127.0.0.1:9", team_id="default", enabled=True),
        {"account_sid": "AC" + "1" * 32, "auth_token": TOKEN})
    return account_id


def sms_form() -> bytes:
    sid = "SM" + secrets.token_hex(16)
    return (f"MessageSid={sid}&SmsSid={sid}&AccountSid=AC{'1' * 32}&From=%2B31612345678"
            f"&To=%2B14155552672&Body=Is+my+order+on+its+way%3F&NumMedia=0&SmsStatus=received").encode()


def gateway_event(shape: str, account_id: str, body: bytes, signature: str,
                  query: dict[str, list[str]] | None = None) -> dict[str, Any]:
    text = (FIXTURES / f"{shape}.json").read_text().replace("ACCOUNT", account_id)
    event: dict[str, Any] = json.loads(text)
    # An HTTP API hands a form body over base64-encoded; a REST API as text.
    event["body"] = base64.b64encode(body).decode() if event.get("isBase64Encoded") else body.decode()
    event["headers"]["X-Twilio-Signature"] = signature
    if query:
        event["multiValueQueryStringParameters"] = query
        event["queryStringParameters"] = {name: values[-1] for name, values in query.items()}
    return event


def invoke(runtime, event: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.api.webhook_intake import webhook_intake
    response: dict[str, Any] = webhook_intake(event, LambdaContext("webhook_intake", 512))
    return response


CALLED = {
    "http_api_webhook": "https://h7tq4m2z9c.execute-api.eu-west-1.amazonaws.com/webhooks/sms/{account}",
    "execute_api_webhook": "https://k3x9q2w7ab.execute-api.eu-west-1.amazonaws.com/api/webhooks/sms/{account}",
    "custom_domain_webhook": "https://contact.example.com/support/webhooks/sms/{account}",
}


@pytest.mark.parametrize("shape", sorted(CALLED))
def test_twilio_signature_over_the_url_as_called_is_accepted(runtime, sms_account, inbound_url, sqs, shape):
    # Given a Twilio delivery signed over the URL Twilio called (stage or base path in it)
    body = sms_form()
    url = CALLED[shape].format(account=sms_account)
    signature = twilio_sign(url, parse_qsl(body.decode()), TOKEN)
    # When API Gateway hands it to the function
    response = invoke(runtime, gateway_event(shape, sms_account, body, signature))
    # Then it is verified and queued
    assert response["statusCode"] == 200, response.get("body")
    assert queue_depth(sqs, inbound_url) == 1


@pytest.mark.parametrize("shape", sorted(CALLED))
def test_twilio_signature_over_another_url_is_refused(runtime, sms_account, inbound_url, sqs, shape):
    # The URL rebuilt the old way (public URL + requestContext.path: the stage twice), or with the
    # agents' REST API stage on the HTTP API, is not it.
    body = sms_form()
    doubled = CALLED[shape].format(account=sms_account).replace("/webhooks/", "/api/webhooks/")
    signature = twilio_sign(doubled, parse_qsl(body.decode()), TOKEN)
    response = invoke(runtime, gateway_event(shape, sms_account, body, signature))
    assert response["statusCode"] == 401
    assert json.loads(response["body"])["error"]["code"] == "invalid_signature"
    assert queue_depth(sqs, inbound_url) == 0


def test_custom_domain_query_with_reserved_characters_and_repeated_keys(runtime, sms_account, inbound_url, sqs):
    # Given a webhook URL configured with a query (reserved characters, an encoded space, a
    # repeated key), which API Gateway hands over decoded
    body = sms_form()
    url = (CALLED["custom_domain_webhook"].format(account=sms_account)
           + "?site=Caf%C3%A9%20Noord&next=%2Forders%3Fid%3D7&tag=a&tag=b")
    query = {"site": ["Café Noord"], "next": ["/orders?id=7"], "tag": ["a", "b"]}
    signature = twilio_sign(url, parse_qsl(body.decode()), TOKEN)
    response = invoke(runtime, gateway_event("custom_domain_webhook", sms_account, body, signature, query))
    assert response["statusCode"] == 200, response.get("body")
    assert queue_depth(sqs, inbound_url) == 1


@pytest.mark.parametrize("query", [
    "note=a%20b&tag=1&tag=2",            # RFC 3986: encoded space, repeated key
    "note=a+b&path=%2Fx%3Ay",            # form encoding, encoded reserved characters
    "next=/x:y@z&who=Ana%20Lima",        # reserved characters a query may hold, left as written
    "pct=100%25&amp=a%26b&eq=%3D",       # the query's own delimiters, encoded
])
def test_local_runtime_hands_over_the_called_url_with_its_query(runtime, sms_account, inbound_url, sqs, query):
    # Given Twilio calling the local runtime (stage "api" in the path) with a query in its URL
    url = f"{runtime.info.webhook_base_url}/sms/{sms_account}?{query}"
    body = sms_form()
    signature = twilio_sign(url, parse_qsl(body.decode()), TOKEN)
    # When it posts over real HTTP
    response = requests.post(url, data=body, timeout=HTTP_TIMEOUT, headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
    # Then the signature holds against the URL as called
    assert response.status_code == 200, response.text
    assert queue_depth(sqs, inbound_url) == 1


def test_webhook_urls_are_derived_from_the_request_without_a_public_url(runtime, sms_account):
    # Given an administrator's request reaching the API through a custom domain or execute-api,
    # before any public API URL is configured
    custom = json.loads((FIXTURES / "custom_domain_webhook.json").read_text().replace("ACCOUNT", sms_account))
    direct = json.loads((FIXTURES / "execute_api_webhook.json").read_text().replace("ACCOUNT", sms_account))
    administration = ChannelAdministration(wiring.channel_accounts(), wiring.team_store(),
                                           CredentialWriter(get_settings()), "", wiring.media_store(),
                                           check_credentials=check_credentials,
                                           url_problem=partial(provider_url_problem, local_runtime=True))
    administrator = Principal(user=User(id="admin-1", email="a@example.test", display_name="A",
                                        role=Role.ADMINISTRATOR, team_ids=("default",)), team_id="default")
    # When it reads the account, the webhook URL is on the URL that request reached
    for event, base in [(custom, "https://contact.example.com/support"),
                        (direct, "https://k3x9q2w7ab.execute-api.eu-west-1.amazonaws.com/api")]:
        view = administration.get(administrator, sms_account, api_url=api_base_url(event))
        assert view.webhook_url == f"{base}/webhooks/sms/{sms_account}"


def test_the_webhooks_own_base_is_shown_whatever_url_the_administrator_used(runtime, sms_account, monkeypatch):
    # Given the stack's setting of the webhooks' base (their HTTP API) beside the agents' API URL
    webhooks = "https://h7tq4m2z9c.execute-api.eu-west-1.amazonaws.com"
    monkeypatch.setenv(resources.ENV_PUBLIC_WEBHOOK_URL, webhooks + "/")
    monkeypatch.setenv(resources.ENV_PUBLIC_API_URL, "https://contact.example.com/support")
    get_settings.cache_clear()
    wiring.channels_admin.cache_clear()
    administrator = Principal(user=User(id="admin-1", email="a@example.test", display_name="A",
                                        role=Role.ADMINISTRATOR, team_ids=("default",)), team_id="default")
    try:
        # When an administrator reads the account through the agents' REST API
        view = wiring.channels_admin().get(
            administrator, sms_account, api_url="https://k3x9q2w7ab.execute-api.eu-west-1.amazonaws.com/api")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        wiring.channels_admin.cache_clear()
    # Then the URL to give the provider is on the webhooks' own API, which Twilio will sign over
    assert view.webhook_url == f"{webhooks}/webhooks/sms/{sms_account}"
