"""Sign-in throttling per account and per source (domain/sign_in_throttle.py): a clear 429 with
Retry-After, counted in DynamoDB, only failures count, and parallel guesses cannot overshoot."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from chalicelib.domain.errors import TooManyRequests, Unauthenticated
from chalicelib.domain.sign_in_throttle import ACCOUNT_LIMIT, WINDOW_SECONDS, SignInThrottle

from local.runtime import LocalRuntime
from tests.integration.admin_helpers import USER_PASSWORD, new_user, unique
from tests.support import HTTP_TIMEOUT, login


@pytest.fixture(scope="module")
def admin(api: str, demo: dict[str, Any]) -> dict[str, str]:
    return login(api, "admin@example.com", demo["password"])


def sign_in(api: str, email: str, password: str) -> requests.Response:
    return requests.post(f"{api}/auth/login", json={"email": email, "password": password}, timeout=HTTP_TIMEOUT)


def test_an_account_is_throttled_after_its_failed_attempts(runtime: LocalRuntime, api: str,
                                                           admin: dict[str, str]) -> None:
    # Given: a user, and a correct sign-in in between (it does not count)
    user, _ = new_user(runtime, api, admin, role="watcher")
    assert sign_in(api, user["email"], USER_PASSWORD).status_code == 200

    # When: wrong passwords up to the limit, in parallel
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: sign_in(api, user["email"], "Wrong-password-1"), range(ACCOUNT_LIMIT + 3)))
    # Then: exactly the limit reached the user pool, the rest were throttled
    assert sorted(a.status_code for a in answers) == [401] * ACCOUNT_LIMIT + [429] * 3

    # And: now even the right password is refused, with a clear message and Retry-After
    throttled = sign_in(api, user["email"], USER_PASSWORD)
    assert throttled.status_code == 429
    assert throttled.json()["error"]["code"] == "too_many_requests"
    assert "this account" in throttled.json()["error"]["message"]
    assert 0 < int(throttled.headers["Retry-After"]) <= WINDOW_SECONDS
    # (the email's case does not open a second counter)
    assert sign_in(api, user["email"].upper(), USER_PASSWORD).status_code == 429
    # Another account from the same address is not affected
    assert sign_in(api, "agent2@example.com", "Demo-password-1").status_code == 200


def test_a_source_is_throttled_across_accounts(runtime: LocalRuntime) -> None:
    # Given: a throttle of three failures per source (the API's is SOURCE_LIMIT), and a password spray
    throttle = SignInThrottle(source_limit=3)
    source = f"198.51.100.{unique('x')[-2:]}"

    def wrong_password(email: str) -> None:
        with throttle.attempt(email, source):
            raise Unauthenticated("email or password is wrong")

    for attempt in range(3):
        with pytest.raises(Unauthenticated):
            wrong_password(f"sprayed-{attempt}@example.com")
    # When / Then: the fourth account named from that source is refused without trying
    with pytest.raises(TooManyRequests) as refused:
        wrong_password("sprayed-4@example.com")
    assert "network address" in refused.value.message
    assert refused.value.retry_after > 0
    # Another source may still try
    with pytest.raises(Unauthenticated), throttle.attempt("sprayed-4@example.com", "203.0.113.9"):
        raise Unauthenticated("email or password is wrong")
