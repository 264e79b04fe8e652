"""Statistics counters move in the same transaction as the change they count: a write that fails
is retried with its counts (by the queue, or at once when it only collided with another
transaction), a repeated event counts nothing, and automatic assignment is counted too.

Each test works in a team of its own, so its counters start at zero."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.client
import pytest
from botocore.exceptions import ClientError
from chalicelib.domain.models import ConversationState
from chalicelib.domain.ports.conversations import AutoAssignOutcome
from chalicelib.domain.statistics import StatsRecorder
from chalicelib.storage import presence
from chalicelib.storage.repository import ContactRepository
from chalicelib.storage.statistics import StatsRepository

from tests.integration.admin_helpers import call, new_team, new_whatsapp_account, ok, say
from tests.integration.conftest import drain
from tests.integration.test_assignment import agent, conversation
from tests.support import new_wa_id, wait_for


def counters(team_id: str) -> tuple[dict[str, int], dict[str, int]]:
    """(the team's counts of the last day, its occupancy gauges now)."""
    now = datetime.now(UTC)
    total: Counter[str] = Counter()
    for _, hour in StatsRepository().hours(team_id, now - timedelta(days=1), now + timedelta(hours=1)):
        total.update(hour)
    return dict(total), StatsRepository().current(team_id)


@dataclass
class Injected:
    """Counted transactions (ones writing a STATS# item) seen, and how many were made to fail."""

    error_code: str
    reason: str | None = None
    failures_left: int = 1
    seen: list[str] = field(default_factory=list)

    def fail(self, operation: dict[str, Any]) -> None:
        items = operation.get("TransactItems", [])
        counted = [kind for entry in items for kind, op in entry.items()
                   if op["Key" if "Key" in op else "Item"]["pk"]["S"].startswith("STATS#")]
        if not counted:
            return
        self.seen.append("failed" if self.failures_left else "passed")
        if not self.failures_left:
            return
        self.failures_left -= 1
        response: dict[str, Any] = {"Error": {"Code": self.error_code, "Message": "injected by the test"}}
        if self.reason is not None:
            # DynamoDB names a reason per operation, "None" for the ones that did not cause it.
            response["CancellationReasons"] = [
                {"Code": self.reason if "Update" in entry and entry["Update"]["Key"]["pk"]["S"].startswith("STATS#")
                 else "None"} for entry in items]
        raise ClientError(response, "TransactWriteItems")  # type: ignore[arg-type]


@pytest.fixture
def inject(monkeypatch: pytest.MonkeyPatch) -> Any:
    """inject(code, reason=None): the next counted transaction fails with that DynamoDB error,
    before it reaches DynamoDB (as a real failure: nothing of it is written)."""
    original = botocore.client.BaseClient._make_api_call  # type: ignore[attr-defined]

    def install(error_code: str, reason: str | None = None) -> Injected:
        injected = Injected(error_code, reason)

        def make_api_call(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
            if operation_name == "TransactWriteItems":
                injected.fail(api_params)
            return original(client, operation_name, api_params)

        monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", make_api_call)
        return injected

    return install


def test_an_inbound_message_whose_counted_write_fails_is_counted_once_by_the_queue_retry(runtime, api, admin,
                                                                                        inject):
    # Given a team with a WhatsApp account, and the next counted write failing once (a 500)
    team = new_team(api, admin)
    account = new_whatsapp_account(runtime, api, admin, team_id=team["id"])
    injected = inject("InternalServerError")
    wa_id = new_wa_id()
    # When the customer writes: the first attempt to store the message fails (nothing of it is written)
    say(runtime, account, wa_id, "hello?")
    assert injected.seen[:1] == ["failed"]
    # and the queue delivers it again a moment later
    wait_for(lambda: (drain(runtime, "inbound", "statuses", "assignment", "out-of-office"),
                      "passed" in injected.seen)[1], timeout=10, what="the redelivered message")
    # Then the conversation exists once, with the message once, and is counted exactly once
    listed = ok(call("GET", f"{api}/conversations?view=all&limit=100&team={team['id']}", admin))["items"]
    assert [c["customer_id"] for c in listed] == ["+" + wa_id]
    counts, gauges = counters(team["id"])
    assert counts == {"created": 1, "channel.whatsapp": 1, "entered.new": 1}
    assert gauges == {"new": 1}


def test_a_counted_write_that_collides_with_another_transaction_is_sent_again_at_once(runtime, api, admin,
                                                                                      inject):
    # Given a conversation waiting in a team, and the next counted write colliding with another
    # transaction on the team's counters (DynamoDB cancels it: TransactionConflict)
    team = new_team(api, admin)
    account = new_whatsapp_account(runtime, api, admin, team_id=team["id"])
    wa_id = new_wa_id()
    say(runtime, account, wa_id, "pick me")
    waiting = conversation(api, admin, team["id"], wa_id)
    injected = inject("TransactionCanceledException", "TransactionConflict")
    # When an administrator picks it up
    picked = ok(call("POST", f"{api}/conversations/{waiting['id']}/pickup?team={team['id']}", admin))
    # Then the request succeeded after sending the transaction again, and it was counted once
    assert injected.seen == ["failed", "passed"]
    assert picked["state"] == "assigned"
    counts, gauges = counters(team["id"])
    assert counts["entered.assigned"] == 1
    assert counts[f"agent.{picked['owner_id']}.assigned"] == 1
    assert gauges == {"new": 0, "assigned": 1}


def test_the_same_event_twice_counts_once(runtime, api, admin):
    # Given a team's conversation
    team = new_team(api, admin)
    account = new_whatsapp_account(runtime, api, admin, team_id=team["id"])
    wa_id = new_wa_id()
    # When the provider delivers one message twice, the same tag is applied twice and the
    # conversation is archived twice
    for _ in range(2):
        say(runtime, account, wa_id, "once", message_id=f"wamid.TWICE{wa_id}")
    path = f"{api}/conversations/{conversation(api, admin, team['id'], wa_id)['id']}"
    for _ in range(2):
        ok(call("POST", f"{path}/tags?team={team['id']}", admin, {"tags": ["twice"]}))
    ok(call("POST", f"{path}/archive?team={team['id']}", admin, {}))
    assert call("POST", f"{path}/archive?team={team['id']}", admin, {}).status_code == 409
    # Then each is counted once
    counts, gauges = counters(team["id"])
    assert (counts["created"], counts["tag.twice"], counts["entered.archived"]) == (1, 1, 1)
    assert gauges == {"new": 0}


def test_automatic_assignment_is_counted(runtime, api, admin):
    # Given a team assigning automatically, with one agent online
    team = new_team(api, admin, assignment={"auto_assign": True})
    online = agent(team["id"], "ida")
    presence.record_heartbeat(online, [team["id"]], datetime.now(UTC))
    account = new_whatsapp_account(runtime, api, admin, team_id=team["id"])
    # When a customer writes and the conversation goes to that agent
    say(runtime, account, new_wa_id(), "hello")
    # Then the assignment is counted like a pick-up: the agent's count, the state, and the gauges
    counts, gauges = counters(team["id"])
    assert counts[f"agent.{online}.assigned"] == 1
    assert counts["entered.assigned"] == 1
    assert gauges == {"new": 0, "assigned": 1}


def test_automatic_assignment_tells_a_taken_conversation_from_a_moved_turn(runtime, api, admin):
    # Given a team's waiting conversation and the team's round-robin marker naming nobody yet
    team = new_team(api, admin)
    account = new_whatsapp_account(runtime, api, admin, team_id=team["id"])
    wa_id = new_wa_id()
    say(runtime, account, wa_id, "hello")
    repository = ContactRepository()
    waiting = repository.get_conversation(conversation(api, admin, team["id"], wa_id)["id"])
    first, second = agent(team["id"], "jo"), agent(team["id"], "kim")

    def tally(agent_id: str) -> Any:
        return StatsRecorder().moved(waiting, ConversationState.ASSIGNED, agent_id, datetime.now(UTC), actor_id=None)

    # When an assignment starts from a turn that moved meanwhile (the marker names someone else)
    moved = repository.auto_assign(waiting.id, first, team["id"], "somebody-else", tally=tally(first))
    # Then the worker is told to read the team again, and nothing was counted
    assert moved is AutoAssignOutcome.TEAM_MOVED
    assert counters(team["id"])[1] == {"new": 1}
    # When it is assigned, and then a second assignment comes for the same conversation
    assert repository.auto_assign(waiting.id, first, team["id"], None, tally=tally(first)) is AutoAssignOutcome.ASSIGNED
    taken = repository.auto_assign(waiting.id, second, team["id"], first, tally=tally(second))
    # Then the second is told the conversation is taken, and only the first assignment counted
    assert taken is AutoAssignOutcome.TAKEN
    counts, gauges = counters(team["id"])
    assert (counts.get(f"agent.{first}.assigned"), counts.get(f"agent.{second}.assigned")) == (1, None)
    assert gauges == {"new": 0, "assigned": 1}
