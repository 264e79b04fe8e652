"""The Cognito user pool of agents and administrators, its groups and the web app's client.

What the pool demands and says (password policy, invitation validity, token lifetimes, the
invitation and reset-code mail) comes from ``shared/core/user_pool.py``, which the local runtime's
pool is made from too (``local/provision.py``)."""

from __future__ import annotations

from collections.abc import Iterable

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from chalicelib.core import user_pool as pool_rules
from constructs import Construct

from .nag import acknowledge
from .naming import pascal


class Identity(Construct):
    """``groups`` is keyed by group name."""

    def __init__(self, scope: Construct, construct_id: str, *, app_name: str,
                 group_names: Iterable[str], sender_email: str | None = None, web_url: str | None = None) -> None:
        """``sender_email``: the address invitations and password resets come from, through SES
        (its domain a verified SES identity in the stack's region). Without it Cognito's own sender
        is used, which allows 50 emails a day: enough to try, not to invite a team.

        ``web_url``: the web app's address the invitation mail links to (the ``web_url`` context
        value, e.g. a custom domain). It cannot be the stack's own CloudFront address: the
        distribution fronts the REST API, whose functions take the pool's id, so the pool naming the
        distribution would be a dependency cycle. Without it the mail says the administrator gives
        the address."""
        super().__init__(scope, construct_id)
        # The SES identity is the one of the stack's own region (docs/deploy.md, "Email").
        email = (cognito.UserPoolEmail.with_ses(from_email=sender_email, from_name=app_name, ses_region=Aws.REGION,
                                                ses_verified_domain=sender_email.rsplit("@", 1)[1])
                 if sender_email else None)
        self.user_pool = cognito.UserPool(
            self, "UserPool",
            user_pool_name=f"{app_name}-users",
            # Administrators create users through the admin API; nobody signs up alone.
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)),
            password_policy=cognito.PasswordPolicy(
                min_length=pool_rules.MIN_PASSWORD_LENGTH, require_lowercase=pool_rules.REQUIRE_LOWERCASE,
                require_uppercase=pool_rules.REQUIRE_UPPERCASE, require_digits=pool_rules.REQUIRE_NUMBERS,
                require_symbols=pool_rules.REQUIRE_SYMBOLS,
                temp_password_validity=Duration.days(pool_rules.TEMPORARY_PASSWORD_VALIDITY_DAYS)),
            user_invitation=cognito.UserInvitationConfig(
                email_subject=pool_rules.INVITE_SUBJECT, email_body=pool_rules.invite_message(web_url)),
            user_verification=cognito.UserVerificationConfig(
                email_subject=pool_rules.RESET_SUBJECT, email_body=pool_rules.RESET_MESSAGE,
                email_style=cognito.VerificationEmailStyle.CODE),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            feature_plan=cognito.FeaturePlan.ESSENTIALS,
            # Time-based one-time passwords, which each user may set up; an administrator enforces
            # them per user (AdminSetUserMFAPreference). SMS is left out: it costs per message and
            # is the weaker factor.
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            email=email,
            # Staff identities: neither a stack update that replaces the pool nor a slip in the
            # console deletes them.
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(self.user_pool, "COG2",
                    "MFA (TOTP) is optional for the pool so that it can be enforced per user by an administrator "
                    "while users set it up; users are created by administrators only (no self sign-up).")
        plus_reason = ("Threat protection (advanced security) needs the Cognito Plus feature plan, billed per "
                       "monthly active user; the pool is a small, administrator-managed staff directory.")
        acknowledge(self.user_pool, "COG3", plus_reason)
        acknowledge(self.user_pool, "COG8", plus_reason)
        self.groups: dict[str, cognito.UserPoolGroup] = {
            name: cognito.UserPoolGroup(self, f"{pascal(name)}Group", user_pool=self.user_pool,
                                        group_name=name, description=f"Contact inbox {name}s")
            for name in group_names
        }
        self.client = self.user_pool.add_client(
            "WebClient",
            user_pool_client_name=f"{app_name}-web",
            # USER_PASSWORD_AUTH through the API's /auth/login; CDK always adds refresh-token auth.
            auth_flows=cognito.AuthFlow(user_password=True),
            generate_secret=False,
            disable_o_auth=True,
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=Duration.hours(pool_rules.ID_TOKEN_HOURS),
            access_token_validity=Duration.hours(pool_rules.ACCESS_TOKEN_HOURS),
            refresh_token_validity=Duration.days(pool_rules.REFRESH_TOKEN_DAYS),
        )
