"""Users, roles and seats through the API: who may administer, inviting, seats (also under a
race), disabling (the token stops at once, Cognito follows) and the Cognito group sync."""

import threading

import pytest
import requests
from chalicelib.domain.models import Role
from chalicelib.domain.seats import NoFreeSeat
from chalicelib.storage.users import UserStore

from tests.integration.admin_helpers import (
    USER_PASSWORD,
    call,
    cognito,
    new_user,
    ok,
    seats,
    set_free_seats,
)
from tests.support import HTTP_TIMEOUT, login


@pytest.fixture(scope="module")
def admin(api, demo):
    return login(api, "admin@example.com", demo["password"])


@pytest.fixture(autouse=True)
def restore_seats(api, admin):
    before = seats(api, admin)["seats"]
    yield
    ok(call("PATCH", f"{api}/settings/service", admin, {"seats": max(before, seats(api, admin)["seats_used"])}))


def groups_of(runtime, email):
    response = cognito(runtime).admin_list_groups_for_user(UserPoolId=runtime.resources.user_pool_id,
                                                           Username=email)
    return sorted(group["GroupName"] for group in response["Groups"])


ADMIN_CALLS = [
    ("POST", "/users", {"email": "x@example.com", "display_name": "X"}),
    ("PUT", "/users/someone/role", {"role": "agent"}),
    ("POST", "/teams", {"name": "Nope"}),
    ("PATCH", "/settings/service", {"seats": 99}),
    ("PUT", "/teams/default/office-hours", {"time_zone": "UTC"}),
    ("POST", "/channel-accounts/wa-demo/routing-rules", {"team_id": "default"}),
    ("PATCH", "/channel-accounts/wa-demo", {"enabled": False}),
]


def test_agents_and_watchers_get_403_on_every_admin_change(runtime, api, admin, agent1):
    # Given an agent and a watcher
    _, watcher = new_user(runtime, api, admin, role="watcher")
    for method, path, body in ADMIN_CALLS:
        # When either tries an administrator's change / Then 403, and nothing changed
        for headers in (agent1, watcher):
            response = call(method, f"{api}{path}", headers, body)
            assert response.status_code == 403, (method, path, response.text)
            assert response.json()["error"]["code"] == "forbidden"
    assert seats(api, admin)["seats"] != 99


def test_watchers_read_settings_and_agents_have_no_access(runtime, api, admin, agent1):
    _, watcher = new_user(runtime, api, admin, role="watcher")
    for path in ("/settings/service", "/users", "/teams", "/channel-accounts", "/routing/rules"):
        assert call("GET", f"{api}{path}", watcher).status_code == 200, path
        assert call("GET", f"{api}{path}", agent1).status_code == 403, path


def test_a_new_user_is_an_agent_while_seats_are_free_then_a_watcher(runtime, api, admin):
    # Given one free seat
    set_free_seats(api, admin, 1)
    # When two users are invited without a role
    first, _ = new_user(runtime, api, admin)
    second, _ = new_user(runtime, api, admin)
    # Then the first took the seat as agent, the second became a watcher; both are in the default team
    assert (first["role"], second["role"]) == ("agent", "watcher")
    assert first["team_ids"] == second["team_ids"] == ["default"]
    assert seats(api, admin)["seats_free"] == 0
    assert groups_of(runtime, first["email"]) == ["agent"]
    assert groups_of(runtime, second["email"]) == ["watcher"]


def test_a_role_beyond_the_seats_is_refused_naming_seats(runtime, api, admin):
    # Given a watcher and no free seat
    watcher, _ = new_user(runtime, api, admin, role="watcher")
    set_free_seats(api, admin, 0)
    # When the administrator makes the watcher an agent
    response = call("PUT", f"{api}/users/{watcher['id']}/role", admin, {"role": "agent"})
    # Then 409 no_free_seat, and the watcher is still a watcher
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_free_seat"
    assert "seat" in response.json()["error"]["message"]
    assert ok(call("GET", f"{api}/users/{watcher['id']}", admin))["role"] == "watcher"
    # And inviting an explicit agent is refused the same way, leaving no Cognito account behind
    response = call("POST", f"{api}/users", admin, {"email": "seatless@example.com", "display_name": "S",
                                                    "role": "agent"})
    assert response.status_code == 409
    with pytest.raises(cognito(runtime).exceptions.UserNotFoundException):
        cognito(runtime).admin_get_user(UserPoolId=runtime.resources.user_pool_id, Username="seatless@example.com")
    # And lowering the seats below those in use is refused too
    response = call("PATCH", f"{api}/settings/service", admin, {"seats": seats(api, admin)["seats_used"] - 1})
    assert response.status_code == 409
    assert response.json()["error"]["field"] == "seats"


def test_promotion_takes_a_seat_and_demotion_frees_it_with_groups_in_sync(runtime, api, admin):
    set_free_seats(api, admin, 1)
    watcher, _ = new_user(runtime, api, admin, role="watcher")
    used = seats(api, admin)["seats_used"]
    promoted = ok(call("PUT", f"{api}/users/{watcher['id']}/role", admin, {"role": "administrator"}))
    assert promoted["role"] == "administrator"
    assert seats(api, admin)["seats_used"] == used + 1
    assert groups_of(runtime, watcher["email"]) == ["administrator"]
    ok(call("PUT", f"{api}/users/{watcher['id']}/role", admin, {"role": "watcher"}))
    assert seats(api, admin)["seats_used"] == used
    assert groups_of(runtime, watcher["email"]) == ["watcher"]


def test_a_disabled_users_token_stops_working_at_once_and_they_cannot_sign_in(runtime, api, admin):
    # Given an agent signed in with a valid token
    user, headers = new_user(runtime, api, admin, role="agent")
    assert call("GET", f"{api}/me", headers).status_code == 200
    used = seats(api, admin)["seats_used"]
    # When the administrator disables them
    disabled = ok(call("POST", f"{api}/users/{user['id']}/disable", admin))
    # Then the same token is refused on the very next request, the seat is free, and sign-in fails
    assert disabled["role"] == "disabled"
    response = call("GET", f"{api}/me", headers)
    assert response.status_code == 403
    assert call("GET", f"{api}/conversations", headers).status_code == 403
    assert call("GET", f"{api}/users", headers).status_code == 403
    assert seats(api, admin)["seats_used"] == used - 1
    assert requests.post(f"{api}/auth/login", json={"email": user["email"], "password": USER_PASSWORD},
                         timeout=HTTP_TIMEOUT).status_code == 401
    assert groups_of(runtime, user["email"]) == []
    # When they are enabled again (no role given: an agent, as a seat is free)
    enabled = ok(call("POST", f"{api}/users/{user['id']}/enable", admin))
    # Then they sign in and work again
    assert enabled["role"] == "agent"
    assert call("GET", f"{api}/me", login(api, user["email"], USER_PASSWORD)).status_code == 200


def test_administrators_cannot_change_their_own_role(api, admin):
    me = ok(call("GET", f"{api}/me", admin))["user"]
    response = call("PUT", f"{api}/users/{me['id']}/role", admin, {"role": "watcher"})
    assert response.status_code == 409


def test_users_list_pages_by_cursor(runtime, api, admin):
    for _ in range(3):
        new_user(runtime, api, admin, role="watcher")
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = ok(requests.get(f"{api}/users", params=params, headers=admin, timeout=HTTP_TIMEOUT))
        assert len(page["items"]) <= 2
        seen += [user["email"] for user in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert "admin@example.com" in seen
    assert len(seen) == len(set(seen)) >= 6


def test_of_ten_concurrent_promotions_with_three_free_seats_exactly_three_win(runtime, api, admin):
    # Given ten watchers and three free seats
    watchers = [new_user(runtime, api, admin, role="watcher")[0] for _ in range(10)]
    set_free_seats(api, admin, 3)
    store = UserStore()
    outcomes: list[str] = []
    barrier = threading.Barrier(10)

    def promote(user_id: str) -> None:
        user = store.require(user_id)
        barrier.wait()
        try:
            store.change_role(user, Role.AGENT)
            outcomes.append("won")
        except NoFreeSeat:
            outcomes.append("no seat")

    # When all ten are promoted at the same moment
    threads = [threading.Thread(target=promote, args=(w["id"],)) for w in watchers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # Then exactly three won, and the counter matches the users' roles
    assert sorted(outcomes) == ["no seat"] * 7 + ["won"] * 3
    assert seats(api, admin)["seats_free"] == 0
    roles = [store.require(w["id"]).role for w in watchers]
    assert roles.count(Role.AGENT) == 3
