"""Accounts on the local runtime, step by step: an invitation to the first sign-in (with a weak
password refused and an expired invitation sent again), forgotten and changed passwords, the
session's renewal from its cookie and its end, and the per-request check of a disabled user."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from moto.cognitoidp.models import cognitoidp_backends
from moto.core.models import DEFAULT_ACCOUNT_ID

from local.runtime import LocalRuntime
from tests.accounts_support import NEW_PASSWORD, reset_code, temporary_password, wait_for_mail
from tests.integration.admin_helpers import USER_PASSWORD, call, new_user, ok, unique
from tests.support import HTTP_TIMEOUT, login

COOKIE = "oc_session"


def post(api: str, path: str, body: Any, **headers: str) -> requests.Response:
    return requests.post(f"{api}{path}", json=body, headers=headers, timeout=HTTP_TIMEOUT)


def simulator(runtime: LocalRuntime) -> str:
    assert runtime.info is not None
    return runtime.info.simulator_url


def invite(api: str, admin: dict[str, str]) -> tuple[dict[str, Any], str]:
    email = f"{unique('invited')}@example.com"
    # a watcher: no seat taken from the suites after this one
    body = {"email": email, "display_name": "Invited Watcher", "role": "watcher"}
    user = ok(call("POST", f"{api}/users", admin, body), 201)
    return user, email


def moto_user(runtime: LocalRuntime, email: str) -> Any:
    assert runtime.resources is not None
    pool = cognitoidp_backends[DEFAULT_ACCOUNT_ID][runtime.config.region].user_pools[runtime.resources.user_pool_id]
    return pool._get_user(email)


@pytest.fixture(scope="module")
def admin(api: str, demo: dict[str, Any]) -> dict[str, str]:
    return login(api, "admin@example.com", demo["password"])


def test_invited_user_chooses_a_password_at_the_first_sign_in(runtime: LocalRuntime, api: str,
                                                              admin: dict[str, str]) -> None:
    # Given: an administrator invites a user; the invitation mail names the web app and a temporary password
    user, email = invite(api, admin)
    mail = wait_for_mail(simulator(runtime), email, "invited")
    assert runtime.info is not None
    assert runtime.info.web_url in mail["text"]
    temporary = temporary_password(mail)

    # When: they sign in with it, Cognito asks for a new password
    step = ok(post(api, "/auth/login", {"email": email, "password": temporary}))
    assert step["challenge"] == "NEW_PASSWORD_REQUIRED"
    assert step["id_token"] is None

    # Then: a weak password is refused with the policy in words, and the session still answers
    weak = post(api, "/auth/challenge", {"challenge": "NEW_PASSWORD_REQUIRED", "email": email,
                                         "session": step["session"], "new_password": "short"})
    assert weak.status_code == 400
    assert weak.json()["error"]["code"] == "weak_password"
    assert "12 characters" in weak.json()["error"]["message"]
    done = post(api, "/auth/challenge", {"challenge": "NEW_PASSWORD_REQUIRED", "email": email,
                                         "session": step["session"], "new_password": NEW_PASSWORD})
    session = ok(done)
    assert session["id_token"]
    assert session["access_token"]
    assert session["expires_in"] > 0
    assert COOKIE in done.cookies
    assert "HttpOnly" in done.headers["Set-Cookie"]
    assert "SameSite=Strict" in done.headers["Set-Cookie"]
    assert "Path=/api/auth/session" in done.headers["Set-Cookie"]
    me = ok(requests.get(f"{api}/me", headers={"Authorization": f"Bearer {session['id_token']}"},
                         timeout=HTTP_TIMEOUT))
    assert me["user"]["id"] == user["id"]
    # And the password is theirs from now on; the temporary one no longer works
    assert login(api, email, NEW_PASSWORD)
    assert post(api, "/auth/login", {"email": email, "password": temporary}).status_code == 401


def test_an_expired_invitation_is_refused_and_the_administrator_sends_it_again(runtime: LocalRuntime, api: str,
                                                                               admin: dict[str, str]) -> None:
    # Given: an invitation older than the pool's temporary password validity (3 days)
    user, email = invite(api, admin)
    temporary = temporary_password(wait_for_mail(simulator(runtime), email, "invited"))
    moto_user(runtime, email).contact_invited_at -= 4 * 86400

    # When / Then: signing in with it says so
    expired = post(api, "/auth/login", {"email": email, "password": temporary})
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "invitation_expired"
    assert "administrator" in expired.json()["error"]["message"]

    # When: the administrator sends the invitation again
    ok(call("POST", f"{api}/users/{user['id']}/invitation", admin))
    renewed = temporary_password(wait_for_mail(simulator(runtime), email, "invited", after=1))
    # Then: the new temporary password leads to the new-password step, the old one does not
    assert renewed != temporary
    assert ok(post(api, "/auth/login", {"email": email, "password": renewed}))["challenge"] == "NEW_PASSWORD_REQUIRED"
    assert post(api, "/auth/login", {"email": email, "password": temporary}).status_code == 401


def test_resending_to_a_user_who_signed_in_already_is_a_conflict(runtime: LocalRuntime, api: str,
                                                                 admin: dict[str, str]) -> None:
    user, _ = new_user(runtime, api, admin, role="watcher")
    answer = call("POST", f"{api}/users/{user['id']}/invitation", admin)
    assert answer.status_code == 409, answer.text
    agent = login(api, "agent1@example.com", "Demo-password-1")
    assert call("POST", f"{api}/users/{user['id']}/invitation", agent).status_code == 403


def test_forgotten_password_is_reset_with_the_mailed_code(runtime: LocalRuntime, api: str,
                                                          admin: dict[str, str]) -> None:
    # Given: a user who has signed in before
    user, _ = new_user(runtime, api, admin, role="watcher")
    email = user["email"]

    # When: they ask for a code
    assert post(api, "/auth/forgot-password", {"email": email}).status_code == 202
    code = reset_code(wait_for_mail(simulator(runtime), email, "reset"))
    # (an unknown address gets the same answer and no mail)
    assert post(api, "/auth/forgot-password", {"email": "nobody-here@example.com"}).status_code == 202

    # Then: a wrong code and a weak password are refused clearly; the right one sets the password
    wrong = post(api, "/auth/reset-password", {"email": email, "code": "000000" if code != "000000" else "111111",
                                               "new_password": NEW_PASSWORD})
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == "wrong_code"
    weak = post(api, "/auth/reset-password", {"email": email, "code": code, "new_password": "weakweakweak"})
    assert weak.status_code == 400
    assert weak.json()["error"]["code"] == "weak_password"
    assert post(api, "/auth/reset-password", {"email": email, "code": code,
                                              "new_password": NEW_PASSWORD}).status_code == 204
    assert login(api, email, NEW_PASSWORD)
    assert post(api, "/auth/login", {"email": email, "password": USER_PASSWORD}).status_code == 401
    # And the code is spent
    again = post(api, "/auth/reset-password", {"email": email, "code": code, "new_password": "Another-password-9"})
    assert again.status_code == 400


def test_a_user_changes_their_own_password(runtime: LocalRuntime, api: str, admin: dict[str, str]) -> None:
    user, _ = new_user(runtime, api, admin, role="watcher")
    session = ok(post(api, "/auth/login", {"email": user["email"], "password": USER_PASSWORD}))
    headers = {"Authorization": f"Bearer {session['id_token']}", "X-Access-Token": session["access_token"]}

    wrong = call("POST", f"{api}/me/password", headers, {"current_password": "Not-my-password-1",
                                                         "new_password": NEW_PASSWORD})
    assert wrong.status_code == 400
    assert wrong.json()["error"]["field"] == "current_password"
    weak = call("POST", f"{api}/me/password", headers, {"current_password": USER_PASSWORD, "new_password": "abc"})
    assert weak.status_code == 400
    assert weak.json()["error"]["code"] == "weak_password"
    # someone else's access token does not change my password
    other = ok(post(api, "/auth/login", {"email": "agent2@example.com", "password": "Demo-password-1"}))
    foreign = call("POST", f"{api}/me/password", {**headers, "X-Access-Token": other["access_token"]},
                   {"current_password": USER_PASSWORD, "new_password": NEW_PASSWORD})
    assert foreign.status_code == 403
    assert call("POST", f"{api}/me/password", headers, {"current_password": USER_PASSWORD,
                                                        "new_password": NEW_PASSWORD}).status_code == 204
    assert login(api, user["email"], NEW_PASSWORD)


def test_the_session_renews_from_its_cookie_and_sign_out_revokes_it(runtime: LocalRuntime, api: str,
                                                                    admin: dict[str, str]) -> None:
    # Given: a signed-in user, whose refresh token is only in the cookie
    user, _ = new_user(runtime, api, admin, role="watcher")
    signed_in = post(api, "/auth/login", {"email": user["email"], "password": USER_PASSWORD})
    assert "refresh_token" not in signed_in.json()
    cookie = {"Cookie": f"{COOKIE}={signed_in.cookies[COOKIE]}"}

    # When: the page asks for a new session (a second tab, or renewal before expiry)
    renewed = ok(post(api, "/auth/session", None, **cookie))
    # Then: fresh tokens that work
    assert renewed["id_token"]
    assert renewed["id_token"] != signed_in.json()["id_token"]
    ok(requests.get(f"{api}/me", headers={"Authorization": f"Bearer {renewed['id_token']}"}, timeout=HTTP_TIMEOUT))
    # Without the cookie there is no session
    assert post(api, "/auth/session", None).status_code == 401

    # When: the user signs out
    out = requests.delete(f"{api}/auth/session", headers=cookie, timeout=HTTP_TIMEOUT)
    assert out.status_code == 204
    assert "Max-Age=0" in out.headers["Set-Cookie"]
    # Then: the refresh token is revoked in the user pool
    ended = post(api, "/auth/session", None, **cookie)
    assert ended.status_code == 401
    assert "Max-Age=0" in ended.headers["Set-Cookie"]


def test_a_disabled_user_is_stopped_at_the_next_request_and_cannot_renew(runtime: LocalRuntime, api: str,
                                                                         admin: dict[str, str]) -> None:
    user, headers = new_user(runtime, api, admin, role="watcher")
    signed_in = post(api, "/auth/login", {"email": user["email"], "password": USER_PASSWORD})
    cookie = {"Cookie": f"{COOKIE}={signed_in.cookies[COOKIE]}"}
    ok(call("GET", f"{api}/me", headers))

    ok(call("POST", f"{api}/users/{user['id']}/disable", admin))

    assert call("GET", f"{api}/me", headers).status_code == 403
    assert post(api, "/auth/session", None, **cookie).status_code == 401


def test_a_sign_in_session_answers_only_for_its_own_user(runtime: LocalRuntime, api: str,
                                                         admin: dict[str, str]) -> None:
    # Given: two invited users; A holds a new-password session
    _, first = invite(api, admin)
    _, second = invite(api, admin)
    step = ok(post(api, "/auth/login", {"email": first,
                                        "password": temporary_password(wait_for_mail(simulator(runtime), first,
                                                                                     "invited"))}))
    # When: A's session is answered naming B
    hijack = post(api, "/auth/challenge", {"challenge": "NEW_PASSWORD_REQUIRED", "email": second,
                                           "session": step["session"], "new_password": NEW_PASSWORD})
    # Then: refused, and B's invitation is untouched
    assert hijack.status_code == 401
    assert post(api, "/auth/login", {"email": second, "password": NEW_PASSWORD}).status_code == 401
    # A forged session is refused the same way (never a 5xx)
    forged = post(api, "/auth/challenge", {"challenge": "NEW_PASSWORD_REQUIRED", "email": first,
                                           "session": "forged-" + "x" * 40, "new_password": NEW_PASSWORD})
    assert forged.status_code == 401
