"""Integrators' receivers (event webhooks, API channel replies) are URLs an administrator typed
in: outside the local runtime they must be public. Literal private hosts are refused when they
are registered; a name that resolves to a private address is refused when posting, and the POST
goes to the address that was checked."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from chalicelib.adapters.messaging import QueuePublisher
from chalicelib.channels import http
from chalicelib.channels.api_channel import check_credentials
from chalicelib.channels.base import SendFailed
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.events import EventType
from chalicelib.domain.identity import Principal
from chalicelib.domain.models import Role, User
from chalicelib.domain.subscriptions_admin import SubscriptionAdministration
from chalicelib.storage.subscriptions import SubscriptionStore

from tests.loopback import OK_EMPTY, LoopbackServer, loopback_server

NOT_PUBLIC = ["http://localhost:8080/hook", "http://api.localhost/hook", "http://127.0.0.1/hook",
              "https://10.0.0.7/hook", "http://192.168.1.20:9000/hook", "http://169.254.169.254/latest",
              "http://[::1]:9001/2018-06-01/runtime/invocation/next", "http://100.64.0.1/hook",
              # plain http to a public host; IPv4 inside IPv6 (mapped, NAT64, 6to4, compatible)
              "http://[2606:4700::1111]/x", "https://[::ffff:10.0.0.1]/x", "https://[64:ff9b::7f00:1]/x",
              "https://[2002:a9fe:a9fe::]/x", "https://[::192.168.0.1]/x"]
PUBLIC = ["https://hooks.example.com/contact", "https://93.184.216.34/hook", "https://[2606:4700::1111]/x"]


@pytest.fixture
def receiver() -> Iterator[LoopbackServer]:
    with loopback_server(OK_EMPTY) as server:
        yield server


@pytest.mark.parametrize("url", NOT_PUBLIC)
def test_a_receiver_on_a_private_host_is_named_as_such(url):
    assert http.receiver_address_problem(url) is not None


@pytest.mark.parametrize("url", PUBLIC)
def test_a_receiver_on_a_public_host_passes_registration(url):
    assert http.receiver_address_problem(url) is None


def test_a_name_that_resolves_to_a_private_address_is_refused_at_registration(monkeypatch):
    # Given a name whose DNS answer (here, a stand-in resolver) is an internal address
    answers = {"hooks.internal.example": "10.0.0.5", "hooks.public.example": "93.184.216.34"}
    monkeypatch.setattr(http.socket, "getaddrinfo", lambda host, port, type=0: [
        (None, None, None, "", (answers[host], port))])
    # Then registering it is refused naming the address; a public answer passes
    problem = http.receiver_address_problem("https://hooks.internal.example/x")
    assert problem is not None
    assert "10.0.0.5" in problem
    assert http.receiver_address_problem("https://hooks.public.example/x") is None


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_post_to_a_private_address_is_refused_before_connecting(receiver, host):
    # Given a receiver on loopback (by address, and by a name that resolves there)
    url = f"http://{host}:{receiver.base_url.rsplit(':', 1)[1]}/hook"
    # When an event is posted there outside the local runtime
    with pytest.raises(SendFailed) as refused:
        http.post_to_receiver(url, b"{}", {}, private_allowed=False)
    # Then it is a permanent failure (no retry would help), and nothing reached the address
    assert (refused.value.code, refused.value.permanent) == ("receiver_not_public", True)
    assert receiver.requests == []


def test_the_post_goes_to_the_checked_address_with_the_host_named(receiver, monkeypatch):
    # Given a public name (its lookup answered here by the loopback receiver's address)
    checked: list[tuple[str, int]] = []
    port = int(receiver.base_url.rsplit(":", 1)[1])

    def resolve(host: str, at: int) -> str:
        checked.append((host, at))
        return "127.0.0.1"

    monkeypatch.setattr(http, "_public_address", resolve)
    # When an event is posted to it
    answer = http.post_to_receiver(f"http://hooks.example.com:{port}/contact?x=1", b'{"a":1}',
                                   {"X-Test": "yes"}, private_allowed=False)
    # Then the one checked address got it, with the original Host, path, query and body
    assert answer.status == 200
    assert checked == [("hooks.example.com", port)]
    [request] = receiver.requests
    assert (request.path, request.body) == ("/contact?x=1", b'{"a":1}')
    assert request.headers["host"] == f"hooks.example.com:{port}"
    assert request.headers["x-test"] == "yes"


def test_the_local_runtime_may_post_to_loopback(receiver):
    answer = http.post_to_receiver(f"{receiver.base_url}/hook", b"{}", {}, private_allowed=True)
    assert answer.status == 200
    assert len(receiver.requests) == 1


def test_an_api_channel_reply_url_on_a_private_host_is_refused(public_receivers_only):
    with pytest.raises(InvalidInput) as refused:
        check_credentials({"secret": "s" * 40, "reply_url": "http://169.254.169.254/latest/meta-data"})
    assert refused.value.field == "credentials.reply_url"
    check_credentials({"secret": "s" * 40, "reply_url": "https://shop.example.com/contact/replies"})


def test_an_event_subscription_to_a_private_host_is_refused():
    # Given the administration as in AWS; its store is never reached by a refused request
    administration = SubscriptionAdministration(cast(SubscriptionStore, None), cast(QueuePublisher, None),
                                                lambda: datetime.now(UTC))
    admin = Principal(user=User(id="u1", email="a@example.com", display_name="A", role=Role.ADMINISTRATOR,
                                team_ids=("default",)), team_id="default")
    calls: list[Any] = [
        lambda: administration.create(admin, url="http://127.0.0.1:9/x", events=[EventType.MESSAGE_CREATED],
                                      description=None),
        lambda: administration.update(admin, "s1", url="http://localhost/x", events=None, description=None,
                                      enabled=None),
    ]
    for refused_call in calls:
        with pytest.raises(InvalidInput) as refused:
            refused_call()
        assert refused.value.field == "url"
