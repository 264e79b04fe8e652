"""The demo organisation the local runtime starts with: one default team, an administrator,
two agents, and one WhatsApp account wired to the channel simulator."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

import boto3
from chalicelib.domain.models import Channel, ChannelAccount, Role, Team, User
from chalicelib.resources import secret_name
from chalicelib.storage.repository import ContactRepository
from chalicelib.storage.users import UserStore

from .provision import LocalResources

DEFAULT_TEAM = Team(id="default", name="Support")
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


@dataclass(frozen=True)
class DemoWhatsApp:
    account_id: str
    phone_number_id: str
    display_phone_number: str
    waba_id: str
    app_secret: str
    access_token: str
    verify_token: str


def create_user(local: LocalResources, repository: ContactRepository, email: str, display_name: str,
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


def create_whatsapp_account(local: LocalResources, repository: ContactRepository, *, account_id: str,
                            phone_number_id: str, display_phone_number: str, api_base_url: str,
                            team_id: str) -> DemoWhatsApp:
    account = DemoWhatsApp(
        account_id=account_id, phone_number_id=phone_number_id, display_phone_number=display_phone_number,
        waba_id="1029" + phone_number_id[-8:], app_secret=secrets.token_hex(16),
        access_token="EAAG" + secrets.token_urlsafe(24), verify_token=secrets.token_urlsafe(12),
    )
    repository.put_channel_account(ChannelAccount(
        id=account_id, channel=Channel.WHATSAPP, name=f"WhatsApp {display_phone_number}",
        provider_account_id=phone_number_id, api_base_url=api_base_url, team_id=team_id, enabled=True))
    boto3.client("secretsmanager", endpoint_url=local.endpoint_url, region_name=local.region).create_secret(
        Name=secret_name(local.app_name, Channel.WHATSAPP.value, account_id),
        SecretString=json.dumps({"app_secret": account.app_secret, "access_token": account.access_token,
                                 "verify_token": account.verify_token}))
    return account


def seed_demo(local: LocalResources, *, simulator_graph_url: str) -> tuple[list[User], DemoWhatsApp]:
    repository = ContactRepository()
    repository.put_team(DEFAULT_TEAM)
    users = [create_user(local, repository, u.email, u.display_name, u.role, (DEFAULT_TEAM.id,), DEMO_PASSWORD)
             for u in DEMO_USERS]
    whatsapp = create_whatsapp_account(local, repository, account_id="wa-demo", phone_number_id="1065400000",
                                       display_phone_number="15550001111", api_base_url=simulator_graph_url,
                                       team_id=DEFAULT_TEAM.id)
    return users, whatsapp


def create_channel_account(local: LocalResources, repository: ContactRepository, account: ChannelAccount,
                           secret: Mapping[str, str]) -> ChannelAccount:
    """Any channel's account with its credentials secret (tests and demos of the other channels).
    An email account's address is verified in SES, so replies can be sent from it."""
    repository.put_channel_account(account)
    boto3.client("secretsmanager", endpoint_url=local.endpoint_url, region_name=local.region).create_secret(
        Name=secret_name(local.app_name, account.channel.value, account.id), SecretString=json.dumps(dict(secret)))
    if account.channel is Channel.EMAIL:
        boto3.client("sesv2", endpoint_url=local.endpoint_url, region_name=local.region).create_email_identity(
            EmailIdentity=account.provider_account_id)
    return account
