"""The demo organisation the local runtime starts with: one default team, an administrator,
two agents, and one account per channel wired to the channel simulator."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import boto3
from chalicelib.core.resources import secret_name
from chalicelib.domain.admin_models import TeamSettings
from chalicelib.domain.models import Channel, ChannelAccount, Role, User
from chalicelib.storage.channel_accounts import ChannelAccountStore
from chalicelib.storage.teams import TeamStore
from chalicelib.storage.users import UserStore

from .provision import LocalResources

DEFAULT_TEAM = TeamSettings(id="default", name="Support")
DEMO_PASSWORD = "Demo-password-1"  # noqa: S105 - the published demo password


@dataclass(frozen=True)
class DemoUser:
    email: str
    display_name: str
    role: Role


DEMO_USERS = (
    DemoUser("admin@example.com", "Ada Admin", Role.ADMINISTRATOR),
    DemoUser("agent1@example.com", "Alex Agent", Role.AGENT),
    DemoUser("agent2@example.com", "Sam Agent", Role.AGENT),
)


def create_user(local: LocalResources, email: str, display_name: str,
                role: Role, team_ids: tuple[str, ...], password: str) -> User:
    cognito = boto3.client("cognito-idp", endpoint_url=local.endpoint_url, region_name=local.region)
    cognito.admin_create_user(UserPoolId=local.user_pool_id, Username=email, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": email},
                                              {"Name": "email_verified", "Value": "true"}])
    cognito.admin_set_user_password(UserPoolId=local.user_pool_id, Username=email, Password=password,
                                    Permanent=True)
    attributes = cognito.admin_get_user(UserPoolId=local.user_pool_id, Username=email)["UserAttributes"]
    sub = next(a["Value"] for a in attributes if a["Name"] == "sub")
    if role is not Role.DISABLED:
        cognito.admin_add_user_to_group(UserPoolId=local.user_pool_id, Username=email, GroupName=role.value)
    user = User(id=sub, email=email, display_name=display_name, role=role, team_ids=team_ids)
    # Through the user store, so the seats they take are counted and the teams list them.
    return UserStore().create(user)


@dataclass(frozen=True)
class DemoAccount:
    """One demo channel account: what we store (account item and credentials secret) and what
    else its provider knows of it (for the simulator)."""

    account: ChannelAccount
    credentials: dict[str, str]
    details: dict[str, str]


def _meta_secrets() -> dict[str, str]:
    return {"app_secret": secrets.token_hex(16), "access_token": "EAAG" + secrets.token_urlsafe(24),
            "verify_token": secrets.token_urlsafe(12)}


def demo_accounts(*, simulator_url: str, moto_url: str, webhook_base_url: str,
                  media_bucket: str) -> list[DemoAccount]:
    """One account per channel, each with its API on the channel simulator (email: SES on moto,
    with the simulator standing in for SNS's certificate host)."""

    def account(account_id: str, channel: Channel, name: str, provider_id: str, api_base_url: str) -> ChannelAccount:
        return ChannelAccount(id=account_id, channel=channel, name=name, provider_account_id=provider_id,
                              api_base_url=api_base_url, team_id=DEFAULT_TEAM.id, enabled=True)

    graph = f"{simulator_url}/graph"
    bot_id = "7000000001"
    return [
        DemoAccount(account("wa-demo", Channel.WHATSAPP, "WhatsApp 15550001111", "1065400000", graph),
                    {**_meta_secrets(), "business_account_id": "102965400000"},
                    {"display_phone_number": "15550001111", "waba_id": "102965400000"}),
        DemoAccount(account("fb-demo", Channel.MESSENGER, "Messenger demo page", "110200000000001", graph),
                    _meta_secrets(), {}),
        DemoAccount(account("ig-demo", Channel.INSTAGRAM, "Instagram @demo", "17841400000000001", graph),
                    _meta_secrets(), {}),
        DemoAccount(account("tg-demo", Channel.TELEGRAM, "Telegram demo bot", bot_id, f"{simulator_url}/telegram"),
                    {"bot_token": f"{bot_id}:AA{secrets.token_urlsafe(24)}", "secret_token": secrets.token_urlsafe(24)},
                    {}),
        DemoAccount(account("sms-demo", Channel.SMS, "SMS +14155550123", "+14155550123", f"{simulator_url}/twilio"),
                    {"account_sid": "AC" + secrets.token_hex(16), "auth_token": secrets.token_hex(16),
                     "status_callback_url": f"{webhook_base_url}/sms/sms-demo"}, {}),
        DemoAccount(account("viber-demo", Channel.VIBER, "Viber demo bot", "pa:opencontactdemo",
                            f"{simulator_url}/viber"),
                    {"auth_token": "-".join(secrets.token_hex(8) for _ in range(3)), "sender_name": "Open Contact"},
                    {}),
        # Attachments are read from the bucket on moto through signed URLs: moto is the API host.
        DemoAccount(account("mail-demo", Channel.EMAIL, "Email support@opencontact.example",
                            "support@opencontact.example", moto_url),
                    {"topic_arn": "arn:aws:sns:us-east-1:123456789012:open-contact-mail-demo",
                     "sns_local_host": urlsplit(simulator_url).netloc, "from_name": "Open Contact Support"},
                    {"bucket": media_bucket}),
    ]


def seed_demo(local: LocalResources, *, simulator_url: str,
              webhook_base_url: str) -> tuple[list[User], list[DemoAccount]]:
    TeamStore().put(DEFAULT_TEAM)
    users = [create_user(local, u.email, u.display_name, u.role, (DEFAULT_TEAM.id,), DEMO_PASSWORD)
             for u in DEMO_USERS]
    accounts = demo_accounts(simulator_url=simulator_url, moto_url=local.endpoint_url,
                             webhook_base_url=webhook_base_url, media_bucket=local.media_bucket)
    for demo in accounts:
        create_channel_account(local, demo.account, demo.credentials)
    return users, accounts


def create_channel_account(local: LocalResources, account: ChannelAccount,
                           secret: Mapping[str, str]) -> ChannelAccount:
    """Any channel's account with its credentials secret (tests and demos of the other channels).
    An email account's address is verified in SES, so replies can be sent from it."""
    ChannelAccountStore().put(account)
    boto3.client("secretsmanager", endpoint_url=local.endpoint_url, region_name=local.region).create_secret(
        Name=secret_name(local.app_name, account.channel.value, account.id), SecretString=json.dumps(dict(secret)))
    if account.channel is Channel.EMAIL:
        boto3.client("sesv2", endpoint_url=local.endpoint_url, region_name=local.region).create_email_identity(
            EmailIdentity=account.provider_account_id)
    return account


# Secret keys that name this run's URLs (they change with the ports), refreshed on a restart.
_URL_CREDENTIALS = ("status_callback_url", "sns_local_host")


def rewire_demo_accounts(local: LocalResources, *, simulator_url: str,
                         webhook_base_url: str) -> list[DemoAccount]:
    """After a restore: the demo accounts as stored (their credentials, team and name kept),
    pointed at this run's simulator and webhook URLs; a demo account no longer stored is made
    anew."""
    accounts = ChannelAccountStore()
    client = boto3.client("secretsmanager", endpoint_url=local.endpoint_url, region_name=local.region)
    rewired = []
    for demo in demo_accounts(simulator_url=simulator_url, moto_url=local.endpoint_url,
                              webhook_base_url=webhook_base_url, media_bucket=local.media_bucket):
        stored = accounts.get(demo.account.id)
        name = secret_name(local.app_name, demo.account.channel.value, demo.account.id)
        if stored is None:
            create_channel_account(local, demo.account, demo.credentials)
            rewired.append(demo)
            continue
        credentials = json.loads(client.get_secret_value(SecretId=name)["SecretString"])
        credentials.update({key: demo.credentials[key] for key in _URL_CREDENTIALS if key in demo.credentials})
        client.put_secret_value(SecretId=name, SecretString=json.dumps(credentials))
        account = stored.model_copy(update={"api_base_url": demo.account.api_base_url})
        accounts.put(account)
        rewired.append(DemoAccount(account, credentials, demo.details))
    return rewired


def stored_demo_users(local: LocalResources) -> list[User]:
    """The demo users still in the user pool (after a restore), as the start-up summary lists them."""
    cognito = boto3.client("cognito-idp", endpoint_url=local.endpoint_url, region_name=local.region)
    users = []
    for demo in DEMO_USERS:
        try:
            attributes = cognito.admin_get_user(UserPoolId=local.user_pool_id, Username=demo.email)["UserAttributes"]
        except cognito.exceptions.UserNotFoundException:
            continue
        sub = next(a["Value"] for a in attributes if a["Name"] == "sub")
        users.append(User(id=sub, email=demo.email, display_name=demo.display_name, role=demo.role,
                          team_ids=(DEFAULT_TEAM.id,)))
    return users
