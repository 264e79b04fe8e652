"""The whole system on one machine: moto, the resources, the API and web app on one origin,
the SQS pollers and the channel simulator."""

from __future__ import annotations

import importlib
import importlib.util
import json
import logging
import mimetypes
import os
import random
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import IO, Any

import boto3
import requests
from chalicelib.core import resources, web_policy
from moto.server import ThreadedMotoServer

from . import aws_calls
from .atomic_dynamodb import make_writes_atomic
from .atomic_sqs import receive_each_message_once
from .bounded_memory import bound_moto_bookkeeping
from .cognito import install_cognito_behaviour
from .concurrent_chalice import one_request_per_thread
from .http_serving import LocalHTTPServer
from .mailbox import Mailbox
from .moto_dispatch import remember_backends_by_host
from .persistence import StateKeeper, claim_data_dir
from .pollers import LONG_POLL_SECONDS, Poller, consumers_of, stop_pollers
from .provision import LocalResources, provision
from .push import LocalWebSocketApi, websocket_handlers
from .s3_post_policy import enforce_post_policies
from .s3_preflight import answer_preflights_from_cors_rules
from .schedules import LocalSchedules
from .shared_botocore_session import share_one_botocore_session
from .simulator import ChannelSimulator, SimulatedAccount, StoredMail, moto_sent_mail, serve
from .step_functions_log import quiet_path_misses

log = logging.getLogger("local.runtime")

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
FRONTEND_DIST = ROOT / "frontend" / "dist"
API_PREFIX = "/api"
CHALICE_APP_MODULE = "contact_functions_app"
# The Lambda functions behind the REST API, as the stack names them (infra/constants.py).
API_HANDLER = "APIHandler"
WEBHOOK_INTAKE = "webhook_intake"
WEBHOOK_ROUTE_PREFIX = "/webhooks/"
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
PUSH_STAGE = "api"  # Chalice gives the WebSocket API the REST API's stage (infra/constants.API_STAGE)


DEFAULT_DATA_DIR = ROOT / ".local" / "data"


class StartFailed(RuntimeError):
    """One part of the local runtime did not start: the message names it and why."""


@contextmanager
def _starting(part: str) -> Iterator[None]:
    try:
        yield
    except StartFailed:
        raise
    except Exception as error:
        raise StartFailed(f"{part}: {type(error).__name__}: {error}") from error


def busy_ports(ports: dict[str, int]) -> dict[str, int]:
    """Those of these ports (by option name) that another program listens on (0: any port)."""
    busy = {}
    for option, port in ports.items():
        if port == 0:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers bind
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                busy[option] = port
    return busy


# The kernel's ephemeral range (Linux's default when it cannot be read; macOS's starts higher still).
_EPHEMERAL_PORTS = Path("/proc/sys/net/ipv4/ip_local_port_range")
_LOWEST_PORT = 10_000
_PICK = random.SystemRandom()  # no test's seed makes two runtimes pick alike


def _ephemeral_start() -> int:
    try:
        return int(_EPHEMERAL_PORTS.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768


def free_port() -> int:
    """A port to listen on later, free now. Picked below the kernel's ephemeral range: a port is
    chosen here seconds before its server binds it, and a port of that range can meanwhile become
    the local end of one of the many short connections the runtime opens (to moto, to itself),
    which made a server's bind fail now and then ("Address already in use"). Below that range only
    a process choosing as this does can take it, and the choice is random."""
    top = max(_LOWEST_PORT + 1, _ephemeral_start())
    for _ in range(100):
        port = _PICK.randrange(_LOWEST_PORT, top)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise OSError(f"no free port between {_LOWEST_PORT} and {top}")


@dataclass
class RuntimeConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    moto_port: int = 5000
    simulator_port: int = 8001
    # The WebSocket API (local/push.py): browsers connect here; the push worker posts to the management port.
    push_port: int = 8002
    push_management_port: int = 8003
    app_name: str = "open-contact"
    region: str = "us-east-1"
    frontend_dist: Path = FRONTEND_DIST
    retry_base_seconds: int = 2
    retry_delay_seconds: int = 1
    seed: bool = True
    # Tests drive the pollers one batch at a time instead (Poller.poll_once).
    start_pollers: bool = True
    poll_wait_seconds: int = LONG_POLL_SECONDS
    # How long a received message stays invisible; None keeps each queue's own setting.
    receive_visibility_seconds: int | None = None
    # False: a poll hands over what one receive returns, ignoring the queues' batching windows (the
    # cost probe steps the pipeline one change at a time and prices the windows in its monthly bill).
    batching_windows: bool = True
    # Where the state is kept between runs (None: nothing is kept, as in the tests); fresh: start empty.
    data_dir: Path | None = None
    fresh: bool = False
    # Tags, quick replies, templates, a second team and waiting customers (local/demo_content.py).
    demo_content: bool = False
    # Batches of one queue handled at once, as Lambda runs concurrent invocations per event source
    # (a FIFO queue still gives each message group to one batch at a time).
    pollers_per_queue: int = 3


@dataclass
class RuntimeInfo:
    web_url: str
    api_url: str
    webhook_base_url: str
    simulator_url: str
    moto_url: str
    push_url: str = ""
    push_management_url: str = ""
    demo: dict[str, Any] = field(default_factory=dict)
    # What a separate worker process needs to run the queue handlers (``python -m local.workers``).
    worker_environment: dict[str, str] = field(default_factory=dict)


@dataclass
class CpuMeter:
    """CPU time the API function's handler spent (the serving thread's only: moto answers in
    threads of its own), and in how many invocations: the cost probe's Lambda duration."""

    seconds: float = 0.0
    invocations: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)  # requests are served concurrently

    def add(self, seconds: float) -> None:
        with self.lock:
            self.seconds += seconds
            self.invocations += 1


class _ApiAndWebHandler(BaseHTTPRequestHandler):
    """API Gateway in front of the Chalice apps under /api (the webhooks' HTTP API and the agents'
    REST API share the prefix here), CloudFront-like static hosting elsewhere."""

    gateway: Any
    webhook_gateway: Any
    api_cpu: CpuMeter
    static_root: Path
    web_headers: dict[str, str]
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug(format, *args)

    def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in {"content-length", "connection", "transfer-encoding"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self) -> None:
        if self.path == API_PREFIX or self.path.startswith(API_PREFIX + "/"):
            self._api()
        elif self.command in {"GET", "HEAD"}:
            self._static()
        else:
            self._reply(405, {"Content-Type": "application/json"}, b'{"error":{"code":"method_not_allowed"}}')

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    def _api(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._reply(413, {"Content-Type": "application/json"},
                        b'{"error":{"code":"payload_too_large","message":"request body exceeds 10 MB"}}')
            self.close_connection = True
            return
        body = self.rfile.read(length) if length else None
        from chalice.local import LocalGatewayException

        path = self.path[len(API_PREFIX):] or "/"
        headers = {name.lower(): value for name, value in self.headers.items()}
        function = function_of_path(path)
        gateway = self.webhook_gateway if function == WEBHOOK_INTAKE else self.gateway
        try:
            # Concurrent: the app's current request is per thread (local/concurrent_chalice.py).
            started = time.thread_time()
            with aws_calls.invoked_as(function):
                response = gateway.handle_request(self.command, path, headers, body)
            self.api_cpu.add(time.thread_time() - started)
        except LocalGatewayException as error:
            if function == WEBHOOK_INTAKE and error.CODE == 403:
                # No such route: an HTTP API answers 404 where a REST API (Chalice's local gateway) says 403.
                self._reply(404, {"Content-Type": "application/json"}, b'{"message":"Not Found"}')
                return
            self._reply(error.CODE, {"Content-Type": "application/json"},
                        error.body or b'{"error":{"code":"not_found","message":"no such route"}}')
            return
        payload = response.get("body") or ""
        data = payload.encode() if isinstance(payload, str) else bytes(payload)
        if response.get("isBase64Encoded"):
            import base64

            data = base64.b64decode(data)
        self._reply(int(response["statusCode"]), dict(response.get("headers") or {}), data)

    def _static(self) -> None:
        relative = self.path.split("?")[0].lstrip("/") or "index.html"
        target = (self.static_root / relative).resolve()
        if not target.is_relative_to(self.static_root.resolve()) or not target.is_file():
            target = self.static_root / "index.html"  # single-page app fallback, as CloudFront does
        if not target.is_file():
            self._reply(404, {"Content-Type": "text/plain", **self.web_headers},
                        b"web app not built: run make build-frontend")
            return
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        # The headers CloudFront's response headers policy adds in AWS (shared/core/web_policy.py).
        self._reply(200, {"Content-Type": content_type, "Cache-Control": "no-cache", **self.web_headers},
                    target.read_bytes())


class LocalRuntime:
    def __init__(self, config: RuntimeConfig) -> None:
        self.config = config
        self.moto: ThreadedMotoServer | None = None
        self.resources: LocalResources | None = None
        self.app_module: ModuleType | None = None
        self.pollers: list[Poller] = []
        self.api_cpu = CpuMeter()
        # Mail the user pool sends agents (invitations, reset codes); the simulator page shows it.
        self.mailbox = Mailbox()
        self.simulator = ChannelSimulator(mail_store=self._store_mail, sent_mail=moto_sent_mail(config.region),
                                          staff_mailbox=self.mailbox)
        self._servers: list[ThreadingHTTPServer] = []
        self.push: LocalWebSocketApi | None = None
        self.info: RuntimeInfo | None = None
        self.schedules: LocalSchedules | None = None
        self.state: StateKeeper | None = None
        self._data_dir_claim: IO[str] | None = None
        self.restored: dict[str, int] = {}

    @property
    def moto_url(self) -> str:
        return f"http://127.0.0.1:{self.config.moto_port}"

    def start(self) -> RuntimeInfo:
        config = self.config
        if config.data_dir is not None:
            with _starting("taking the data folder"):
                self._data_dir_claim = claim_data_dir(config.data_dir)
        for name in ("port", "moto_port", "simulator_port", "push_port", "push_management_port"):
            if getattr(config, name) == 0:
                setattr(config, name, free_port())
        with _starting(f"moto (the AWS APIs) on port {config.moto_port}"):
            self._start_moto()
        web_url = f"http://{config.host}:{config.port}"
        with _starting("creating the AWS resources in moto"):
            self.resources = provision(self.moto_url, config.region, config.app_name, web_url)
        api_url = web_url + API_PREFIX
        os.environ.update(self.resources.function_environment(api_url))
        os.environ[resources.ENV_RETRY_BASE_SECONDS] = str(config.retry_base_seconds)
        os.environ.update(push_environment(config))
        from chalicelib.core.settings import get_settings

        get_settings.cache_clear()  # settings are read once; read them again with this environment
        with _starting("importing the Chalice app (functions/app.py)"):
            self.app_module = _import_app()
        with _starting(f"the channel simulator on port {config.simulator_port}"):
            simulator_server = serve(self.simulator, "127.0.0.1", config.simulator_port)
        self._servers.append(simulator_server)
        simulator_url = f"http://127.0.0.1:{config.simulator_port}"
        with _starting(f"the web app and API on port {config.port}"):
            self._start_web(self.app_module)
        with _starting(f"the WebSocket API on ports {config.push_port} and {config.push_management_port}"):
            self.push = LocalWebSocketApi(websocket_handlers(self.app_module.app), host="127.0.0.1",
                                          port=config.push_port, management_port=config.push_management_port,
                                          stage=PUSH_STAGE)
            self.push.start()
        self.info = RuntimeInfo(web_url=web_url, api_url=api_url, webhook_base_url=f"{api_url}/webhooks",
                                simulator_url=simulator_url, moto_url=self.moto_url, push_url=self.push.url,
                                push_management_url=self.push.management_endpoint,
                                worker_environment=worker_environment(self.config, self.resources))
        with _starting(f"restoring the saved state from {config.data_dir} (python -m local --fresh starts empty)"):
            self._restore_state()
        if config.seed:
            with _starting("the demo data"):
                self._seed(simulator_url)
        if self.state is not None:
            self.state.start_saving()
        self._start_pollers(self.app_module)
        self._start_schedules()
        return self.info

    def _start_schedules(self) -> None:
        """EventBridge Scheduler's hourly sweep (with the pollers: tests without them sweep on demand)."""
        assert self.resources is not None
        self.schedules = LocalSchedules(
            endpoint_url=self.moto_url, region=self.config.region,
            machine_arn=self.resources.state_machine_arns[resources.AUTO_DELETE_MACHINE.key],
            purge_queue_url=self.resources.queue_urls[resources.PURGE_QUEUE.key])
        self.simulator.sweep = self.schedules.sweep_and_wait
        if self.config.start_pollers:
            self.schedules.start()

    def _restore_state(self) -> None:
        """The saved state back into moto (unless --fresh), before anything reads or writes it."""
        if self.config.data_dir is None:
            return
        assert self.resources is not None
        self.state = StateKeeper(self.config.data_dir, self.resources)
        if self.config.fresh:
            self.state.forget()
        if self.state.has_state():
            self.restored = self.state.restore()

    def _start_moto(self) -> None:
        os.environ.update(aws_environment(self.config))
        aws_calls.install()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's request log
        quiet_path_misses()
        make_writes_atomic()
        receive_each_message_once()
        share_one_botocore_session()
        remember_backends_by_host()
        bound_moto_bookkeeping()
        install_cognito_behaviour(self.mailbox)
        answer_preflights_from_cors_rules()
        enforce_post_policies()
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self.config.moto_port, verbose=False)
        self.moto.start()
        requests.post(f"{self.moto_url}/moto-api/config", timeout=10,
                      json={"stepfunctions": {"execute_state_machine": True}}).raise_for_status()

    def _start_web(self, app_module: ModuleType) -> None:
        from chalice.config import Config
        from chalice.local import LocalGateway, RouteMatcher
        from chalicelib.api.webhook_intake import intake_app

        from .gateway_events import ApiGatewayEventConverter, HttpApiEventConverter

        config = Config.create(chalice_stage="dev", app_name=app_module.app.app_name, lambda_timeout=30,
                               lambda_memory_size=512)
        # The API function's own app (its handler in AWS), not the packaged app_module.app.
        api = api_function_app()
        one_request_per_thread(api)
        gateway = LocalGateway(api, config)
        # The events API Gateway sends, with the stage ("api", as Chalice names it) in
        # requestContext.path, not Chalice's thinner local ones.
        gateway.event_converter = ApiGatewayEventConverter(
            RouteMatcher(list(api.routes)), api.api.binary_types, stage=API_PREFIX.strip("/"))
        # The webhook routes are the intake's app alone, behind an HTTP API in AWS (payload format 1.0).
        intake = intake_app()
        one_request_per_thread(intake)
        # Its Lambda context names the intake, as its log lines do in AWS.
        webhook_gateway = LocalGateway(intake, config.scope("dev", WEBHOOK_INTAKE))
        webhook_gateway.event_converter = HttpApiEventConverter(
            RouteMatcher(list(intake.routes)), intake.api.binary_types, stage=API_PREFIX.strip("/"))
        handler = type("Handler", (_ApiAndWebHandler,), {
            "gateway": gateway, "webhook_gateway": webhook_gateway, "api_cpu": self.api_cpu,
            "static_root": self.config.frontend_dist,
            # The media bucket is moto here: presigned uploads and media come from its origin.
            "web_headers": web_policy.web_headers([self.moto_url],
                                                  [f"ws://127.0.0.1:{self.config.push_port}"]),
        })
        server = LocalHTTPServer((self.config.host, self.config.port), handler)
        threading.Thread(target=server.serve_forever, name="api-and-web", daemon=True).start()
        self._servers.append(server)

    def _start_pollers(self, app_module: ModuleType) -> None:
        assert self.resources is not None
        self.pollers = pollers_for(app_module, self.config, self.resources.queue_urls)
        if self.config.start_pollers:
            for poller in self.pollers:
                poller.start()

    def _seed(self, simulator_url: str) -> None:
        from .seed import DEMO_PASSWORD, rewire_demo_accounts, seed_demo, stored_demo_users

        assert self.resources is not None
        assert self.info is not None
        if self.restored:
            users = stored_demo_users(self.resources)
            accounts = rewire_demo_accounts(self.resources, simulator_url=simulator_url,
                                            webhook_base_url=self.info.webhook_base_url)
        else:
            users, accounts = seed_demo(self.resources, simulator_url=simulator_url,
                                        webhook_base_url=self.info.webhook_base_url)
            if self.config.demo_content:
                from .demo_content import add_demo_content

                users += add_demo_content(self.resources, users)
        by_channel: dict[str, dict[str, str]] = {}
        for demo in accounts:
            account = demo.account
            webhook_url = f"{self.info.webhook_base_url}/{account.channel.value}/{account.id}"
            self.simulator.add_account(SimulatedAccount(
                channel=account.channel.value, account_id=account.id, provider_account_id=account.provider_account_id,
                name=account.name, webhook_url=webhook_url, credentials=demo.credentials, details=demo.details))
            by_channel[account.channel.value] = {"account_id": account.id, "name": account.name,
                                                 "provider_account_id": account.provider_account_id,
                                                 "webhook_url": webhook_url}
        whatsapp = next(d for d in accounts if d.account.id == "wa-demo")
        self.info.demo = {
            "password": DEMO_PASSWORD,
            "users": [{"email": u.email, "role": u.role.value, "id": u.id, "team_ids": list(u.team_ids)}
                      for u in users],
            "whatsapp": {"account_id": whatsapp.account.id, "phone_number_id": whatsapp.account.provider_account_id,
                         "app_secret": whatsapp.credentials["app_secret"],
                         "verify_token": whatsapp.credentials["verify_token"]},
            "accounts": by_channel,
        }

    def _store_mail(self, mail: StoredMail) -> None:
        """SES's S3 action: the raw MIME into the media bucket on moto."""
        assert self.resources is not None
        boto3.client("s3", endpoint_url=self.moto_url, region_name=self.config.region).put_object(
            Bucket=self.resources.media_bucket, Key=mail.key, Body=mail.data)

    def poller(self, queue_key: str) -> Poller:
        return next(p for p in self.pollers if p.consumer.queue.key == queue_key)

    def stop(self) -> None:
        self.simulator.close()
        if self.schedules is not None:
            self.schedules.stop()
        stop_pollers(self.pollers)
        if self.push is not None:
            self.push.stop()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        if self.state is not None:
            self.state.stop()  # the last save, once nothing writes any more
        if self.moto is not None:
            self.moto.stop()
        if self._data_dir_claim is not None:
            self._data_dir_claim.close()  # the folder is free for the next start
            self._data_dir_claim = None
        aws_calls.save()


def aws_environment(config: RuntimeConfig) -> dict[str, str]:
    """The environment that points boto3 (and so the functions) at the local moto server."""
    moto_url = f"http://127.0.0.1:{config.moto_port}"
    return {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": config.region, "AWS_REGION": config.region,
        "AWS_ENDPOINT_URL": moto_url,
        # moto's Step Functions executor calls SQS and DynamoDB back on this port.
        "MOTO_PORT": str(config.moto_port),
        "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_DEV": "false",
    }


def worker_environment(config: RuntimeConfig, local: LocalResources) -> dict[str, str]:
    return {
        **aws_environment(config),
        **local.function_environment(f"http://{config.host}:{config.port}{API_PREFIX}"),
        resources.ENV_RETRY_BASE_SECONDS: str(config.retry_base_seconds),
        **push_environment(config),
    }


def push_environment(config: RuntimeConfig) -> dict[str, str]:
    """Where browsers connect and where the push worker posts, as the stack sets them in AWS."""
    return {
        resources.ENV_PUSH_URL: f"ws://127.0.0.1:{config.push_port}/{PUSH_STAGE}",
        resources.ENV_PUSH_ENDPOINT: f"http://127.0.0.1:{config.push_management_port}/{PUSH_STAGE}",
    }


def pollers_for(app_module: ModuleType, config: RuntimeConfig, queue_urls: dict[str, str]) -> list[Poller]:
    """``pollers_per_queue`` pollers per queue consumer of the Chalice app (not started)."""
    return [Poller(consumer, region=config.region, endpoint_url=f"http://127.0.0.1:{config.moto_port}",
                   retry_delay_seconds=config.retry_delay_seconds, wait_seconds=config.poll_wait_seconds,
                   visibility_timeout_seconds=config.receive_visibility_seconds,
                   batching_window=config.batching_windows)
            for consumer in consumers_of(app_module, queue_urls, config.region, config.app_name)
            for _ in range(max(1, config.pollers_per_queue))]


def _import_app() -> ModuleType:
    """Import the Chalice app (``functions/app.py``, with ``chalicelib`` beside it, as Lambda
    sees them). It gets its own module name, since the CDK app at the root is also ``app.py``."""
    return load_functions_app()


def load_functions_app() -> ModuleType:
    if str(FUNCTIONS_DIR) not in sys.path:
        sys.path.insert(0, str(FUNCTIONS_DIR))
    if CHALICE_APP_MODULE in sys.modules:
        return sys.modules[CHALICE_APP_MODULE]
    spec = importlib.util.spec_from_file_location(CHALICE_APP_MODULE, FUNCTIONS_DIR / "app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[CHALICE_APP_MODULE] = module
    spec.loader.exec_module(module)
    return module


def api_function_app() -> Any:
    """The API function's Chalice app, found by its handler string as Lambda finds it
    (``resources.API_FUNCTION_HANDLER``, which the stack sets): the agents' routes alone."""
    load_functions_app()  # chalicelib on the path, as beside the handler in the package
    module, _, attribute = resources.API_FUNCTION_HANDLER.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def function_of_path(path: str) -> str:
    """The Lambda function API Gateway invokes for a path (the providers' webhooks have an HTTP API
    and a function of their own, infra/constructs/webhook_api.py)."""
    return WEBHOOK_INTAKE if path.startswith(WEBHOOK_ROUTE_PREFIX) else API_HANDLER


def info_json(info: RuntimeInfo) -> str:
    return json.dumps(info.__dict__)
