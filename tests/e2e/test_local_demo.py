"""``python -m local`` without ``--empty`` starts with something to try in every corner: in the
Support team conversations waiting in New, one with each agent (answered, tagged, with a note)
and one archived with tags; customers waiting for the Billing team; tags, quick-reply groups
with placeholders and approved WhatsApp templates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from local.processes import RunningSystem, start_system
from tests.support import HTTP_TIMEOUT, login, wait_for


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    running = start_system(Path(tmp_path_factory.mktemp("demo")), demo=True)
    yield running
    running.stop()


def get(system: RunningSystem, path: str, user: str, **params: Any) -> Any:
    headers = login(system.info["api_url"], user, system.info["demo"]["password"])
    response = requests.get(f"{system.info['api_url']}{path}", params=params, headers=headers, timeout=HTTP_TIMEOUT)
    response.raise_for_status()
    return response.json()


def names(page: dict[str, Any]) -> set[str]:
    return {conversation["customer_name"] for conversation in page["items"]}


def test_the_support_team_has_conversations_in_every_state(system: RunningSystem) -> None:
    agent1, agent2 = "agent1@example.com", "agent2@example.com"
    assert names(get(system, "/conversations", agent1, view="new")) == {"Sam Visser", "Julia Smit"}
    assert names(get(system, "/conversations", agent1, view="mine")) == {"Daan Mulder"}
    assert names(get(system, "/conversations", agent2, view="mine")) == {"Sophie de Boer"}
    archived = get(system, "/conversations", agent1, view="all", state="archived")["items"]
    assert [(c["customer_name"], sorted(c["tags"])) for c in archived] == [("Lucas Peters", ["follow-up", "order"])]
    mine = get(system, "/conversations", agent1, view="mine")["items"][0]
    assert mine["tags"] == ["order"]
    assert [n["text"] for n in get(system, f"/conversations/{mine['id']}/notes", agent1)["items"]] == [
        "Customer since 2021; prefers WhatsApp."]


def test_the_agents_replies_reached_the_customers(system: RunningSystem) -> None:
    outbox = f"{system.info['simulator_url']}/control/outbox"

    def answered() -> list[Any] | None:
        sent = requests.get(outbox, params={"channel": "whatsapp"}, timeout=HTTP_TIMEOUT).json()["items"]
        return sent if len(sent) >= 3 else None

    assert len(wait_for(answered, what="three demo replies at the simulator", timeout=30)) == 3


def test_billing_tags_quick_replies_and_templates_are_there(system: RunningSystem) -> None:
    billing = "billing@example.com"
    assert names(get(system, "/conversations", billing, view="new")) == {"Noor de Vries", "Liam Jansen",
                                                                          "Emma Bakker"}
    assert {"vip", "order", "follow-up"} <= set(get(system, "/tags", billing)["items"])
    groups = get(system, "/quick-reply-groups", billing)["items"]
    assert {"Greetings", "Closing", "Billing"} <= {group["name"] for group in groups}
    templates = get(system, "/channel-accounts/wa-demo/templates", "agent1@example.com")["items"]
    assert {(t["name"], t["language"]) for t in templates} >= {("order_update", "en"), ("follow_up", "nl")}
