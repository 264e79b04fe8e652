"""MFA with an authenticator app (TOTP) on the local runtime: enrolment from the profile, the
code at sign-in, an administrator's reset, and the service setting that requires it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from local.runtime import LocalRuntime
from tests.accounts_support import totp
from tests.integration.admin_helpers import USER_PASSWORD, call, new_user, ok, set_free_seats
from tests.support import HTTP_TIMEOUT, login


@pytest.fixture(scope="module")
def admin(api: str, demo: dict[str, Any]) -> dict[str, str]:
    return login(api, "admin@example.com", demo["password"])


def sign_in(api: str, email: str, password: str = USER_PASSWORD) -> dict[str, Any]:
    answer = requests.post(f"{api}/auth/login", json={"email": email, "password": password}, timeout=HTTP_TIMEOUT)
    return dict(ok(answer))


def session_headers(session: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['id_token']}", "X-Access-Token": session["access_token"]}


def enrol(api: str, session: dict[str, Any]) -> str:
    headers = session_headers(session)
    enrolment = ok(call("POST", f"{api}/me/mfa/totp", headers), 201)
    ok(call("PUT", f"{api}/me/mfa/totp", headers, {"code": totp(enrolment["secret"])}))
    return str(enrolment["secret"])


def test_enrolment_then_the_code_is_asked_at_sign_in(runtime: LocalRuntime, api: str, admin: dict[str, str]) -> None:
    # Given: a signed-in user
    user, _ = new_user(runtime, api, admin, role="watcher")
    session = sign_in(api, user["email"])
    headers = session_headers(session)

    # When: they start enrolment, they get a key to type and a URI for the QR code
    enrolment = ok(call("POST", f"{api}/me/mfa/totp", headers), 201)
    secret = enrolment["secret"]
    assert enrolment["otpauth_uri"].startswith("otpauth://totp/Open%20Contact")
    assert f"secret={secret}" in enrolment["otpauth_uri"]
    # a wrong first code does not turn MFA on
    wrong = call("PUT", f"{api}/me/mfa/totp", headers, {"code": "000000" if totp(secret) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == "wrong_code"
    assert sign_in(api, user["email"])["id_token"]
    # the right one does
    confirmed = ok(call("PUT", f"{api}/me/mfa/totp", headers, {"code": totp(secret)}))
    assert confirmed["mfa_enabled"] is True

    # Then: the next sign-in asks for the code; a wrong one is refused, the right one signs in
    step = sign_in(api, user["email"])
    assert step["challenge"] == "SOFTWARE_TOKEN_MFA"
    assert step["id_token"] is None
    answer = {"challenge": "SOFTWARE_TOKEN_MFA", "email": user["email"], "session": step["session"]}
    bad = requests.post(f"{api}/auth/challenge", json={**answer, "code": "123456" if totp(secret) != "123456"
                                                       else "654321"}, timeout=HTTP_TIMEOUT)
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "wrong_code"
    done = requests.post(f"{api}/auth/challenge", json={**answer, "code": totp(secret)}, timeout=HTTP_TIMEOUT)
    assert ok(done)["id_token"]
    assert "oc_session" in done.cookies
    me = ok(call("GET", f"{api}/me", {"Authorization": f"Bearer {done.json()['id_token']}"}))
    assert me["user"]["mfa_enabled"] is True


def test_an_administrator_resets_a_lost_authenticator(runtime: LocalRuntime, api: str, admin: dict[str, str]) -> None:
    # Given: a user with MFA
    user, _ = new_user(runtime, api, admin, role="watcher")
    enrol(api, sign_in(api, user["email"]))
    assert sign_in(api, user["email"])["challenge"] == "SOFTWARE_TOKEN_MFA"

    # When: an administrator resets it (an agent may not)
    agent = login(api, "agent1@example.com", "Demo-password-1")
    assert call("DELETE", f"{api}/users/{user['id']}/mfa", agent).status_code == 403
    reset = ok(call("DELETE", f"{api}/users/{user['id']}/mfa", admin))

    # Then: the password alone signs in again, and enrolment starts from a new secret
    assert reset["mfa_enabled"] is False
    session = sign_in(api, user["email"])
    assert session["id_token"]
    assert enrol(api, session)


@pytest.fixture(scope="module")
def mfa_admin(runtime: LocalRuntime, api: str, admin: dict[str, str]) -> Iterator[dict[str, str]]:
    """An administrator with MFA: only they may require it of administrators or everyone."""
    set_free_seats(api, admin, 3)
    boss, _ = new_user(runtime, api, admin, role="administrator")
    session = sign_in(api, boss["email"])
    enrol(api, session)
    yield {"Authorization": f"Bearer {session['id_token']}"}
    ok(call("POST", f"{api}/users/{boss['id']}/disable", admin))  # the seat goes back


@pytest.fixture
def required_of(api: str, mfa_admin: dict[str, str]) -> Iterator[Callable[[str], None]]:
    def require(whom: str) -> None:
        ok(call("PATCH", f"{api}/settings/service", mfa_admin, {"mfa_required": whom}))

    yield require
    require("nobody")


def test_an_administrator_without_mfa_cannot_require_it_of_themselves(api: str, admin: dict[str, str]) -> None:
    refused = call("PATCH", f"{api}/settings/service", admin, {"mfa_required": "administrators"})
    assert refused.status_code == 409
    assert refused.json()["error"]["field"] == "mfa_required"


def test_required_mfa_stops_a_user_until_they_enrol(runtime: LocalRuntime, api: str, admin: dict[str, str],
                                                    required_of: Callable[[str], None]) -> None:
    # Given: a user without MFA (created before the rule)
    user, _ = new_user(runtime, api, admin, role="watcher")
    # When: the service requires MFA of everyone
    required_of("everyone")
    session = sign_in(api, user["email"])
    headers = session_headers(session)
    # Then: only who-am-I, the profile and enrolment answer
    refused = call("GET", f"{api}/conversations", headers)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "mfa_enrolment_required"
    me = ok(call("GET", f"{api}/me", headers))
    assert me["mfa_required"] is True
    assert me["user"]["mfa_enabled"] is False
    # And once enrolled, everything does (the same token: the user record says so)
    enrol(api, session)
    ok(call("GET", f"{api}/conversations", headers))


def test_mfa_for_administrators_only_leaves_agents_alone(runtime: LocalRuntime, api: str, admin: dict[str, str],
                                                         required_of: Callable[[str], None]) -> None:
    user, _ = new_user(runtime, api, admin, role="watcher")
    required_of("administrators")
    ok(call("GET", f"{api}/conversations", session_headers(sign_in(api, user["email"]))))
    refused = call("GET", f"{api}/settings/service", admin)  # the demo administrator has no MFA
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "mfa_enrolment_required"
