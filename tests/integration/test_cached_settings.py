"""The message pipeline reads the administrators' settings through a per-container cache
(chalicelib.adapters.read_cache): what another Lambda container changes applies here once the cache's
max age has passed, what this process changes applies at once."""

from __future__ import annotations

import time
from collections.abc import Callable

import boto3
import pytest
from chalicelib.adapters.read_cache import MAX_AGE_SECONDS
from chalicelib.storage import admin_cache, keys

from tests.integration.admin_helpers import call, new_whatsapp_account, ok, unique
from tests.integration.conftest import drain
from tests.support import new_wa_id, post_whatsapp, whatsapp_text


@pytest.fixture
def later(monkeypatch) -> Callable[[float], None]:
    """Lets time pass for the caches of this process (the API and the workers run in it)."""
    now = [time.monotonic()]
    for cache in (admin_cache.ACCOUNTS, admin_cache.SERVICE_SETTINGS):
        monkeypatch.setattr(cache, "clock", lambda: now[0])

    def advance(seconds: float) -> None:
        now[0] += seconds

    return advance


@pytest.fixture
def other_container(runtime):
    """Writes to the table as another Lambda container would: this process's caches do not hear of it."""
    client = boto3.client("dynamodb", endpoint_url=runtime.moto_url, region_name=runtime.config.region)

    def update(pk: str, sk: str, expression: str, values: dict) -> None:
        client.update_item(TableName=runtime.resources.table_name, Key={"pk": {"S": pk}, "sk": {"S": sk}},
                           UpdateExpression=expression, ExpressionAttributeValues=values)

    return update


def test_an_account_disabled_elsewhere_stops_taking_webhooks_within_the_cache_age(runtime, api, admin, later,
                                                                                   other_container):
    # Given an account whose webhooks this container has taken (so it holds the account)
    account = new_whatsapp_account(runtime, api, admin)

    def webhook() -> int:
        body = whatsapp_text(account.phone_number_id, wa_id=new_wa_id(), text="hello")
        return post_whatsapp(account.webhook_url, body, account.app_secret).status_code

    assert webhook() == 200
    # When an administrator served by another container disables it
    other_container(keys.account_pk(account.id), keys.ACCOUNT_SK, "SET enabled = :off", {":off": {"BOOL": False}})
    # Then this container goes on without reading the account again until its cached copy is due
    later(MAX_AGE_SECONDS - 1)
    assert webhook() == 200
    # And from then on it refuses the account's webhooks
    later(1)
    assert webhook() == 404
    # When an administrator enables it through this container / Then that applies at once
    ok(call("PATCH", f"{api}/channel-accounts/{account.id}", admin, {"enabled": True}))
    assert webhook() == 200
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")


def test_a_setting_changed_elsewhere_applies_within_the_cache_age_and_here_at_once(runtime, api, admin, agent1,
                                                                                   later, other_container):
    # Given agents may create tags, as this container has read
    conversation = _new_conversation(runtime, api, agent1)

    def tag() -> int:
        return call("POST", f"{api}/conversations/{conversation}/tags", agent1, {"tags": [unique("t")]}).status_code

    assert tag() == 200
    try:
        # When another container's administrator forbids it
        other_container(keys.SETTINGS_PK, keys.SERVICE_SETTINGS_SK, "SET agents_may_create_tags = :no",
                        {":no": {"BOOL": False}})
        # Then it applies here once the cached settings are due
        later(MAX_AGE_SECONDS)
        assert tag() == 403
        # When the administrator allows it again through this container / Then at once
        ok(call("PATCH", f"{api}/settings/service", admin, {"agents_may_create_tags": True}))
        assert tag() == 200
    finally:
        ok(call("PATCH", f"{api}/settings/service", admin, {"agents_may_create_tags": True}))


def _new_conversation(runtime, api, agent) -> str:
    from tests.integration.test_message_pipeline import conversation_of, deliver

    assert runtime.info is not None
    demo = runtime.info.demo
    wa_id = new_wa_id()
    deliver(runtime, f"{runtime.info.webhook_base_url}/whatsapp/{demo['whatsapp']['account_id']}", demo, wa_id,
            "tag me")
    return str(conversation_of(api, agent, wa_id)["id"])
