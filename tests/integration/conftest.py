"""One local runtime for the integration suite, in this process, with its pollers stopped:
each test drives the queues one batch at a time and so sees every step."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from local import aws_calls
from local.runtime import LocalRuntime, RuntimeConfig
from tests.support import login


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)
            # The fuzz run shares this suite's runtime (one per process); `-m fuzz` runs it alone.
            if item.fspath.basename.endswith("_fuzz.py"):
                item.add_marker(pytest.mark.fuzz)


_KNOWN_CALLS: set[aws_calls.Call] = set()
_REPORTED: set[aws_calls.Call] = set()


@pytest.fixture(autouse=True)
def recorded_aws_calls_are_known() -> Iterator[None]:
    """Each AWS call a function made during the test is in tests/fixtures/aws_calls.json, which the
    infra suite checks the functions' roles against: a new call fails here (once, in the test that
    made it first), naming the function and the call, until `make record-aws-calls` is run."""
    yield
    if aws_calls.recording():
        return  # this run writes the fixture
    if not _KNOWN_CALLS:
        _KNOWN_CALLS.update(aws_calls.load_fixture())
    missing = aws_calls.RECORDER.calls() - _KNOWN_CALLS - _REPORTED
    if missing:
        _REPORTED.update(missing)
        pytest.fail(aws_calls.stale_message(missing), pytrace=False)


@pytest.fixture(scope="session")
def runtime() -> Iterator[LocalRuntime]:
    local = LocalRuntime(RuntimeConfig(port=0, moto_port=0, simulator_port=0, push_port=0, push_management_port=0,
                                       start_pollers=False, poll_wait_seconds=0,
                                       retry_base_seconds=1))
    local.start()
    yield local
    local.stop()


@pytest.fixture(scope="session")
def api(runtime: LocalRuntime) -> str:
    assert runtime.info is not None
    return runtime.info.api_url


@pytest.fixture(scope="session")
def demo(runtime: LocalRuntime) -> dict[str, Any]:
    assert runtime.info is not None
    return runtime.info.demo


@pytest.fixture(scope="session")
def agent1(api: str, demo: dict[str, Any]) -> dict[str, str]:
    return login(api, "agent1@example.com", demo["password"])


@pytest.fixture(scope="session")
def agent2(api: str, demo: dict[str, Any]) -> dict[str, str]:
    return login(api, "agent2@example.com", demo["password"])


@pytest.fixture(scope="session")
def webhook_url(runtime: LocalRuntime, demo: dict[str, Any]) -> str:
    assert runtime.info is not None
    return f"{runtime.info.webhook_base_url}/whatsapp/{demo['whatsapp']['account_id']}"


@pytest.fixture
def sqs(runtime: LocalRuntime) -> Any:
    return boto3.client("sqs", endpoint_url=runtime.moto_url, region_name=runtime.config.region)


def queue_depth(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


@pytest.fixture
def inbound_url(runtime: LocalRuntime) -> str:
    """The inbound queue, empty: the simulator's status reports of earlier sends have arrived and
    every queue an inbound message passes through has been worked off, so what a test then counts
    there is its own."""
    settle_then_drain(runtime)
    assert runtime.resources is not None
    return runtime.resources.queue_urls["inbound"]


def settle_then_drain(runtime: LocalRuntime) -> None:
    assert runtime.simulator.settle(), "the simulator's status reports did not all arrive"
    drain(runtime, "inbound", "statuses", "media", "assignment", "out-of-office")


def drain(runtime: LocalRuntime, *queue_keys: str, rounds: int = 20) -> None:
    """Run the pollers of these queues until a full round finds nothing (bounded)."""
    for _ in range(rounds):
        if sum(runtime.poller(key).poll_once() for key in queue_keys) == 0:
            return
    raise AssertionError(f"queues {queue_keys} did not drain in {rounds} rounds")


# --- more people for the inbox's authorization tests ----------------------------------------


@pytest.fixture(scope="session")
def admin(api: str, demo: dict[str, Any]) -> dict[str, str]:
    return login(api, "admin@example.com", demo["password"])


@pytest.fixture(scope="session")
def user_ids(demo: dict[str, Any]) -> dict[str, str]:
    return {u["email"]: u["id"] for u in demo["users"]}


def _extra_user(runtime: LocalRuntime, api: str, demo: dict[str, Any], email: str, role: str,
                team_ids: tuple[str, ...]) -> dict[str, str]:
    from chalicelib.domain.admin_models import TeamSettings
    from chalicelib.domain.models import Role
    from chalicelib.storage.teams import TeamStore

    from local.seed import create_user

    assert runtime.resources is not None
    for team_id in team_ids:
        TeamStore().put(TeamSettings(id=team_id, name=team_id.title()))
    create_user(runtime.resources, email, email.split("@")[0].title(), Role(role), team_ids,
                demo["password"])
    return login(api, email, demo["password"])


@pytest.fixture(scope="session")
def watcher(runtime: LocalRuntime, api: str, demo: dict[str, Any]) -> dict[str, str]:
    return _extra_user(runtime, api, demo, "watcher@example.com", "watcher", ("default",))


@pytest.fixture(scope="session")
def outsider(runtime: LocalRuntime, api: str, demo: dict[str, Any]) -> dict[str, str]:
    """An agent of another team."""
    return _extra_user(runtime, api, demo, "sales-agent@example.com", "agent", ("sales",))


@pytest.fixture(scope="session")
def disabled(runtime: LocalRuntime, api: str, demo: dict[str, Any]) -> dict[str, str]:
    """A user whose role is Disabled (still able to sign in to Cognito)."""
    return _extra_user(runtime, api, demo, "gone@example.com", "disabled", ("default",))
