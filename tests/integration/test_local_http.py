"""The local runtime's web server holds a burst of connections and refuses an oversized body
at once, without reading it (``local/http_serving.py``, ``local/runtime.py``)."""

from __future__ import annotations

import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import requests

from local.runtime import LocalRuntime
from tests.support import HTTP_TIMEOUT


def test_two_hundred_concurrent_connections_are_all_answered(runtime: LocalRuntime) -> None:
    assert runtime.info is not None
    url = f"{runtime.info.api_url}/health"
    barrier = threading.Barrier(200)

    def fetch(_: int) -> int:
        barrier.wait(timeout=30)
        # Connected within the usual timeout (a full listen queue drops connections, which then
        # wait seconds for the retry); the answers themselves may queue behind each other.
        return requests.get(url, timeout=(HTTP_TIMEOUT, HTTP_TIMEOUT * 6)).status_code

    # When 200 clients connect at the same moment
    with ThreadPoolExecutor(200) as pool:
        statuses = list(pool.map(fetch, range(200)))
    # Then every one of them gets its answer (none is reset for a full listen queue)
    assert statuses == [200] * 200


def test_a_body_over_the_limit_is_refused_before_it_is_sent(runtime: LocalRuntime) -> None:
    assert runtime.info is not None
    address = urlsplit(runtime.info.api_url)
    # Given a request that announces 11 MB and sends none of it
    with socket.create_connection((address.hostname, address.port), timeout=HTTP_TIMEOUT) as connection:
        connection.sendall(b"POST /api/webhooks/whatsapp/wa-demo HTTP/1.1\r\nHost: localhost\r\n"
                           b"Content-Type: application/json\r\nContent-Length: 11534336\r\n\r\n")
        # Then the answer comes at once: 413, without waiting for the body, and the server closes
        answer = b""
        while chunk := connection.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413")
    assert b"payload_too_large" in answer


def test_the_webhooks_api_answers_a_path_it_has_no_route_for_as_an_http_api_does(runtime: LocalRuntime) -> None:
    # Given the webhooks' base, served like their HTTP API
    assert runtime.info is not None
    base = runtime.info.webhook_base_url
    # When a caller posts to a path under it that is not a webhook route
    for path in ("/whatsapp", "/whatsapp/account/extra"):
        response = requests.post(f"{base}{path}", data=b"{}", timeout=HTTP_TIMEOUT)
        # Then API Gateway's HTTP API answer comes back (404), not the REST API's 403
        assert response.status_code == 404, path
        assert response.json() == {"message": "Not Found"}
