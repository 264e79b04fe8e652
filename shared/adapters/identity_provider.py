"""The identity provider port: user accounts and role groups in the Cognito user pool.

Roles live in DynamoDB (read on every request, so they apply at once); the pool's groups
mirror them so tokens carry ``cognito:groups`` too, and a disabled user is disabled in the
pool so they cannot sign in again. The administration use cases call this port after the
DynamoDB change; calling it again with the same role repairs a sync that failed half-way.
"""

from __future__ import annotations

from typing import Protocol

from botocore.exceptions import ClientError
from chalicelib.core.settings import Settings
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.models import Role

from .auth import cognito_client

GROUP_ROLES = tuple(role for role in Role if role is not Role.DISABLED)


class IdentityProvider(Protocol):
    def create_user(self, email: str, display_name: str) -> str:
        """Create (and invite) the account; returns its stable user id (the ``sub``)."""

    def delete_user(self, email: str) -> None:
        """Undo ``create_user`` when storing the user failed."""

    def apply_role(self, email: str, role: Role) -> None:
        """Make the account's groups and enabled state match ``role``."""

    def resend_invitation(self, email: str) -> None:
        """A new temporary password and invitation mail for a user who has not signed in yet."""

    def reset_mfa(self, email: str) -> None:
        """Turn the user's authenticator (TOTP) off; they enrol again at the next sign-in."""


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class CognitoIdentityProvider:
    def __init__(self, settings: Settings) -> None:
        self._pool_id = settings.user_pool_id

    def create_user(self, email: str, display_name: str) -> str:
        client = cognito_client()
        try:
            response = client.admin_create_user(
                UserPoolId=self._pool_id, Username=email, DesiredDeliveryMediums=["EMAIL"],
                UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"},
                                {"Name": "name", "Value": display_name}])
        except ClientError as error:
            if _code(error) == "UsernameExistsException":
                raise Conflict(f"a user with email {email} exists already", field="email") from error
            if _code(error) == "InvalidParameterException":
                raise InvalidInput(f"the identity provider refused the user: {error}", field="email") from error
            raise
        attributes = response["User"].get("Attributes") or \
            client.admin_get_user(UserPoolId=self._pool_id, Username=email)["UserAttributes"]
        return next(a["Value"] for a in attributes if a["Name"] == "sub")

    def delete_user(self, email: str) -> None:
        try:
            cognito_client().admin_delete_user(UserPoolId=self._pool_id, Username=email)
        except ClientError as error:
            if _code(error) != "UserNotFoundException":
                raise

    def apply_role(self, email: str, role: Role) -> None:
        client = cognito_client()
        for group in GROUP_ROLES:
            if group is not role:
                client.admin_remove_user_from_group(UserPoolId=self._pool_id, Username=email, GroupName=group.value)
        if role is Role.DISABLED:
            client.admin_disable_user(UserPoolId=self._pool_id, Username=email)
            # Refresh tokens stop working; ID tokens already issued are refused by our own
            # per-request check of the role (domain/identity.py).
            client.admin_user_global_sign_out(UserPoolId=self._pool_id, Username=email)
            return
        client.admin_enable_user(UserPoolId=self._pool_id, Username=email)
        client.admin_add_user_to_group(UserPoolId=self._pool_id, Username=email, GroupName=role.value)

    def resend_invitation(self, email: str) -> None:
        try:
            cognito_client().admin_create_user(UserPoolId=self._pool_id, Username=email, MessageAction="RESEND",
                                               DesiredDeliveryMediums=["EMAIL"])
        except ClientError as error:
            if _code(error) == "UnsupportedUserStateException":
                raise Conflict(f"{email} has signed in already: there is no invitation to send again; "
                               "a user who forgot the password resets it from the sign-in page",
                               field="user_id") from error
            raise

    def reset_mfa(self, email: str) -> None:
        cognito_client().admin_set_user_mfa_preference(
            UserPoolId=self._pool_id, Username=email,
            SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False})
