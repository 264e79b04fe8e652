"""Where channel account credentials live.

The admin API creates one Secrets Manager secret per channel account at runtime, named by
``resources.secret_name`` (``{app_name}/channels/{channel}/{account}``); the stack creates none.
This construct names the prefix and grants access to the secrets under it.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from chalicelib.core import resources
from constructs import Construct

from .nag import acknowledge

READ_ACTIONS = ("secretsmanager:GetSecretValue",)
# The admin API adds accounts (a new secret) and rotates their credentials (a new version).
WRITE_ACTIONS = ("secretsmanager:CreateSecret", "secretsmanager:PutSecretValue")


class ChannelCredentials(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, app_name: str) -> None:
        super().__init__(scope, construct_id)
        # secret_name(app, "", "") is "<app>/channels//": keep everything up to the channel.
        self.name_prefix = resources.secret_name(app_name, "", "").rstrip("/") + "/"
        # Secret ARNs end in a random suffix, so the pattern ends in a wildcard.
        self.arn_pattern = Stack.of(self).format_arn(
            service="secretsmanager", resource="secret", resource_name=f"{self.name_prefix}*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME)

        self.nag_finding = ("Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:"
                            f"secret:{self.name_prefix}*")

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Read access to every channel secret, acknowledged on ``grantee`` (a role)."""
        grant = iam.Grant.add_to_principal(grantee=grantee, actions=list(READ_ACTIONS),
                                           resource_arns=[self.arn_pattern])
        if isinstance(grantee, Construct):
            acknowledge(grantee, "IAM5",
                        "Channel secrets are created at runtime by the admin API, one per channel account, "
                        f"so they are known only by their name prefix {self.name_prefix}.", self.nag_finding)
        return grant

    def grant_write(self, grantee: iam.IGrantable) -> iam.Grant:
        """Creating and rotating channel secrets, for the administration API."""
        grant = iam.Grant.add_to_principal(grantee=grantee, actions=list(WRITE_ACTIONS),
                                           resource_arns=[self.arn_pattern])
        if isinstance(grantee, Construct):
            acknowledge(grantee, "IAM5",
                        "The admin API creates one secret per channel account it adds, under the name prefix "
                        f"{self.name_prefix}.", self.nag_finding)
        return grant
