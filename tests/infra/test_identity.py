"""The user pool of agents and administrators, its groups and the web client."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match, Template
from chalicelib.domain.models import Role

from infra.constructs.channel_credentials import ChannelCredentials
from infra.constructs.identity import Identity
from infra.stack import USER_GROUPS
from tests.infra.conftest import Synthesized, empty_stack, join

pytestmark = pytest.mark.infra


def test_identity_construct_alone() -> None:
    # Given the identity construct in an empty stack
    stack = empty_stack()
    Identity(stack, "Identity", app_name="unit", group_names=USER_GROUPS)

    # When
    template = Template.from_stack(stack)

    # Then users sign in by email, cannot sign up alone and need strong passwords
    template.has_resource_properties("AWS::Cognito::UserPool", {
        "UserPoolName": "unit-users",
        "UsernameAttributes": ["email"],
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
        "Policies": {"PasswordPolicy": Match.object_like({
            "MinimumLength": 12, "RequireLowercase": True, "RequireUppercase": True,
            "RequireNumbers": True, "RequireSymbols": True})},
    })
    # And the web client signs in with a password and refreshes, without a secret or OAuth
    template.has_resource_properties("AWS::Cognito::UserPoolClient", {
        "ExplicitAuthFlows": Match.array_equals(["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]),
        "GenerateSecret": False,
        "AllowedOAuthFlows": Match.absent(),
    })
    # And there is one group per role that signs in
    for role in USER_GROUPS:
        template.has_resource_properties("AWS::Cognito::UserPoolGroup", {"GroupName": role})
    template.resource_count_is("AWS::Cognito::UserPoolGroup", len(USER_GROUPS))


def test_groups_are_the_signing_in_roles() -> None:
    assert set(USER_GROUPS) == {Role.ADMINISTRATOR.value, Role.AGENT.value, Role.WATCHER.value,
                                Role.SUPERVISOR.value}


def test_channel_credentials_prefix_and_arn() -> None:
    # Given the credentials construct in an empty stack
    stack = empty_stack()
    credentials = ChannelCredentials(stack, "Credentials", app_name="unit")

    # Then its prefix is the one resources.secret_name uses, and the ARN pattern covers it
    assert credentials.name_prefix == "unit/channels/"
    assert stack.resolve(credentials.arn_pattern) == {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":secretsmanager:", {"Ref": "AWS::Region"}, ":",
        {"Ref": "AWS::AccountId"}, ":secret:unit/channels/*"]]}


def test_staff_may_use_one_time_passwords_and_invitations_go_through_ses() -> None:
    # Given the identity construct with a sender address
    stack = empty_stack()
    Identity(stack, "Identity", app_name="unit", group_names=USER_GROUPS, sender_email="no-reply@acme.example")
    (pool,) = Template.from_stack(stack).find_resources("AWS::Cognito::UserPool").values()
    properties = pool["Properties"]

    # Then TOTP is on offer (and can be enforced per user), SMS is not
    assert properties["MfaConfiguration"] == "OPTIONAL"
    assert properties["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    # And Cognito's email goes through SES from the verified domain, not Cognito's 50-a-day sender
    email = properties["EmailConfiguration"]
    assert email["EmailSendingAccount"] == "DEVELOPER"
    assert email["From"] == "unit <no-reply@acme.example>"
    assert "identity/acme.example" in join(email["SourceArn"])


def test_user_pool_is_retained_and_protected(synthesized: Synthesized) -> None:
    (pool,) = synthesized.of_type("AWS::Cognito::UserPool").values()
    assert pool["DeletionPolicy"] == "Retain"
    assert pool["Properties"]["DeletionProtection"] == "ACTIVE"
    assert join(pool["Properties"]["UserPoolName"]) == f"{synthesized.app_name}-users"


def test_the_pool_says_and_demands_what_shared_user_pool_says() -> None:
    from chalicelib.core import user_pool

    # Given the identity construct with the web app's address (the web_url context value)
    stack = empty_stack()
    Identity(stack, "Identity", app_name="unit", group_names=USER_GROUPS, web_url="https://inbox.acme.example")
    template = Template.from_stack(stack)
    (pool,) = template.find_resources("AWS::Cognito::UserPool").values()
    properties = pool["Properties"]

    # Then the password policy and the invitation's validity are the shared ones, as the local pool's
    assert properties["Policies"]["PasswordPolicy"] == user_pool.PASSWORD_POLICY
    # And the invitation mail links to the web app, the reset mail carries the code
    invitation = properties["AdminCreateUserConfig"]["InviteMessageTemplate"]
    assert invitation["EmailSubject"] == user_pool.INVITE_SUBJECT
    assert invitation["EmailMessage"] == user_pool.invite_message("https://inbox.acme.example")
    assert 'href="https://inbox.acme.example"' in invitation["EmailMessage"]
    verification = properties["VerificationMessageTemplate"]
    assert verification["DefaultEmailOption"] == "CONFIRM_WITH_CODE"
    assert (verification["EmailSubject"], verification["EmailMessage"]) == (user_pool.RESET_SUBJECT,
                                                                              user_pool.RESET_MESSAGE)
    # And the web client's tokens live as long as locally
    template.has_resource_properties("AWS::Cognito::UserPoolClient", {
        "IdTokenValidity": user_pool.ID_TOKEN_HOURS * 60, "AccessTokenValidity": user_pool.ACCESS_TOKEN_HOURS * 60,
        "RefreshTokenValidity": user_pool.REFRESH_TOKEN_DAYS * 24 * 60})


def test_without_the_web_apps_address_the_invitation_says_who_gives_it(synthesized: Synthesized) -> None:
    # Given the whole stack synthesized without web_url (no cycle: the pool names no stack resource)
    (pool,) = synthesized.of_type("AWS::Cognito::UserPool").values()
    message = pool["Properties"]["AdminCreateUserConfig"]["InviteMessageTemplate"]["EmailMessage"]

    # Then the mail tells the invited user where the address comes from, with the user name and the code
    assert "administrator gives you the address" in message
    assert "{username}" in message
    assert "{####}" in message
