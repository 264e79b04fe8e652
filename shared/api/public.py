"""What anybody may call: the health check, signing in (with its challenges), the session's
renewal and end, and forgotten passwords.

The session's refresh token lives in an HttpOnly, Secure, SameSite=Strict cookie scoped to
/api/auth/session (the web app reaches the API at /api on its own origin, through CloudFront in
AWS and the local server here): page scripts cannot read it, other sites cannot make the browser
send it, and no other route receives it. The ID and access tokens travel in the answer's body
and live in the page's memory. Throttling: domain/sign_in_throttle.py.
"""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

from chalice import Response  # type: ignore[attr-defined]
from chalicelib import wiring
from chalicelib.api.kit import (
    PUBLIC,
    RouteBlueprint,
    json_answer,
    no_content,
    parse_body,
    request,
)
from chalicelib.api.schemas.accounts import (
    ChallengeInput,
    ForgotPasswordInput,
    ResetPasswordInput,
    ResetRequestedOut,
    SignInOut,
)
from chalicelib.api.schemas.inputs import SignInInput
from chalicelib.domain import errors
from chalicelib.domain.accounts import SignInStep, Tokens

blueprint = RouteBlueprint(__name__)
documented = blueprint.documented

SESSION_COOKIE = "oc_session"
SESSION_COOKIE_PATH = "/api/auth/session"
SESSION_COOKIE_SECONDS = 30 * 86400  # the app client's refresh token validity


def _session_cookie(value: str, max_age: int) -> str:
    return (f"{SESSION_COOKIE}={value}; Path={SESSION_COOKIE_PATH}; Max-Age={max_age}; HttpOnly; Secure; "
            "SameSite=Strict")


def _refresh_token() -> str | None:
    cookies: SimpleCookie = SimpleCookie()
    try:
        cookies.load(request().headers.get("cookie") or "")
    except CookieError:  # a malformed Cookie header is no session
        return None
    morsel = cookies.get(SESSION_COOKIE)
    return morsel.value if morsel is not None and morsel.value else None


def _source() -> str:
    identity = (request().context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def _signed_in(step: SignInStep) -> Response:
    """The next sign-in step; with tokens, the session cookie is set too."""
    answer = json_answer(SignInOut.of(step))
    answer.headers["Cache-Control"] = "no-store"
    if isinstance(step, Tokens) and step.refresh_token:
        answer.headers["Set-Cookie"] = _session_cookie(step.refresh_token, SESSION_COOKIE_SECONDS)
    return answer


@blueprint.undocumented("/health", "GET")
def health() -> Response:
    return Response(body={"status": "ok"}, status_code=200)


@documented("/auth/login", "POST", "Sign in: the session (id_token as the Bearer token, access_token, the refresh "
            "token as an HttpOnly cookie) or the next step (challenge, session); 429 with Retry-After when "
            "throttled", access=PUBLIC, body=SignInInput, response=SignInOut)
def login() -> Response:
    credentials = parse_body(SignInInput)
    return _signed_in(wiring.accounts().sign_in(credentials.email, credentials.password, _source()))


@documented("/auth/challenge", "POST", "Answer a sign-in challenge: a new password (invited user, 400 weak_password, "
            "401 invitation_expired) or the authenticator code", access=PUBLIC, body=ChallengeInput,
            response=SignInOut)
def answer_challenge() -> Response:
    body = parse_body(ChallengeInput)
    answer = body.answer()
    if answer is None:
        field = "new_password" if body.challenge == "NEW_PASSWORD_REQUIRED" else "code"
        raise errors.InvalidInput(f"{field} is required to answer {body.challenge}", field=field)
    return _signed_in(wiring.accounts().answer(body.challenge, body.email, body.session, answer, _source()))


@documented("/auth/session", "POST", "Renew the session from its cookie: new id and access tokens (401 when "
            "signed out or revoked)", access=PUBLIC, response=SignInOut)
def renew_session() -> Response:
    refresh_token = _refresh_token()
    if refresh_token is None:
        raise errors.Unauthenticated("not signed in in this browser")
    try:
        tokens = wiring.accounts().renew(refresh_token)
    except errors.Unauthenticated:
        return Response(body={"error": {"code": "unauthenticated", "message": "the session has ended: sign in again"}},
                        status_code=401, headers={"Content-Type": "application/json",
                                                  "Set-Cookie": _session_cookie("", 0)})
    return _signed_in(tokens)


@documented("/auth/session", "DELETE", "Sign out: revoke the session's refresh token and clear its cookie",
            access=PUBLIC, status=204)
def end_session() -> Response:
    refresh_token = _refresh_token()
    if refresh_token is not None:
        wiring.accounts().sign_out(refresh_token)
    return Response(body="", status_code=204, headers={"Set-Cookie": _session_cookie("", 0)})


@documented("/auth/forgot-password", "POST", "Mail a code to choose a new password (the same answer whether or "
            "not the address has an account)", access=PUBLIC, body=ForgotPasswordInput, response=ResetRequestedOut,
            status=202)
def forgot_password() -> Response:
    wiring.accounts().forgot_password(parse_body(ForgotPasswordInput).email)
    return json_answer(ResetRequestedOut(message="if the address has an account, a code is on its way"), status=202)


@documented("/auth/reset-password", "POST", "Choose a new password with the mailed code (400 wrong_code, "
            "code_expired, weak_password)", access=PUBLIC, body=ResetPasswordInput, status=204)
def reset_password() -> Response:
    body = parse_body(ResetPasswordInput)
    wiring.accounts().reset_password(body.email, body.code, body.new_password, _source())
    return no_content()
