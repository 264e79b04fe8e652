import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from chalicelib.core import resources, settings
from chalicelib.core.resources import ENV_LOCAL_RUNTIME, ENV_PRIVATE_RECEIVERS
from chalicelib.core.settings import get_settings
from chalicelib.storage import binding
from moto import mock_aws

from benchmarks.capacity import written_keys
from local.provision import create_table

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/unit/" in str(item.fspath):
            item.add_marker(pytest.mark.unit)


# What the stack gives every function (settings.py requires each): names only, no unit test calls them.
FUNCTION_ENVIRONMENT = {
    resources.ENV_USER_POOL_ID: "us-east-1_unit",
    resources.ENV_USER_POOL_CLIENT_ID: "unit-client",
    resources.ENV_PUBLIC_API_URL: "https://api.example.com/api",
    resources.ENV_RETRY_MACHINE_ARN: "arn:aws:states:us-east-1:123456789012:stateMachine:unit-retry",
    resources.ENV_MEDIA_BUCKET: "unit-media",
    **{resources.queue_url_env(queue): f"https://sqs.us-east-1.amazonaws.com/123456789012/unit-{queue.key}"
       for queue in resources.QUEUES},
}


@pytest.fixture(autouse=True)
def function_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The functions' environment where nothing (an integration runtime of the session) set it."""
    for name, value in FUNCTION_ENVIRONMENT.items():
        if not os.environ.get(name):
            monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def fixture_bytes():
    def load(relative: str) -> bytes:
        return (FIXTURES / relative).read_bytes().strip()

    return load


def as_json(data: bytes) -> Any:
    return json.loads(data)


def _receivers(monkeypatch: pytest.MonkeyPatch, private: bool) -> Iterator[None]:
    # Settings are read once per process; read them again with the variable as the test needs
    # it, and as they were after (an integration runtime in the same session may have set it).
    if private:
        monkeypatch.setenv(ENV_PRIVATE_RECEIVERS, "true")
    else:
        monkeypatch.delenv(ENV_PRIVATE_RECEIVERS, raising=False)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def private_receivers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The settings of the local runtime: integrators' receivers may be on loopback."""
    yield from _receivers(monkeypatch, private=True)


@pytest.fixture
def public_receivers_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The settings as in AWS: integrators' receivers must be public."""
    yield from _receivers(monkeypatch, private=False)


@pytest.fixture(autouse=True)
def local_runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Unit tests play the local runtime: providers are stand-ins on loopback (tests that check
    AWS's stricter rules ask for ``in_aws``)."""
    monkeypatch.setenv(ENV_LOCAL_RUNTIME, "true")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def in_aws(monkeypatch: pytest.MonkeyPatch, local_runtime: None) -> Iterator[None]:
    """The settings as in AWS: no local runtime, receivers public only."""
    monkeypatch.delenv(ENV_LOCAL_RUNTIME, raising=False)
    monkeypatch.delenv(ENV_PRIVATE_RECEIVERS, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


Written = list[tuple[str, tuple[str, str]]]


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> Iterator[Written]:
    """Every (operation, table key) the stores write from now on, in a fresh table."""
    recorded: Written = []
    original: Callable[..., Any] = botocore.session.Session.create_client

    def create_client(self: botocore.session.Session, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)

        def before_call(params: dict[str, Any], model: Any, **_: Any) -> None:
            request = json.loads(params.get("body") or b"{}")
            recorded.extend((model.name, key) for key in written_keys(model.name, request))

        client.meta.events.register("before-call.dynamodb", before_call)
        return client

    monkeypatch.setattr(botocore.session.Session, "create_client", create_client)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    bound = binding.bound_table()
    with mock_aws():
        # (bound here, after the patch: every connection is made again, with the hook)
        binding.bind_table(create_table(None, "us-east-1", settings.app_name()), "us-east-1")
        yield recorded
    binding.bind_table(*bound)
