"""API Gateway's WebSocket API on loopback: the same ``$connect``, ``$default`` and ``$disconnect``
handlers of the Chalice app, called with the event shapes API Gateway builds, and the management
API (``POST/GET/DELETE /<stage>/@connections/{id}``) the push worker reaches through boto3's
``apigatewaymanagementapi`` client with an endpoint URL, as in AWS.

As in AWS: a ``$connect`` answer that is not 2xx refuses the handshake with that status (no
connection exists); the subprotocol the handshake names is the one the handler's answer names; a
post to a connection that is gone answers 410 ``GoneException``. Not modelled: the 10-minute idle
and 2-hour connection limits, and route selection beyond ``$default`` (the app has no other route).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from chalice.local import LambdaContext
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from .aws_calls import invoked_as

log = logging.getLogger("local.push")

Handler = Callable[[dict[str, Any], Any], Any]
LOCAL_API_ID = "localpush"
GONE = b'{"message": "GoneException"}'


def _connection_id() -> str:
    # API Gateway's ids are 12 random bytes in base64 ("L0SM9cOFvHcCIhw=").
    return base64.b64encode(secrets.token_bytes(10)).decode()


def _now() -> tuple[int, str]:
    now = datetime.now(UTC)
    return int(now.timestamp() * 1000), now.strftime("%d/%b/%Y:%H:%M:%S +0000")


class LocalWebSocketApi:
    def __init__(self, handlers: dict[str, Handler], *, host: str, port: int, management_port: int,
                 stage: str) -> None:
        self._handlers = handlers
        self.host = host
        self.port = port
        self.management_port = management_port
        self.stage = stage
        self._loop = asyncio.new_event_loop()
        self._server: Server | None = None
        self._management: ThreadingHTTPServer | None = None
        self._connections: dict[str, ServerConnection] = {}
        self._ids: dict[ServerConnection, str] = {}
        self._connected_at: dict[str, int] = {}
        self._protocols: dict[ServerConnection, str | None] = {}
        self._lock = threading.Lock()
        # Until when handshakes are refused (POST /local/outage): a test's stand-in for a network outage.
        self._refuse_until = 0.0

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}/{self.stage}"

    @property
    def management_endpoint(self) -> str:
        return f"http://{self.host}:{self.management_port}/{self.stage}"

    # --- lifecycle ---

    def start(self) -> None:
        ready = threading.Event()

        async def listen() -> Server:
            return await serve(self._session, self.host, self.port, process_request=self._connect,
                               select_subprotocol=self._subprotocol, server_header=None, ping_interval=None)

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._server = self._loop.run_until_complete(listen())
            ready.set()
            self._loop.run_forever()

        threading.Thread(target=run, name="websocket-api", daemon=True).start()
        if not ready.wait(10):
            raise RuntimeError("the local WebSocket API did not start")
        handler = type("ManagementHandler", (_ManagementHandler,), {"api": self})
        self._management = ThreadingHTTPServer((self.host, self.management_port), handler)
        self._management.daemon_threads = True
        threading.Thread(target=self._management.serve_forever, name="websocket-management", daemon=True).start()

    def stop(self) -> None:
        if self._management is not None:
            self._management.shutdown()
            self._management.server_close()
        if self._server is not None:
            server = self._server
            asyncio.run_coroutine_threadsafe(self._close(server), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)

    @staticmethod
    async def _close(server: Server) -> None:
        server.close()
        await server.wait_closed()

    # --- the handlers, with API Gateway's events ---

    def _context(self, connection_id: str, route_key: str, event_type: str) -> dict[str, Any]:
        epoch, text = _now()
        request_id = uuid.uuid4().hex[:16]
        return {"routeKey": route_key, "eventType": event_type, "extendedRequestId": request_id,
                "requestTime": text, "messageDirection": "IN", "stage": self.stage,
                "connectedAt": self._connected_at.get(connection_id, epoch), "requestTimeEpoch": epoch,
                "identity": {"sourceIp": "127.0.0.1"}, "requestId": request_id,
                "domainName": f"{self.host}:{self.port}", "connectionId": connection_id, "apiId": LOCAL_API_ID}

    def _invoke(self, route_key: str, event: dict[str, Any]) -> dict[str, Any]:
        handler = self._handlers[route_key]
        context = LambdaContext(f"websocket{route_key}", memory_size=512, max_runtime_ms=30_000)
        try:
            answer = handler(event, context)
        except Exception:
            log.exception("WebSocket %s handler failed", route_key)
            return {"statusCode": 500}
        return answer if isinstance(answer, dict) else {"statusCode": 200}

    async def _connect(self, connection: ServerConnection, request: Request) -> Response | None:
        if time.monotonic() < self._refuse_until:
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "Service Unavailable\n")
        connection_id = _connection_id()
        path, _, query_string = request.path.partition("?")
        if path.rstrip("/") != f"/{self.stage}":
            return connection.respond(HTTPStatus.FORBIDDEN, "Forbidden\n")
        from urllib.parse import parse_qs

        query = {name: values[-1] for name, values in parse_qs(query_string).items()}
        headers = {name: value for name, value in request.headers.raw_items()}
        self._connected_at[connection_id] = _now()[0]
        event = {"headers": headers, "multiValueHeaders": {name: [value] for name, value in headers.items()},
                 "queryStringParameters": query or None,
                 "multiValueQueryStringParameters": {name: [value] for name, value in query.items()} or None,
                 "requestContext": self._context(connection_id, "$connect", "CONNECT"), "isBase64Encoded": False}
        answer = await self._loop.run_in_executor(None, self._invoke, "$connect", event)
        status = int(answer.get("statusCode", 200))
        if not 200 <= status < 300:
            self._connected_at.pop(connection_id, None)
            response = connection.respond(status, str(answer.get("body") or ""))
            response.headers["Content-Type"] = "application/json"
            return response
        answer_headers = Headers({name: str(value) for name, value in (answer.get("headers") or {}).items()})
        with self._lock:
            self._ids[connection] = connection_id
            self._protocols[connection] = answer_headers.get("Sec-WebSocket-Protocol")
        return None

    def _subprotocol(self, connection: ServerConnection, offered: Any) -> Any:
        chosen = self._protocols.get(connection)
        return chosen if chosen in offered else None

    async def _session(self, connection: ServerConnection) -> None:
        connection_id = self._ids[connection]
        with self._lock:
            self._connections[connection_id] = connection
        try:
            async for message in connection:
                text = message if isinstance(message, str) else base64.b64encode(message).decode()
                context = self._context(connection_id, "$default", "MESSAGE")
                context["messageId"] = uuid.uuid4().hex[:16]
                event = {"requestContext": context, "body": text, "isBase64Encoded": not isinstance(message, str)}
                await self._loop.run_in_executor(None, self._invoke, "$default", event)
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                self._connections.pop(connection_id, None)
                self._ids.pop(connection, None)
                self._protocols.pop(connection, None)
            context = self._context(connection_id, "$disconnect", "DISCONNECT")
            context.update({"disconnectStatusCode": connection.close_code or 1006,
                            "disconnectReason": connection.close_reason or ""})
            self._connected_at.pop(connection_id, None)
            event = {"headers": {"Host": f"{self.host}:{self.port}"}, "multiValueHeaders": {},
                     "requestContext": context, "isBase64Encoded": False}
            await self._loop.run_in_executor(None, self._invoke, "$disconnect", event)

    # --- the management API ---

    def post(self, connection_id: str, data: bytes) -> bool:
        connection = self._connections.get(connection_id)
        if connection is None:
            return False
        try:
            text = data.decode()
        except UnicodeDecodeError:
            payload: str | bytes = data
        else:
            payload = text
        try:
            asyncio.run_coroutine_threadsafe(connection.send(payload), self._loop).result(5)
        except ConnectionClosed:
            return False
        return True

    def drop(self, connection_id: str) -> bool:
        connection = self._connections.get(connection_id)
        if connection is None:
            return False
        asyncio.run_coroutine_threadsafe(connection.close(1001, "Going away"), self._loop).result(5)
        return True

    def outage(self, seconds: float) -> int:
        """Drop every connection and refuse handshakes for ``seconds``; returns how many were dropped."""
        self._refuse_until = time.monotonic() + seconds
        dropped = [connection_id for connection_id in self.connection_ids() if self.drop(connection_id)]
        return len(dropped)

    def connection_ids(self) -> list[str]:
        with self._lock:
            return list(self._connections)

    def connected_at(self, connection_id: str) -> int | None:
        return self._connected_at.get(connection_id) if connection_id in self._connections else None


class _ManagementHandler(BaseHTTPRequestHandler):
    """``/<stage>/@connections/{id}``, as API Gateway's management endpoint. Local only, for tests:
    ``GET /local/connections`` (the open connections' ids) and ``POST /local/outage {"seconds": n}``
    (drop every connection and refuse handshakes for a while, as a network outage would)."""

    api: LocalWebSocketApi
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug(format, *args)

    def _answer(self, status: int, body: bytes = b"", error_type: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _connection_id(self) -> str | None:
        from urllib.parse import unquote

        prefix = f"/{self.api.stage}/@connections/"
        return unquote(self.path[len(prefix):]) if self.path.startswith(prefix) else None

    def do_POST(self) -> None:
        data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        connection_id = self._connection_id()
        if self.path == "/local/outage":
            dropped = self.api.outage(float(json.loads(data or b"{}").get("seconds", 5)))
            self._answer(200, json.dumps({"dropped": dropped}).encode())
        elif connection_id is None:
            self._answer(404, b'{"message": "Not Found"}')
        elif len(data) > 128 * 1024:
            self._answer(413, b'{"message": "PayloadTooLargeException"}', "PayloadTooLargeException")
        elif self.api.post(connection_id, data):
            self._answer(200)
        else:
            self._answer(410, GONE, "GoneException")

    def do_DELETE(self) -> None:
        connection_id = self._connection_id()
        if connection_id is not None and self.api.drop(connection_id):
            self._answer(204)
        else:
            self._answer(410, GONE, "GoneException")

    def do_GET(self) -> None:
        if self.path == "/local/connections":
            self._answer(200, json.dumps(self.api.connection_ids()).encode())
            return
        connection_id = self._connection_id()
        connected_at = self.api.connected_at(connection_id) if connection_id else None
        if connected_at is None:
            self._answer(410, GONE, "GoneException")
            return
        at = datetime.fromtimestamp(connected_at / 1000, UTC).isoformat()
        self._answer(200, json.dumps({"connectedAt": at, "lastActiveAt": at,
                                      "identity": {"sourceIp": "127.0.0.1"}}).encode())


# The Lambda function Chalice packages for each route (infra/constants.WEBSOCKET_FUNCTIONS).
FUNCTION_OF_ROUTE = {"$connect": "websocket_connect", "$default": "websocket_message",
                     "$disconnect": "websocket_disconnect"}


def websocket_handlers(app: Any) -> dict[str, Handler]:
    """The Chalice app's WebSocket handlers by route key, as Lambda would call them (each as its
    function, for the recorded AWS calls: local/aws_calls.py)."""
    return {route_key: _as_function(FUNCTION_OF_ROUTE[route_key], app.handler_map[config.name])
            for route_key, config in app.websocket_handlers.items()}


def _as_function(function: str, handler: Handler) -> Handler:
    def invoke(event: dict[str, Any], context: Any) -> Any:
        with invoked_as(function):
            return handler(event, context)

    return invoke

