"""Which AWS actions each function performs, recorded by the local runtime.

moto enforces no IAM, so a grant missing from a function's role would only fail in AWS. The local
runtime therefore notes every AWS API call a function makes while it runs (a Lambda-like invocation:
an API request, a queue batch, a WebSocket route), as the IAM action it needs and the resource it
touches, named as the stack's grants name them (``queue/<key>``, ``table``, ``index/<name>``,
``media/<folder>/``, ...). ``tests/infra/test_least_privilege.py`` checks each function's role in
the synthesized template against these calls.

How the calls are noticed: botocore's ``BaseClient._make_api_call`` (boto3 and PynamoDB both go
through it) and the presigning functions (a presigned URL is used with the permissions of the role
that signed it, so signing a GET is a ``s3:GetObject``). Which function is running is a context
variable the invoker sets (``invoked_as``); threads a function starts from a pool carry it on.
Calls made outside any invocation (seeding, the tests' own reads, moto's Step Functions executor)
are not a function's and are not recorded.

Each Lambda function runs in containers of its own, with caches of its own (``adapters/read_cache.py``
and Powertools' cached secrets). The local runtime runs every function in one process, so the
caches are made per function here too: a value one function cached must not hide another
function's read of it (its grant would go unseen). Invalidation still reaches every function's
entry at once, as the single process did before.

``OPEN_CONTACT_RECORD_AWS_CALLS=<dir>`` makes each process write what it recorded into that
directory when it stops; ``python -m local.aws_calls merge <dir> <fixture>`` unites those files
into ``tests/fixtures/aws_calls.json`` (``make record-aws-calls`` does both).
"""

from __future__ import annotations

import argparse
import atexit
import concurrent.futures
import contextvars
import json
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chalicelib.core import resources

ENV_RECORD = "OPEN_CONTACT_RECORD_AWS_CALLS"
ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "aws_calls.json"
RECORD_COMMAND = "make record-aws-calls"

_FUNCTION: contextvars.ContextVar[str | None] = contextvars.ContextVar("aws_calls_function", default=None)


@dataclass(frozen=True, order=True)
class Call:
    """One IAM action on one resource, by one function."""

    function: str
    action: str
    resource: str

    def describe(self) -> str:
        return f"function {self.function} calls {self.action} on {self.resource}"


@contextmanager
def invoked_as(function: str | None) -> Iterator[None]:
    """AWS calls made within are the calls of ``function`` (a Lambda function's name; None: of no
    function, e.g. what the local runtime does that Lambda does not)."""
    token = _FUNCTION.set(function)
    try:
        yield
    finally:
        _FUNCTION.reset(token)


def current_function() -> str | None:
    return _FUNCTION.get()


# --- naming what a call touches, as the stack's grants name it ----------------------------------

# Operations whose IAM action has another name (the others are "<prefix>:<operation>").
_ACTION_OF: Mapping[tuple[str, str], str] = {
    ("sqs", "SendMessageBatch"): "SendMessage",
    ("sqs", "DeleteMessageBatch"): "DeleteMessage",
    ("sqs", "ChangeMessageVisibilityBatch"): "ChangeMessageVisibility",
    ("s3", "ListObjectsV2"): "ListBucket",
    ("s3", "ListObjects"): "ListBucket",
    ("s3", "HeadObject"): "GetObject",
    ("s3", "DeleteObjects"): "DeleteObject",
    ("dynamodb", "TransactGetItems"): "GetItem",
    ("execute-api", "PostToConnection"): "ManageConnections",
    ("execute-api", "GetConnection"): "ManageConnections",
    ("execute-api", "DeleteConnection"): "ManageConnections",
}
# A transaction needs, per item, the action of that item's kind (there is no TransactWriteItems action).
_TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                     "ConditionCheck": "ConditionCheckItem"}


def queue_resource(queue_url_or_name: str) -> str:
    """``queue/<key>`` (or ``queue/<key>-dlq``) of a queue URL or physical name of any installation."""
    name = queue_url_or_name.rstrip("/").rsplit("/", 1)[-1].removesuffix(".fifo")
    for queue in sorted(resources.QUEUES, key=lambda q: len(q.key), reverse=True):
        for key in (f"{queue.key}-dlq", queue.key):
            if name.endswith(f"-{key}"):
                return f"queue/{key}"
    return f"queue/{name}"


def _folder(key: str) -> str:
    return f"media/{key.split('/', 1)[0]}/" if "/" in key else "media/"


def _state_machine(arn: str) -> str:
    name = arn.rsplit(":", 1)[-1]
    for machine in resources.STATE_MACHINES:
        if name.endswith(f"-{machine.key}"):
            return f"state-machine/{machine.key}"
    return f"state-machine/{name}"


def _secret(secret_id: str) -> str:
    # "<app>/channels/<channel>/<account>" (or its ARN): the stack grants by the "<app>/channels/" prefix.
    name = secret_id.rsplit(":", 1)[-1] if secret_id.startswith("arn:") else secret_id
    parts = name.split("/")
    return f"secret/{parts[1]}/" if len(parts) > 2 else f"secret/{name}"


def _table(params: Mapping[str, Any]) -> str:
    index = params.get("IndexName")
    return f"index/{index}" if index else "table"


def _s3(operation: str, params: Mapping[str, Any]) -> list[str]:
    if operation == "DeleteObjects":
        return sorted({_folder(item["Key"]) for item in params.get("Delete", {}).get("Objects", [])})
    return [_folder(str(params["Key"]))] if "Key" in params else ["media"]


# How each service's calls name the resource they touch (by IAM prefix; others: "*").
_RESOURCES: Mapping[str, Callable[[str, Mapping[str, Any]], list[str]]] = {
    "sqs": lambda _, params: [queue_resource(str(params.get("QueueUrl", params.get("QueueName", ""))))],
    "dynamodb": lambda _, params: [_table(params)],
    "s3": _s3,
    "states": lambda _, params: [_state_machine(str(params.get("stateMachineArn", "")))],
    "secretsmanager": lambda _, params: [_secret(str(params.get("SecretId", params.get("Name", ""))))],
    "cognito-idp": lambda _, __: ["user-pool"],
    "ses": lambda _, __: ["identity"],
    "execute-api": lambda _, __: ["connections"],
}


def actions_of(prefix: str, operation: str, params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The (IAM action, resource) pairs one call needs."""
    if prefix == "dynamodb" and operation == "TransactWriteItems":
        return sorted({(f"dynamodb:{_TRANSACT_ACTIONS[kind]}", "table")
                       for item in params.get("TransactItems", []) for kind in item})
    action = f"{prefix}:{_ACTION_OF.get((prefix, operation), operation)}"
    namer = _RESOURCES.get(prefix)
    return [(action, resource) for resource in (namer(operation, params) if namer else ["*"])]


# --- the recorder -------------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self._calls: set[Call] = set()
        self._lock = threading.Lock()

    def note(self, prefix: str, operation: str, params: Mapping[str, Any]) -> None:
        function = _FUNCTION.get()
        if function is None:
            return
        calls = {Call(function, action, resource) for action, resource in actions_of(prefix, operation, params)}
        with self._lock:
            self._calls |= calls

    def calls(self) -> set[Call]:
        with self._lock:
            return set(self._calls)

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / f"calls-{os.getpid()}.json"
        target.write_text(json.dumps(as_document(self.calls()), indent=1, sort_keys=True) + "\n")
        return target


RECORDER = Recorder()
_INSTALLED: list[bool] = []


def _prefix_of(client: Any) -> str:
    model = client.meta.service_model
    return str(model.signing_name or model.endpoint_prefix)


def install() -> Recorder:
    """Start noticing calls in this process (idempotent); with ``OPEN_CONTACT_RECORD_AWS_CALLS``
    set, what was noticed is written there when the process exits."""
    if _INSTALLED:
        return RECORDER
    import botocore.client
    import botocore.signers

    base_client: Any = botocore.client.BaseClient
    make_api_call = base_client._make_api_call

    def recording_api_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        RECORDER.note(_prefix_of(self), operation_name, api_params)
        return make_api_call(self, operation_name, api_params)

    presign_url = botocore.signers.generate_presigned_url
    presign_post = botocore.signers.generate_presigned_post

    def recording_presign_url(self: Any, ClientMethod: str, Params: Any = None,  # botocore's parameter names
                              *args: Any, **kwargs: Any) -> Any:
        operation = self._PY_TO_OP_NAME.get(ClientMethod, ClientMethod)
        RECORDER.note(_prefix_of(self), operation, Params or {})
        return presign_url(self, ClientMethod, Params, *args, **kwargs)

    def recording_presign_post(self: Any, Bucket: str, Key: str,  # botocore's parameter names
                               *args: Any, **kwargs: Any) -> Any:
        RECORDER.note(_prefix_of(self), "PutObject", {"Bucket": Bucket, "Key": Key})
        return presign_post(self, Bucket, Key, *args, **kwargs)

    base_client._make_api_call = recording_api_call
    botocore.signers.generate_presigned_url = recording_presign_url
    botocore.signers.generate_presigned_post = recording_presign_post
    # Clients made before this point took the original functions as methods of their class.
    for client_class in _client_classes():
        if getattr(client_class, "generate_presigned_url", None) is presign_url:
            setattr(client_class, "generate_presigned_url", recording_presign_url)  # noqa: B010
        if getattr(client_class, "generate_presigned_post", None) is presign_post:
            setattr(client_class, "generate_presigned_post", recording_presign_post)  # noqa: B010
    _carry_function_into_pools()
    _caches_per_function()
    atexit.register(save)
    _INSTALLED.append(True)
    return RECORDER


def recording() -> bool:
    """Whether this run records the calls for the fixture (``make record-aws-calls``)."""
    return bool(os.environ.get(ENV_RECORD))


def save() -> None:
    """Write what this process recorded, if it records for the fixture (each process to a file of its
    own; a process that stops with ``os._exit`` calls this first)."""
    directory = os.environ.get(ENV_RECORD)
    if directory and _INSTALLED:
        RECORDER.write(Path(directory))


def _client_classes() -> Iterable[type]:
    import botocore.client

    pending = list(botocore.client.BaseClient.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        yield cls


def _carry_function_into_pools() -> None:
    """Work a function hands to a thread pool runs as that function (as it does in its Lambda)."""
    submit = concurrent.futures.ThreadPoolExecutor.submit

    def submit_in_context(self: concurrent.futures.ThreadPoolExecutor, fn: Callable[..., Any], /,
                          *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        if _FUNCTION.get() is None:
            return submit(self, fn, *args, **kwargs)
        return submit(self, contextvars.copy_context().run, fn, *args, **kwargs)

    setattr(concurrent.futures.ThreadPoolExecutor, "submit", submit_in_context)  # noqa: B010


def _caches_per_function() -> None:
    """A read cache and a secrets cache per function, as separate Lambda containers have."""
    from aws_lambda_powertools.utilities import parameters
    from aws_lambda_powertools.utilities.parameters.secrets import SecretsProvider
    from chalicelib.adapters.read_cache import ReadCache

    get = ReadCache.get
    invalidate = ReadCache.invalidate

    def get_per_function(self: ReadCache[Any, Any], key: Any, load: Callable[[], Any]) -> Any:
        return get(self, (_FUNCTION.get(), key), load)

    def invalidate_everywhere(self: ReadCache[Any, Any], key: Any = None) -> None:
        if key is None:
            invalidate(self, None)
            return
        with self._lock:
            self._generation += 1
            for cached in [cached for cached in self._entries if cached[1] == key]:
                del self._entries[cached]

    ReadCache.get = get_per_function  # type: ignore[method-assign]
    ReadCache.invalidate = invalidate_everywhere  # type: ignore[method-assign]

    providers: dict[str, SecretsProvider] = {}
    lock = threading.Lock()
    get_secret = parameters.get_secret
    clear_caches = parameters.clear_caches

    def get_secret_per_function(name: str, transform: Any = None, force_fetch: bool = False,
                                max_age: int | None = None, **sdk_options: Any) -> Any:
        function = _FUNCTION.get()
        if function is None:
            return get_secret(name, transform=transform, force_fetch=force_fetch, max_age=max_age, **sdk_options)
        with lock:
            # One provider (and its boto3 client) per function for the process's life, as one per
            # Lambda container: making it per call built a client per secret read, most of the
            # runtime's CPU per webhook.
            provider = providers.get(function)
            if provider is None:
                provider = providers[function] = SecretsProvider()
        return provider.get(name, max_age=max_age, transform=transform, force_fetch=force_fetch, **sdk_options)

    def clear_every_cache() -> None:
        clear_caches()  # type: ignore[no-untyped-call]
        with lock:
            for provider in providers.values():
                provider.clear_cache()  # type: ignore[no-untyped-call]

    parameters.get_secret = get_secret_per_function
    parameters.clear_caches = clear_every_cache


# --- the fixture --------------------------------------------------------------------------------


def as_document(calls: Iterable[Call]) -> dict[str, dict[str, list[str]]]:
    """``{function: {action: [resources]}}``, sorted, as the fixture stores it."""
    document: dict[str, dict[str, set[str]]] = {}
    for call in calls:
        document.setdefault(call.function, {}).setdefault(call.action, set()).add(call.resource)
    return {function: {action: sorted(found) for action, found in sorted(actions.items())}
            for function, actions in sorted(document.items())}


def from_document(document: Mapping[str, Mapping[str, Iterable[str]]]) -> set[Call]:
    return {Call(function, action, resource)
            for function, actions in document.items() for action, found in actions.items() for resource in found}


def load_fixture(path: Path = FIXTURE) -> set[Call]:
    return from_document(json.loads(path.read_text())) if path.exists() else set()


def stale_message(missing: Iterable[Call], path: Path = FIXTURE) -> str:
    lines = "\n".join(f"  - {call.describe()}" for call in sorted(missing))
    return (f"{path.relative_to(ROOT)} is stale: the code made AWS calls it does not list:\n{lines}\n"
            f"Run `{RECORD_COMMAND}` and commit the fixture; the infra suite's least-privilege test "
            "(tests/infra/test_least_privilege.py) then says which grant each new call needs.")


def merge(directory: Path, fixture: Path) -> set[Call]:
    calls: set[Call] = set()
    for part in sorted(directory.glob("calls-*.json")):
        calls |= from_document(json.loads(part.read_text()))
    fixture.write_text(json.dumps(as_document(calls), indent=1, sort_keys=True) + "\n")
    return calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.aws_calls")
    commands = parser.add_subparsers(dest="command", required=True)
    merging = commands.add_parser("merge", help="unite the recorded calls of every process into the fixture")
    merging.add_argument("directory", type=Path)
    merging.add_argument("fixture", type=Path, nargs="?", default=FIXTURE)
    args = parser.parse_args(argv)
    calls = merge(args.directory, args.fixture)
    print(f"{len(calls)} calls of {len({call.function for call in calls})} functions -> {args.fixture}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
