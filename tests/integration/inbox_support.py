"""Helpers of the inbox suites: a customer writes, an agent finds and picks up the conversation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import requests
from chalicelib.storage import presence

from local.runtime import LocalRuntime
from tests.integration.conftest import drain
from tests.support import HTTP_TIMEOUT, find, new_wa_id, post_whatsapp, whatsapp_text


def deliver(runtime: LocalRuntime, webhook_url: str, demo: dict[str, Any], wa_id: str, text: str,
            **kwargs: Any) -> None:
    body = whatsapp_text(demo["whatsapp"]["phone_number_id"], wa_id=wa_id, text=text, **kwargs)
    assert post_whatsapp(webhook_url, body, demo["whatsapp"]["app_secret"]).status_code == 200
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")


def get(api: str, path: str, headers: dict[str, str], **params: Any) -> requests.Response:
    return requests.get(f"{api}{path}", params=params, headers=headers, timeout=HTTP_TIMEOUT)


def post(api: str, path: str, headers: dict[str, str], body: Any = None) -> requests.Response:
    return requests.post(f"{api}{path}", json=body if body is not None else {}, headers=headers,
                         timeout=HTTP_TIMEOUT)


def exported(runtime: LocalRuntime, api: str, path: str, headers: dict[str, str],
             body: dict[str, Any] | None = None) -> requests.Response:
    """An export asked for (POST ``path``), built by the export worker and downloaded from the URL its job
    gives, over HTTP from the local S3 as a browser would: the file's response. When asking is refused,
    the refusal."""
    asked = post(api, path, headers, body)
    if asked.status_code != 202:
        return asked
    assert asked.json()["status"] == "pending", asked.text
    drain(runtime, "exports", rounds=200)  # one export per batch; earlier tests may have left some
    job = get(api, asked.json()["status_url"], headers)
    assert job.status_code == 200, job.text
    assert job.json()["status"] == "ready", job.text
    return requests.get(job.json()["url"], timeout=HTTP_TIMEOUT)


def by_customer(api: str, headers: dict[str, str], wa_id: str, **params: Any) -> dict[str, Any] | None:
    """The caller's team's conversation of this customer (exact customer filter, all tab)."""
    items = get(api, "/conversations", headers, view="all", customer="+" + wa_id, **params).json()["items"]
    return find(items, customer_id="+" + wa_id)


def new_conversation(runtime: LocalRuntime, api: str, webhook_url: str, demo: dict[str, Any],
                     headers: dict[str, str], text: str = "hello", **kwargs: Any) -> tuple[str, dict[str, Any]]:
    """A fresh customer writes; returns (wa_id, conversation)."""
    wa_id = new_wa_id()
    deliver(runtime, webhook_url, demo, wa_id, text, **kwargs)
    conversation = by_customer(api, headers, wa_id)
    assert conversation is not None
    return wa_id, conversation


def picked_up(runtime: LocalRuntime, api: str, webhook_url: str, demo: dict[str, Any],
              headers: dict[str, str], text: str = "hello", **kwargs: Any) -> tuple[str, dict[str, Any]]:
    wa_id, conversation = new_conversation(runtime, api, webhook_url, demo, headers, text, **kwargs)
    response = post(api, f"/conversations/{conversation['id']}/pickup", headers)
    assert response.status_code == 200, response.text
    return wa_id, response.json()


def picked_up_from_simulator(runtime: LocalRuntime, api: str, agent: dict[str, str], demo: dict[str, Any],
                             channel: str, customer: str, text: str) -> str:
    """A customer writes on the channel's demo account through the simulator (the provider's own
    signed webhook) and the agent picks the conversation up; returns its id."""
    assert runtime.info is not None
    account_id = demo["accounts"][channel]["account_id"]
    answer = requests.post(f"{runtime.info.simulator_url}/control/{channel}/{account_id}/messages",
                           json={"from": customer, "name": "Ana", "text": text}, timeout=HTTP_TIMEOUT)
    assert answer.json()["webhook_status"] == 200
    drain(runtime, "inbound", "statuses", "assignment", "out-of-office")
    items = get(api, "/conversations", agent, view="new", customer=customer).json()["items"]
    conversation = find(items, customer_id=customer)
    assert conversation is not None, f"no New conversation of {customer}"
    post(api, f"/conversations/{conversation['id']}/pickup", agent).raise_for_status()
    return str(conversation["id"])


def delete(api: str, path: str, headers: dict[str, str]) -> requests.Response:
    return requests.delete(f"{api}{path}", headers=headers, timeout=HTTP_TIMEOUT)


def put(api: str, path: str, headers: dict[str, str], body: Any) -> requests.Response:
    return requests.put(f"{api}{path}", json=body, headers=headers, timeout=HTTP_TIMEOUT)


def patch(api: str, path: str, headers: dict[str, str], body: Any) -> requests.Response:
    return requests.patch(f"{api}{path}", json=body, headers=headers, timeout=HTTP_TIMEOUT)


@contextmanager
def online(api: str, agents: dict[str, dict[str, str]], team: str = "default") -> Iterator[None]:
    """The agents (by user id) are online for the block, and as they were after it: other tests
    count on who is online (assignment goes to online agents only)."""
    seen = {user_id: presence.last_seen(team, user_id) for user_id in agents}
    for headers in agents.values():
        assert post(api, "/me/heartbeat", headers).status_code == 200
    try:
        yield
    finally:
        for user_id, last in seen.items():
            presence.record_heartbeat(user_id, [team], last or datetime(2020, 1, 1, tzinfo=UTC))
