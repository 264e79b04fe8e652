"""A channel account's API base URL cannot aim our workers at internal addresses: https on the
provider's own hosts (any public host for the generic API channel), loopback only in the local
runtime and never because of the URL, IPv4 inside IPv6 decoded, and provider calls pinned to the
address that was checked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chalicelib.adapters.media import MediaRefused, download, simulator_host
from chalicelib.channels import http
from chalicelib.channels.base import MediaSource, SendFailed
from chalicelib.channels.provider_urls import provider_url_problem
from chalicelib.domain.models import Channel, ChannelAccount

from tests.loopback import OK_EMPTY, LoopbackServer, loopback_server


@pytest.fixture
def internal() -> Iterator[LoopbackServer]:
    """An internal service on loopback that must never hear from us in AWS."""
    with loopback_server(OK_EMPTY) as server:
        yield server


@pytest.mark.parametrize(("channel", "url"), [
    (Channel.WHATSAPP, "https://graph.facebook.com"),
    (Channel.INSTAGRAM, "https://graph.instagram.com/"),
    (Channel.TELEGRAM, "https://api.telegram.org"),
    (Channel.SMS, "https://api.twilio.com"),
    (Channel.VIBER, "https://chatapi.viber.com"),
    (Channel.API, "https://93.184.216.34/contact"),
])
def test_the_providers_own_hosts_are_accepted(channel, url, in_aws):
    assert provider_url_problem(channel, url, local_runtime=False) is None


@pytest.mark.parametrize(("channel", "url"), [
    (Channel.WHATSAPP, "http://127.0.0.1:9/graph"),
    (Channel.WHATSAPP, "https://localhost/graph"),
    (Channel.WHATSAPP, "http://graph.facebook.com"),
    (Channel.WHATSAPP, "https://graph.facebook.com.evil.example"),
    (Channel.WHATSAPP, "https://user:pw@graph.facebook.com"),
    (Channel.SMS, "https://169.254.169.254/latest/meta-data"),
    (Channel.TELEGRAM, "https://api.telegram.org:bad/"),
    (Channel.API, "https://10.0.0.7/contact"),
    (Channel.API, "https://[::ffff:127.0.0.1]/contact"),
    (Channel.API, "https://[64:ff9b::a9fe:a9fe]/contact"),
    (Channel.API, "https://[2002:c0a8:101::]/contact"),
    (Channel.API, "https://[::10.0.0.1]/contact"),
    (Channel.API, "https://localhost/contact"),
    (Channel.API, "http://93.184.216.34/contact"),
])
def test_internal_plain_or_foreign_base_urls_are_refused_outside_the_local_runtime(channel, url, in_aws):
    assert provider_url_problem(channel, url, local_runtime=False) is not None


def test_loopback_is_allowed_by_the_runtime_setting_not_by_the_url():
    assert provider_url_problem(Channel.WHATSAPP, "http://127.0.0.1:9/graph", local_runtime=True) is None
    assert provider_url_problem(Channel.WHATSAPP, "http://127.0.0.1:9/graph", local_runtime=False) is not None


def test_in_aws_a_provider_call_to_loopback_never_connects(internal, in_aws):
    # Given an account stored (before the checks) with an internal base URL
    for url in (f"{internal.base_url}/graph", f"https://127.0.0.1:{internal.base_url.rsplit(':', 1)[1]}/graph"):
        # When a worker calls it outside the local runtime
        with pytest.raises(SendFailed) as refused:
            http.get_json(url, {"Authorization": "Bearer secret-token"})
        # Then it is a permanent failure, and the internal service heard nothing
        assert refused.value.permanent
    assert internal.requests == []


def test_in_aws_the_accounts_loopback_host_is_not_trusted_for_media(internal, in_aws):
    # Given an account whose API base URL names loopback (the old "simulator" trust)
    account = ChannelAccount(id="wa-x", channel=Channel.WHATSAPP, name="x", provider_account_id="1",
                             api_base_url=f"{internal.base_url}/graph", team_id="default", enabled=True)
    # Then outside the local runtime its host is no simulator, and a media download there is refused
    assert simulator_host(account) is None
    source = MediaSource(url=f"{internal.base_url}/graph/media", headers={"Authorization": "Bearer t"},
                         allowed_hosts=frozenset({internal.netloc}))
    with pytest.raises(MediaRefused):
        download(source, trusted_loopback=simulator_host(account))
    assert internal.requests == []


def test_in_the_local_runtime_the_simulator_is_trusted():
    account = ChannelAccount(id="wa-x", channel=Channel.WHATSAPP, name="x", provider_account_id="1",
                             api_base_url="http://127.0.0.1:8080/graph", team_id="default", enabled=True)
    assert simulator_host(account) == "127.0.0.1:8080"
