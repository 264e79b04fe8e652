"""One account per channel as both sides know it: the simulator's SimulatedAccount (the
provider's view) and our ChannelAccount, sharing ids and secrets, plus a customer id each."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from chalicelib.channels.base import WebhookRequest
from chalicelib.domain.models import Channel, ChannelAccount

from local.simulator import SimulatedAccount
from local.simulator.model import WebhookCall

WEBHOOK_BASE = "https://api.example.test/api/webhooks"
SIMULATOR_URL = "http://127.0.0.1:8001"
BUCKET = "open-contact-media"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:open-contact-mail-test"
PREFIXES = {"whatsapp": "graph", "messenger": "graph", "instagram": "graph", "telegram": "telegram",
            "sms": "twilio", "viber": "viber", "email": ""}
CUSTOMERS = {"whatsapp": "31612345678", "messenger": "6024000000000001", "instagram": "5024000000000001",
             "telegram": "123456789", "sms": "+31612345678", "viber": "01234567890A=", "email": "ana@example.net"}


@dataclass(frozen=True)
class BothSides:
    simulated: SimulatedAccount
    ours: ChannelAccount

    @property
    def credentials(self) -> dict[str, str]:
        return dict(self.simulated.credentials)


def _credentials(channel: str, webhook_url: str, simulator_url: str) -> dict[str, str]:
    if channel in {"whatsapp", "messenger", "instagram"}:
        return {"app_secret": secrets.token_hex(16), "access_token": "EAAG" + secrets.token_hex(12),
                "verify_token": "verify"}
    if channel == "telegram":
        return {"bot_token": "7000000001:AA" + secrets.token_urlsafe(24), "secret_token": secrets.token_urlsafe(16)}
    if channel == "sms":
        return {"account_sid": "AC" + secrets.token_hex(16), "auth_token": secrets.token_hex(16),
                "status_callback_url": webhook_url}
    if channel == "viber":
        return {"auth_token": "-".join(secrets.token_hex(8) for _ in range(3))}
    return {"topic_arn": TOPIC_ARN, "sns_local_host": simulator_url.removeprefix("http://")}


def both_sides(channel: str, *, simulator_url: str = SIMULATOR_URL, webhook_base: str = WEBHOOK_BASE) -> BothSides:
    account_id = f"{channel}-{secrets.token_hex(3)}"
    unique = str(secrets.randbelow(10**8)).zfill(8)  # Graph finds the account by the id in the path
    provider_id = {"whatsapp": "10" + unique, "messenger": "1102000" + unique, "instagram": "178414000" + unique,
                   "telegram": "7000000001", "sms": "+14155550123", "viber": "pa:demo",
                   "email": "support@opencontact.example"}[channel]
    webhook_url = f"{webhook_base}/{channel}/{account_id}"
    prefix = PREFIXES[channel]
    api_base_url = f"{simulator_url}/{prefix}" if prefix else "http://127.0.0.1:5000"
    simulated = SimulatedAccount(channel=channel, account_id=account_id, provider_account_id=provider_id,
                                 name=f"{channel} test", webhook_url=webhook_url,
                                 credentials=_credentials(channel, webhook_url, simulator_url),
                                 details={"display_phone_number": "15550001111", "waba_id": "102965400000",
                                          "bucket": BUCKET})
    ours = ChannelAccount(id=account_id, channel=Channel(channel), name=simulated.name,
                          provider_account_id=provider_id, api_base_url=api_base_url, team_id="default",
                          enabled=True)
    return BothSides(simulated, ours)


def as_request(call: WebhookCall) -> WebhookRequest:
    """The webhook as our route hands it to the adapter (header names lower-cased)."""
    return WebhookRequest(method="POST", url=call.url, headers={k.lower(): v for k, v in call.headers.items()},
                          query={}, body=call.body)
