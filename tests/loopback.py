"""A scriptable HTTP server on 127.0.0.1 for tests that need a real provider endpoint: each
route answers with a canned status, headers and body (or the next answer queued for any route),
and every request is recorded, with header names in lower case."""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


@dataclass
class Answer:
    status: int = 200
    body: bytes | dict[str, Any] | list[Any] = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> list[tuple[str, str]]:
        return parse_qsl(self.body.decode(), keep_blank_values=True)


NO_ROUTE = Answer(404, {"error": "no route"})
# For providers stubs whose tests only care about some answers: everything else is 200 {}.
OK_EMPTY = Answer(200, {})


class LoopbackServer:
    def __init__(self, default: Answer = NO_ROUTE) -> None:
        self.routes: dict[tuple[str, str], list[Answer]] = {}
        self.queued: deque[Answer] = deque()
        self.requests: list[Recorded] = []
        self._default = default
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def netloc(self) -> str:
        return self.base_url.removeprefix("http://")

    def answer(self, method: str, path: str, *answers: Answer) -> None:
        """Answer ``method path`` (path without the query) with these answers in turn; the last repeats."""
        self.routes[(method, path)] = list(answers)

    def queue(self, status: int, body: bytes | dict[str, Any] | list[Any]) -> None:
        """Answer the next request that no route matches with this (once)."""
        self.queued.append(Answer(status, body))

    def _take(self, method: str, path: str) -> Answer:
        answers = self.routes.get((method, path))
        if not answers:
            return self.queued.popleft() if self.queued else self._default
        return answers.pop(0) if len(answers) > 1 else answers[0]

    def start(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?")[0]
                server.requests.append(Recorded(self.command, self.path,
                                                {name.lower(): value for name, value in self.headers.items()}, body))
                answer = server._take(self.command, path)
                data = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
                headers = dict(answer.headers)
                if not isinstance(answer.body, bytes):
                    headers.setdefault("Content-Type", "application/json")
                self.send_response(answer.status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


@contextmanager
def loopback_server(default: Answer = NO_ROUTE) -> Iterator[LoopbackServer]:
    server = LoopbackServer(default)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def closed_port_url() -> str:
    """A loopback URL nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
