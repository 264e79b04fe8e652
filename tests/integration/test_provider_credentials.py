"""Provider credentials are checked when an administrator stores them (create and rotate), and an
account whose stored secret lacks its signing key refuses webhooks with a 4xx, never a 500, and
never verifies a signature made with an empty key."""

from __future__ import annotations

import secrets

from chalicelib.domain.models import Channel, ChannelAccount

from local.seed import create_channel_account
from tests.integration.admin_helpers import call, new_whatsapp_account, unique
from tests.support import post_whatsapp, whatsapp_text


def _whatsapp_body(runtime, credentials):
    return {"id": unique("wa"), "channel": "whatsapp", "name": "Checked", "provider_account_id": unique("1"),
            "api_base_url": f"{runtime.info.simulator_url}/graph", "credentials": credentials}


def test_empty_or_short_secrets_are_refused_on_create_and_rotate(runtime, api, admin):
    good = {"app_secret": secrets.token_hex(16), "access_token": "EAAG" + secrets.token_hex(12),
            "verify_token": secrets.token_hex(8)}
    # When an administrator adds a WhatsApp account with an empty app secret, or without one
    for credentials in ({**good, "app_secret": ""}, {k: v for k, v in good.items() if k != "app_secret"},
                        {**good, "app_secret": "short"}):
        refused = call("POST", f"{api}/channel-accounts", admin, _whatsapp_body(runtime, credentials))
        # Then it is refused naming the key
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["field"] == "credentials.app_secret"
    # And rotating an existing account's credentials to an empty secret is refused, too
    account = new_whatsapp_account(runtime, api, admin)
    rotated = call("PUT", f"{api}/channel-accounts/{account.id}/credentials", admin,
                   {"credentials": {**account.credentials, "app_secret": ""}})
    assert rotated.status_code == 400, rotated.text
    assert rotated.json()["error"]["field"] == "credentials.app_secret"


def test_a_webhook_of_an_account_stored_without_its_secret_is_refused_not_failed(runtime):
    # Given an account stored (before the checks existed) with an empty app secret
    assert runtime.resources is not None
    assert runtime.info is not None
    account_id, number = unique("wa"), str(10**9 + secrets.randbelow(10**9))
    create_channel_account(runtime.resources, ChannelAccount(
        id=account_id, channel=Channel.WHATSAPP, name="Old", provider_account_id=number,
        api_base_url=f"{runtime.info.simulator_url}/graph", team_id="default", enabled=True),
        {"app_secret": "", "access_token": "EAAG" + secrets.token_hex(12), "verify_token": secrets.token_hex(8)})
    url = f"{runtime.info.webhook_base_url}/whatsapp/{account_id}"
    body = whatsapp_text(number, wa_id="31612345678", text="injected")
    # When someone posts a message signed with the empty key, or unsigned
    for key in ("", None):
        response = post_whatsapp(url, body, key)
        # Then it is refused as unauthenticated, with a JSON error naming the problem
        assert response.status_code == 401, response.text
        assert response.json()["error"]["code"] != ""
