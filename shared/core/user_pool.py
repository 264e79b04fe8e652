"""What the user pool says and demands of people, in one place for the CDK stack
(``infra/constructs/identity.py``) and the local runtime (``local/provision.py``): the password
policy, how long an invitation lasts, how long tokens live, and the mail Cognito sends (the
invitation and the password reset code). Cognito fills ``{username}`` and ``{####}`` itself."""

from __future__ import annotations

MIN_PASSWORD_LENGTH = 12
# Days an invitation's temporary password stays valid; after that an administrator resends it.
TEMPORARY_PASSWORD_VALIDITY_DAYS = 3
PASSWORD_RULE = (f"at least {MIN_PASSWORD_LENGTH} characters with an upper-case letter, a lower-case letter, "
                 "a digit and a symbol")
# Each kind of character a password must have (all four).
REQUIRE_UPPERCASE = REQUIRE_LOWERCASE = REQUIRE_NUMBERS = REQUIRE_SYMBOLS = True
# As CreateUserPool takes it (Policies.PasswordPolicy).
PASSWORD_POLICY = {"MinimumLength": MIN_PASSWORD_LENGTH, "RequireUppercase": REQUIRE_UPPERCASE,
                   "RequireLowercase": REQUIRE_LOWERCASE, "RequireNumbers": REQUIRE_NUMBERS,
                   "RequireSymbols": REQUIRE_SYMBOLS, "TemporaryPasswordValidityDays": TEMPORARY_PASSWORD_VALIDITY_DAYS}

# The web client's tokens: an hour for the ID and access tokens (the web app renews them silently
# with the refresh token, which lives 30 days).
ID_TOKEN_HOURS = 1
ACCESS_TOKEN_HOURS = 1
REFRESH_TOKEN_DAYS = 30

INVITE_SUBJECT = "You are invited to Open Contact"


def invite_message(web_url: str | None) -> str:
    """The invitation mail's HTML body (Cognito sends the invitation as HTML). Without the web app's
    address (a stack deployed without the ``web_url`` context value: its CloudFront address is only
    known once deployed), the mail says the administrator gives it."""
    where = (f"<p>Sign in at <a href=\"{web_url}\">{web_url}</a> with</p>" if web_url else
             "<p>Your administrator gives you the address of the web app. Sign in there with</p>")
    return (f"<p>You have been invited to answer customers in Open Contact.</p>{where}"
            f"<p>Email: {{username}}</p><p>Temporary password: <b>{{####}}</b></p>"
            f"<p>You will choose your own password at the first sign-in. The temporary password is valid "
            f"for {TEMPORARY_PASSWORD_VALIDITY_DAYS} days; after that, ask your administrator to send the "
            f"invitation again.</p>")


RESET_SUBJECT = "Your Open Contact password reset code"
RESET_MESSAGE = ("<p>Use this code to choose a new Open Contact password:</p><p>Code: <b>{####}</b></p>"
                 "<p>It is valid for one hour. If you did not ask for it, you can ignore this mail.</p>")
