"""Cold start per function: what a Lambda container of each function imports and builds before it
can handle its first event, timed in a fresh interpreter, as a ratio to ``import boto3`` timed in
the same run (the machine's speed and load cancel out).

    python -m benchmarks.cold_start

A function's cold start is the import of the module its handler string names (the API's is
``chalicelib.api.api_handler``, ``resources.API_FUNCTION_HANDLER``, which the stack sets over Chalice's
``app.app``; ``chalicelib.api.workers`` for every queue worker; ``chalicelib.api.webhook_intake``; the push
worker's ``chalicelib.api.push_worker``) and then the use cases its handler asks ``wiring`` for on its
first event (``USE_CASES``), the channel adapter that event resolves (``ADAPTER_USERS``) and the
libraries it imports where it uses them (``FIRST_EVENT_IMPORTS``), and the models that event validates
(``FIRST_EVENT_MODELS``; ours are built when first used): the wiring's factories import what they
build, so a function pays for its own handler's dependencies only. No AWS call is made:
building a use case constructs its stores and clients, it reads nothing.

The child runs with the environment a deployed function has: the stack's variables and Lambda's
own (``LAMBDA_TASK_ROOT``, ``AWS_LAMBDA_FUNCTION_NAME``, ``_HANDLER``). Both change what an import
does: the stack turns active tracing on, so Powertools' tracer patches botocore and http.client; the
X-Ray SDK sees Lambda and takes its local sampler (outside Lambda it builds two botocore clients for
centralised sampling, work no function does); the settings are read at import; the cycle collector
makes no pass until the handler's module is loaded (shared/api/cold_start.py).

Every module is timed as the package holds it (``--package``): ``bytecode`` (the default), as the
stack ships it when the deploying machine has the runtime's Python (infra/constructs/bytecode.py):
every module, ours and the libraries', loads compiled; ``sources``, as it ships without one (and
as Chalice alone packages it): every module is compiled on every cold start, ``import boto3``'s
too. Each mode has a bytecode cache of its own (``PYTHONPYCACHEPREFIX``), empty and never written
for ``sources``, filled by a first untimed run for ``bytecode``, so the venv's own caches play no part.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from chalicelib.core import resources

FUNCTIONS_DIR = Path(__file__).resolve().parent.parent / "functions"
RUNS = 5
PACKAGES = ("bytecode", "sources")

# The wiring factories each function's handler calls on its first event.
API_FIRST_REQUEST = ("token_verifier", "user_store", "team_store", "inbox")  # an agent reads a list
USE_CASES: dict[str, tuple[str, ...]] = {
    "api_handler": API_FIRST_REQUEST,
    "webhook_intake": ("intake",),
    "route_inbound": ("router",),
    "apply_statuses": ("status_recorder",),
    "assign_conversation": ("assigner",),
    "send_out_of_office": ("out_of_office",),
    "check_window": ("dispatcher",),
    "send_outbound": ("dispatcher",),
    "purge_conversation": ("auto_deletion",),
    "reschedule_deletions": ("auto_deletion",),
    "copy_media": ("media_copier",),
    "deliver_events": ("event_delivery",),
    "push_notices": ("push_fan_out",),
    "build_export": ("export_jobs",),
    # The WebSocket routes' functions (shared/api/push.py): a tab's socket opening (which verifies the
    # tab's token: its verifier is built with the first opening), its messages, its close.
    "push_connect": ("push_connections", "token_verifier"),
    "push_message": ("push_connections",),
    "push_disconnect": ("push_connections",),
}

# The channel adapter a function's first event resolves (``chalicelib.channels`` imports an adapter
# when its channel is first asked for): a send, a media copy, a webhook. WhatsApp stands for the
# channel of that event. The window check and the routing worker use no adapter (routing's calls to
# a provider are made on first use, for a customer the channel does not name).
FIRST_EVENT_CHANNEL = "whatsapp"
ADAPTER_USERS = frozenset({"send_outbound", "copy_media", "webhook_intake"})
# Libraries a first event imports where it uses them: the export worker builds the file the web app
# asks for by default, a PDF (domain/transcript.py imports fpdf when it writes one).
FIRST_EVENT_IMPORTS: dict[str, tuple[str, ...]] = {"build_export": ("fpdf",)}
# The models a first event validates and answers with (``module:Model``): ours are built when first used
# (core/model_base.py), so a cold start counts the building of these. A worker's queue record (its body's
# model with it) and, for routing, the conversation and message it writes; the API's list query and page;
# a WhatsApp webhook's payload and the envelope the intake queues; the push worker's notice batch; the
# user a WebSocket opening or heartbeat reads.
_WORKERS = "chalicelib.api.workers"
FIRST_EVENT_MODELS: dict[str, tuple[str, ...]] = {
    "api_handler": ("chalicelib.api.schemas.inputs:ConversationListQuery",
                    "chalicelib.api.schemas.outputs:ConversationPage"),
    "webhook_intake": ("chalicelib.channels.meta.whatsapp:_Entry", "chalicelib.domain.models:InboundEnvelope"),
    "route_inbound": (f"{_WORKERS}:InboundRecord", "chalicelib.domain.models:Conversation",
                      "chalicelib.domain.models:Message"),
    "apply_statuses": (f"{_WORKERS}:StatusRecord",),
    "assign_conversation": (f"{_WORKERS}:AssignmentRecord",),
    "send_out_of_office": (f"{_WORKERS}:FollowUpRecord",),
    "check_window": (f"{_WORKERS}:OutboundRecord",),
    "send_outbound": (f"{_WORKERS}:OutboundRecord",),
    "purge_conversation": (f"{_WORKERS}:PurgeRecord",),
    "reschedule_deletions": (f"{_WORKERS}:RescheduleRecord",),
    "copy_media": (f"{_WORKERS}:MediaRecord",),
    "deliver_events": (f"{_WORKERS}:EventsRecord",),
    "build_export": (f"{_WORKERS}:ExportRecord",),
    "push_notices": ("chalicelib.domain.notices:NoticeBatch",),
    # The user a socket's opening and its heartbeats read (the token's subject).
    "push_connect": ("chalicelib.domain.models:User",),
    "push_message": ("chalicelib.domain.models:User",),
}

# What the stack gives every function (infra/stack.py; names only, nothing is called), and what
# Lambda's runtime sets before it imports the handler (the function's name is added per run).
FUNCTION_ENVIRONMENT = {
    resources.ENV_APP_NAME: "open-contact",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "LAMBDA_TASK_ROOT": str(FUNCTIONS_DIR),
    "POWERTOOLS_SERVICE_NAME": "open-contact",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "POWERTOOLS_METRICS_NAMESPACE": "OpenContact",
    resources.ENV_USER_POOL_ID: "us-east-1_cold",
    resources.ENV_USER_POOL_CLIENT_ID: "cold-client",
    resources.ENV_PUBLIC_API_URL: "https://api.example.com/api",
    resources.ENV_RETRY_MACHINE_ARN: "arn:aws:states:us-east-1:123456789012:stateMachine:cold-retry",
    resources.ENV_MEDIA_BUCKET: "cold-media",
    resources.ENV_PUSH_ENDPOINT: "https://push.example.com/api",
    **{resources.queue_url_env(queue): f"https://sqs.us-east-1.amazonaws.com/123456789012/cold-{queue.key}"
       for queue in resources.QUEUES},
}

_COLD_START = """
import json, sys, time
started, started_cpu = time.perf_counter(), time.process_time()
import importlib
importlib.import_module({module!r})
if {factories!r}:
    from chalicelib import wiring
    for factory in {factories!r}:
        getattr(wiring, factory)()
if {channel!r}:
    from chalicelib.channels import adapter_for
    adapter_for({channel!r})
for name in {imports!r}:
    importlib.import_module(name)
def build(path):  # in a function: pydantic resolves a deferred model's names from its caller's frames
    module, _, model = path.partition(":")
    getattr(importlib.import_module(module), model).__pydantic_validator__.validate_python
for path in {models!r}:
    build(path)
elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
print(json.dumps({{"seconds": elapsed, "cpu_seconds": cpu, "modules": sorted(sys.modules)}}))
"""


# Set by the local runtime and by tests, never by the stack: the functions trace.
_NOT_IN_LAMBDA = ("POWERTOOLS_TRACE_DISABLED", "POWERTOOLS_DEV", "AWS_SAM_LOCAL", "AWS_CHALICE_CLI_MODE")


def function_environment(function: str) -> dict[str, str]:
    """This process's environment as a deployed function ``function`` sees it at its cold start."""
    env = {name: value for name, value in os.environ.items() if name not in _NOT_IN_LAMBDA}
    return {**env, **FUNCTION_ENVIRONMENT, "AWS_LAMBDA_FUNCTION_NAME": f"open-contact-dev-{function}"}


_compiled: set[tuple[str, str]] = set()  # (function, code) compiled into the bytecode package's cache


@cache
def _bytecode_cache(package: str) -> str:
    """The bytecode cache of a package mode: a fresh directory for this process."""
    return tempfile.mkdtemp(prefix=f"cold-start-{package}-")


def package_environment(package: str) -> dict[str, str]:
    """What makes a child load modules as a package of that mode holds them (module docstring)."""
    if package not in PACKAGES:
        raise ValueError(f"package is one of {PACKAGES}, not {package!r}")
    return {"PYTHONPYCACHEPREFIX": _bytecode_cache(package), "PYTHONDONTWRITEBYTECODE": "1"}


def _timed(module: str, factories: tuple[str, ...], function: str, channel: str | None,
           imports: tuple[str, ...] = (), models: tuple[str, ...] = (), *, counted: bool = False,
           package: str = "bytecode") -> dict[str, Any]:
    """One cold start in a child: its times and modules, and with ``counted`` the instructions the
    whole child executed (under valgrind, 20-50 times slower; the same count on every run). For a
    ``bytecode`` package, an untimed run first compiles what the cold start imports (once per process)."""
    code = _COLD_START.format(module=module, factories=factories, channel=channel, imports=imports, models=models)
    # Lambda names the handler ``<module>.<function>`` in ``_HANDLER`` before it imports the module
    # (the cold start reads its module from it: shared/api/cold_start.py).
    env = {**function_environment(function), **package_environment(package), "_HANDLER": f"{module}.{function}"}
    command = [sys.executable, "-c", code]
    if package == "bytecode" and (function, code) not in _compiled:
        _compiled.add((function, code))
        subprocess.run(command, cwd=FUNCTIONS_DIR, env={**env, "PYTHONDONTWRITEBYTECODE": ""},  # noqa: S603
                       check=True, capture_output=True)
    if counted:  # PYTHONHASHSEED: the same hashes, so the same count
        command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command]
        env = {**env, "PYTHONHASHSEED": "0"}
    child = subprocess.run(command, cwd=FUNCTIONS_DIR, env=env, check=True,  # noqa: S603
                           capture_output=True, text=True)
    result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    if counted:
        result["instructions"] = int(re.search(r"Collected : (\d+)", child.stderr)[1])  # type: ignore[index]
    return result


def cold_start(module: str, factories: tuple[str, ...] = (), *, function: str = "cold_start",
               channel: str | None = None) -> tuple[float, list[str]]:
    """(seconds, modules loaded) of one cold start in a fresh interpreter run in functions/: the
    handler module imported, the factories built, the channel's adapter resolved."""
    result = _timed(module, factories, function, channel)
    return float(result["seconds"]), list(result["modules"])


# A child that imports a handler module as Lambda does and says what the cycle collector did meanwhile
# (shared/api/cold_start.py; tests/unit/test_cold_imports.py and tests/infra/test_functions.py ask it).
_COLLECTOR_PROBE = """
import gc, importlib, json, sys
passes = []
def count(phase, info):  # the passes from the moment the pause could have begun (api/__init__.py)
    if phase == "start" and "chalicelib.api.cold_start" in sys.modules:
        passes.append(info["generation"])
gc.callbacks.append(count)
importlib.import_module(sys.argv[1])
print(json.dumps({"passes": len(passes), "enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}))
"""


def collector_at_cold_start(module: str, handler: str | None) -> dict[str, Any]:
    """What the cycle collector did while a fresh interpreter imported ``module``, with Lambda's
    ``_HANDLER`` set to ``handler`` (None: not in Lambda) and the function's other variables."""
    env = {name: value for name, value in function_environment("cold_start").items() if name != "_HANDLER"}
    if handler is not None:
        env["_HANDLER"] = handler
    child = subprocess.run([sys.executable, "-c", _COLLECTOR_PROBE, module], cwd=FUNCTIONS_DIR, env=env,  # noqa: S603
                           check=True, capture_output=True, text=True)
    answer: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return answer


def handler_modules() -> dict[str, str]:
    """The module each function's handler string names (Chalice: ``<module>.<function>``), read
    from the app as the packaging reads it (in a child: the import is what is timed); the API
    function's is the stack's (``resources.API_FUNCTION_HANDLER``)."""
    code = ("import json, app; print(json.dumps({s.name: s.handler_string.rpartition('.')[0] "
            "for s in [*app.app.event_sources, *app.app.pure_lambda_functions, "
            "*app.app.websocket_handlers.values()]}))")
    output = subprocess.run([sys.executable, "-c", code], cwd=FUNCTIONS_DIR,  # noqa: S603
                            env=function_environment("api_handler"), check=True, capture_output=True, text=True).stdout
    return {"api_handler": resources.API_FUNCTION_MODULE, **json.loads(output.strip().splitlines()[-1])}


def first_event_channel(function: str) -> str | None:
    return FIRST_EVENT_CHANNEL if function in ADAPTER_USERS else None


class Row(NamedTuple):
    function: str
    module: str
    seconds: float  # median wall time
    ratio: float  # to import boto3's, wall time
    cpu_ratio: float  # the same in CPU time: what the machine's other work does not stretch


def ratios(runs: int = RUNS, package: str = "bytecode") -> list[Row]:
    """A row per function, medians of ``runs``; the runs of every function and of the baseline are
    interleaved, so a busy moment hits them alike."""
    functions = handler_modules()
    wall: dict[str, list[float]] = {name: [] for name in [*functions, "boto3"]}
    cpu: dict[str, list[float]] = {name: [] for name in [*functions, "boto3"]}
    for _ in range(runs):
        for function, module in [("boto3", "boto3"), *functions.items()]:
            result = _timed(module, USE_CASES.get(function, ()), function, first_event_channel(function),
                            FIRST_EVENT_IMPORTS.get(function, ()), FIRST_EVENT_MODELS.get(function, ()),
                            package=package)
            wall[function].append(float(result["seconds"]))
            cpu[function].append(float(result["cpu_seconds"]))
    baseline, cpu_baseline = statistics.median(wall["boto3"]), statistics.median(cpu["boto3"])
    rows = [Row(function, module, statistics.median(wall[function]), statistics.median(wall[function]) / baseline,
                statistics.median(cpu[function]) / cpu_baseline)
            for function, module in functions.items()]
    rows.append(Row("(baseline)", "boto3", baseline, 1.0, 1.0))
    return rows


def instruction_ratios(package: str = "bytecode") -> dict[str, float]:
    """Per function, the instructions its cold start executes over ``import boto3``'s, each less an
    empty interpreter's (the child also prints its result): what neither load nor the machine moves."""
    def count(function: str, module: str) -> int:
        return int(_timed(module, USE_CASES.get(function, ()), function, first_event_channel(function),
                          FIRST_EVENT_IMPORTS.get(function, ()), FIRST_EVENT_MODELS.get(function, ()),
                          counted=True, package=package)["instructions"])
    empty, baseline = count("boto3", "json"), count("boto3", "boto3")
    return {function: (count(function, module) - empty) / (baseline - empty)
            for function, module in handler_modules().items()}


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table (docs/benchmarks.md)."""
    lines = ["| function | handler module | ms | / import boto3 | / import boto3, CPU time |",
             "|---|---|---:|---:|---:|"]
    lines += [f"| {row.function} | {row.module} | {row.seconds * 1000:.0f} | {row.ratio:.1f} | {row.cpu_ratio:.1f} |"
              for row in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS, help="cold starts per function (the median is shown)")
    parser.add_argument("--package", choices=PACKAGES, default="bytecode",
                        help="modules as the package holds them: compiled (the stack ships bytecode when the "
                             "deploying machine has the runtime's Python) or sources (compiled on every cold start)")
    parser.add_argument("--instructions", action="store_true",
                        help="instructions executed instead of time, one run each under valgrind (a few minutes)")
    arguments = parser.parse_args()
    if arguments.instructions:
        print(f"Cold start / import boto3, instructions executed (valgrind), less an empty interpreter's; "
              f"package: {arguments.package}\n")
        for function, ratio in instruction_ratios(arguments.package).items():
            print(f"{function:22} {ratio:.2f}")
        return 0
    runs = arguments.runs
    load = os.getloadavg()
    print(f"Cold start: handler module imported and its first event's use cases built, fresh interpreter, "
          f"median of {runs}; package: {arguments.package}; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the start\n")
    print(table(ratios(runs, arguments.package)))
    load = os.getloadavg()
    print(f"\nload average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
