"""Provider credentials are checked per channel when stored: required keys, minimum lengths, the
provider's formats, nothing unknown; stand-in hosts only in the local runtime. A stored secret
that lacks a key refuses the webhook (401), never a KeyError."""

from __future__ import annotations

import secrets

import pytest
from chalicelib.adapters.credentials import StoredCredentials
from chalicelib.channels.credential_rules import check_provider_credentials
from chalicelib.domain.errors import InvalidInput, SignatureRejected
from chalicelib.domain.models import Channel

META = {"app_secret": secrets.token_hex(16), "access_token": "EAAG" + secrets.token_hex(12),
        "verify_token": secrets.token_hex(8)}
GOOD = {
    Channel.WHATSAPP: META,
    Channel.MESSENGER: META,
    Channel.INSTAGRAM: META,
    Channel.TELEGRAM: {"bot_token": "7012345678:AA" + secrets.token_urlsafe(24), "secret_token": secrets.token_hex(12)},
    Channel.SMS: {"account_sid": "AC" + secrets.token_hex(16), "auth_token": secrets.token_hex(16)},
    Channel.VIBER: {"auth_token": secrets.token_hex(12)},
    Channel.EMAIL: {"topic_arn": "arn:aws:sns:eu-west-1:123456789012:inbound-mail"},
}


@pytest.mark.parametrize("channel", list(GOOD), ids=str)
def test_each_channels_issued_credentials_are_accepted(channel):
    check_provider_credentials(channel, GOOD[channel], local_runtime=False)


@pytest.mark.parametrize("channel", list(GOOD), ids=str)
def test_an_empty_or_missing_required_key_is_refused_by_name(channel):
    for name in GOOD[channel]:
        for broken in ({**GOOD[channel], name: ""}, {**GOOD[channel], name: "   "},
                       {k: v for k, v in GOOD[channel].items() if k != name}):
            with pytest.raises(InvalidInput) as refused:
                check_provider_credentials(channel, broken, local_runtime=False)
            assert refused.value.field == f"credentials.{name}"


@pytest.mark.parametrize(("channel", "name", "value"), [
    (Channel.WHATSAPP, "app_secret", "s"),
    (Channel.WHATSAPP, "verify_token", "short"),
    (Channel.SMS, "account_sid", "AC123"),
    (Channel.SMS, "auth_token", "tooshort"),
    (Channel.TELEGRAM, "bot_token", "no-colon-in-this-bot-token"),
    (Channel.TELEGRAM, "secret_token", "has spaces in it, not allowed"),
    (Channel.VIBER, "auth_token", "x" * 15),
    (Channel.EMAIL, "topic_arn", "not-an-arn"),
])
def test_short_or_malformed_values_are_refused(channel, name, value):
    with pytest.raises(InvalidInput) as refused:
        check_provider_credentials(channel, {**GOOD[channel], name: value}, local_runtime=False)
    assert refused.value.field == f"credentials.{name}"


def test_unknown_keys_and_local_only_keys_outside_the_local_runtime_are_refused():
    with pytest.raises(InvalidInput, match="unknown"):
        check_provider_credentials(Channel.VIBER, {**GOOD[Channel.VIBER], "webhook_host": "x"}, local_runtime=False)
    stand_in = {**GOOD[Channel.EMAIL], "sns_local_host": "127.0.0.1:4566"}
    with pytest.raises(InvalidInput, match="local runtime"):
        check_provider_credentials(Channel.EMAIL, stand_in, local_runtime=False)
    check_provider_credentials(Channel.EMAIL, stand_in, local_runtime=True)


def test_a_stored_secret_without_a_key_refuses_instead_of_failing():
    stored = StoredCredentials({"access_token": "t", "app_secret": ""}, channel="whatsapp", account_id="wa-1")
    for name in ("verify_token", "app_secret"):
        with pytest.raises(SignatureRejected) as refused:
            stored[name]
        assert refused.value.field == f"credentials.{name}"
    assert stored["access_token"] == "t"
    assert stored.get("verify_token") is None
