"""What the user pool says and demands of people, in one place for the CDK stack and the local
runtime: the password policy, how long an invitation lasts, and the mail Cognito sends (the
invitation and the password reset code). Cognito fills ``{username}`` and ``{####}`` itself."""

from __future__ import annotations

MIN_PASSWORD_LENGTH = 12
# Days an invitation's temporary password stays valid; after that an administrator resends it.
TEMPORARY_PASSWORD_VALIDITY_DAYS = 3
PASSWORD_RULE = (f"at least {MIN_PASSWORD_LENGTH} characters with an upper-case letter, a lower-case letter, "
                 "a digit and a symbol")
# As CreateUserPool takes it (Policies.PasswordPolicy).
PASSWORD_POLICY = {"MinimumLength": MIN_PASSWORD_LENGTH, "RequireUppercase": True, "RequireLowercase": True,
                   "RequireNumbers": True, "RequireSymbols": True,
                   "TemporaryPasswordValidityDays": TEMPORARY_PASSWORD_VALIDITY_DAYS}

INVITE_SUBJECT = "You are invited to Open Contact"


def invite_message(web_url: str) -> str:
    """The invitation mail's HTML body (Cognito sends the invitation as HTML)."""
    return (f"<p>You have been invited to answer customers in Open Contact.</p>"
            f"<p>Sign in at <a href=\"{web_url}\">{web_url}</a> with</p>"
            f"<p>Email: {{username}}</p><p>Temporary password: <b>{{####}}</b></p>"
            f"<p>You will choose your own password at the first sign-in. The temporary password is valid "
            f"for {TEMPORARY_PASSWORD_VALIDITY_DAYS} days; after that, ask your administrator to send the "
            f"invitation again.</p>")


RESET_SUBJECT = "Your Open Contact password reset code"
RESET_MESSAGE = ("<p>Use this code to choose a new Open Contact password:</p><p>Code: <b>{####}</b></p>"
                 "<p>It is valid for one hour. If you did not ask for it, you can ignore this mail.</p>")
